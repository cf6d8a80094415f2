/*
 * inetd_compat.h: inetd-compat, the services of /etc/inetd.conf served
 * next to superd.conf's.
 *
 * Debian packages register their services with "update-inetd --add",
 * which writes /etc/inetd.conf.  With inetd-compat set, every load of
 * superd.conf (start, reload, superd -t) also reads that file: each line
 * goes through the converter's parser and translation (inetd_parse.c,
 * inetd_xlate.c) and then through conf.c like any superd.conf service.
 * A line superd cannot serve is logged with its file:line and skipped;
 * it never makes the configuration invalid.
 */
#ifndef SUPERD_INETD_COMPAT_H
#define SUPERD_INETD_COMPAT_H

struct superd_conf;

/*
 * Append to conf the services of conf->inetd_compat (nothing when it is
 * NULL).  A name or endpoint that superd.conf already has stays
 * superd.conf's.  Returns the number of lines skipped.
 */
unsigned	 inetd_compat_add(struct superd_conf *conf);

#endif
