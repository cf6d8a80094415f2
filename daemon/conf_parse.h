/*
 * conf_parse.h: pure parsers for configuration values.
 *
 * Each returns 0 on success or -1 with a short reason in err (no file or
 * line: conf.c adds where the value was written).  No libconfuse here, so
 * the unit tests can drive every case directly.
 */
#ifndef SUPERD_CONF_PARSE_H
#define SUPERD_CONF_PARSE_H

#include <sys/types.h>
#include <sys/resource.h>
#include "conf.h"

#define CONF_ERRLEN	256

int	parse_port(const char *s, const char *proto, int *port, char *err);
/* Fill family/addr/addrlen for an inet address ("*", v4, v6, [v6], host). */
int	parse_inet_address(const char *s, int port, int v6only,
	    struct service_conf *sc, char *err);
/* "ADDR[:PORT]" or "[V6][:PORT]" for a TCP listener; port defaults. */
int	parse_listen_spec(const char *s, int defport,
	    struct sockaddr_storage *ss, socklen_t *sslen, char *err);
int	parse_unix_path(const char *s, struct service_conf *sc, char *err);
/*
 * only-from / no-access: ADDR, ADDR/LEN, ADDR/NETMASK (IPv4): 0 and e
 * filled; a host name for the caller to resolve: 1; else -1.
 */
int	parse_acl_entry(const char *s, struct acl_entry *e, char *err);
/*
 * redirect = "HOST PORT" (xinetd's form; blanks between): host (at most
 * hostlen - 1 bytes, brackets of "[v6]" removed) and the port (1-65535,
 * a number or a tcp name of /etc/services).
 */
int	parse_redirect(const char *s, char *host, size_t hostlen, int *port,
	    char *err);
/*
 * The backend address of a redirect when host is a numeric IPv4 or IPv6
 * address: 1 and ss/len filled; 0 when host is a name to resolve.
 */
int	parse_numeric_host(const char *host, int port,
	    struct sockaddr_storage *ss, socklen_t *len);
/*
 * A tcpmux name: 1-64 bytes of [A-Za-z0-9.+-] (what the line tokenizer
 * takes, less what a service name may not hold); "HELP" is taken.
 */
int	parse_tcpmux_name(const char *s, char *err);
/* max-load: "2", "2.5" (above 0). */
int	parse_load(const char *s, double *v, char *err);
/* "N/s", "N/min", optionally followed by "burst M". */
int	parse_rate(const char *s, struct rate_conf *r, char *err);
/* "N", "NK", "NM", "NG" or "unlimited". */
int	parse_rlimit(const char *s, rlim_t *v, char *err);
/* Octal "0660"; max is the largest allowed value. */
int	parse_octal(const char *s, mode_t max, mode_t *m, char *err);
/* "32/64", "24" (v4 only) */
int	parse_prefixes(const char *s, int *p4, int *p6, char *err);
/* "TERM", "SIGTERM", "15" */
int	parse_signal(const char *s, int *sig, char *err);
int	parse_uint(const char *s, unsigned long max, unsigned long *v,
	    char *err);
/* Does addr fall in the prefix e? */
int	acl_entry_match(const struct acl_entry *e, int family,
	    const unsigned char *addr);
/* Longest match of addr over a list; -1 when none, else prefix length. */
int	acl_longest_match(const struct acl *, int family,
	    const unsigned char *addr);
/* RFC 6335-like service name check used when names must map to DNS-SD. */
int	valid_service_name(const char *s);

#endif
