/*
 * sockpath.c: where superdctl and superd-lookup find superd's sockets
 * (see sockpath.h).
 *
 * The keys are read with libconfuse, as superd reads them, so quoting,
 * include() and ${VAR} mean the same to both.  Every key the clients do
 * not need is ignored (CFGF_IGNORE_UNKNOWN): the clients never depend on
 * the daemon's key list.  libconfuse 3.3 cannot skip a section it does
 * not know, so the two section names of superd.conf are declared, each
 * with no keys of its own.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <confuse.h>

#include "rundir.h"
#include "superd.h"
#include "sockpath.h"

/* libconfuse has no per-parse user pointer; the clients are one thread. */
static char	conf_err[512];
static int	conf_line;

static void	conf_errfn(cfg_t *, const char *, va_list);
static int	conf_lineof(cfg_t *, cfg_opt_t *);
static int	copy(char *, size_t, const char *);

/* Keep libconfuse's first message, with its file:line, for the caller. */
static void
conf_errfn(cfg_t *cfg, const char *fmt, va_list ap)
{
	char	msg[384];

	if (conf_err[0] != '\0')
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (cfg != NULL && cfg->filename != NULL && cfg->line > 0)
		snprintf(conf_err, sizeof(conf_err), "%s:%d: %s",
		    cfg->filename, cfg->line, msg);
	else
		snprintf(conf_err, sizeof(conf_err), "%s", msg);
}

/* Remember the line the key was set on, for messages. */
static int
conf_lineof(cfg_t *cfg, cfg_opt_t *opt)
{
	conf_line = cfg->line;
	return 0;
}

/* snprintf that says whether it fit: 0 / -1. */
static int
copy(char *buf, size_t len, const char *s)
{
	return snprintf(buf, len, "%s", s) >= (int)len ? -1 : 0;
}

int
sockpath_conf_key(const char *file, const char *key, char *buf, size_t len,
    int *line, char *err, size_t errlen)
{
	cfg_opt_t	 none[] = { CFG_END() };
	cfg_opt_t	 opts[] = {
		CFG_FUNC("include", cfg_include),
		CFG_STR(key, NULL, CFGF_NONE),
		CFG_SEC("defaults", none, CFGF_NONE),
		CFG_SEC("service", none, CFGF_MULTI | CFGF_TITLE),
		CFG_END()
	};
	cfg_t		*cfg;
	const char	*v;
	int		 r, rc = -1, saved;

	if ((cfg = cfg_init(opts, CFGF_IGNORE_UNKNOWN)) == NULL) {
		snprintf(err, errlen, "%s: %s", file, strerror(errno));
		return -1;
	}
	conf_err[0] = '\0';
	conf_line = 0;
	cfg_set_error_function(cfg, conf_errfn);
	cfg_set_validate_func(cfg, key, conf_lineof);
	r = cfg_parse(cfg, file);
	saved = errno;
	if (r == CFG_FILE_ERROR)
		snprintf(err, errlen, "%s: %s", file, strerror(saved));
	else if (r != CFG_SUCCESS)
		snprintf(err, errlen, "%s", conf_err[0] ? conf_err :
		    "syntax error");
	else if ((v = cfg_getstr(cfg, key)) == NULL)
		rc = 0;
	else if (copy(buf, len, v) == -1)
		snprintf(err, errlen, "%s:%d: %s: path too long", file,
		    conf_line, key);
	else
		rc = 1;
	*line = conf_line;
	cfg_free(cfg);
	errno = r == CFG_FILE_ERROR ? saved : 0;
	return rc;
}

/* The key from file: 1 found, 0 not set (or default file absent), -1. */
static int
from_conf(const struct sockpath_query *q, const char *file, int must,
    char *buf, size_t len, char *from, size_t fromlen, char *err,
    size_t errlen)
{
	int	r, line;

	r = sockpath_conf_key(file, q->key, buf, len, &line, err, errlen);
	/* A user may not read /etc/superd.conf; a default that is absent. */
	if (r == -1 && !must && (errno == ENOENT || errno == EACCES))
		return 0;
	if (r == 1 && buf[0] == '\0') {
		snprintf(err, errlen, "%s:%d: %s is \"\": superd has it "
		    "switched off", file, line, q->key);
		return -1;
	}
	if (r == 1)
		snprintf(from, fromlen, "from %s:%d", file, line);
	return r;
}

int
sockpath_find(const struct sockpath_query *q, char *buf, size_t len,
    char *from, size_t fromlen, char *err, size_t errlen)
{
	const char	*env = getenv(q->env);
	int		 r;

	if (q->opt != NULL) {
		snprintf(from, fromlen, "given with -S");
		if (copy(buf, len, q->opt) == 0)
			return 0;
	} else if (env != NULL && env[0] != '\0') {
		snprintf(from, fromlen, "from $%s", q->env);
		if (copy(buf, len, env) == 0)
			return 0;
	} else {
		r = from_conf(q, q->conf != NULL ? q->conf : SOCKPATH_CONF,
		    q->conf != NULL, buf, len, from, fromlen, err, errlen);
		if (r != 0)
			return r == 1 ? 0 : -1;
		snprintf(from, fromlen, "the default");
		if (rundir_client_socket(q->name, buf, len) == 0)
			return 0;
	}
	snprintf(err, errlen, "socket path too long (%s)", from);
	return -1;
}

/* Join list key of cfg with "," into the environment variable env. */
static void
list_env(cfg_t *cfg, const char *key, const char *env)
{
	char	buf[4096] = "";
	size_t	i, n = cfg_size(cfg, key), at = 0;

	for (i = 0; i < n && at < sizeof(buf); i++)
		at += (size_t)snprintf(buf + at, sizeof(buf) - at, "%s%s",
		    i > 0 ? "," : "", cfg_getnstr(cfg, key, i));
	if (n > 0)
		setenv(env, buf, 1);
}

/* String key of cfg into env, unless env is set already. */
static void
str_env(cfg_t *cfg, const char *key, const char *env)
{
	if (cfg_getstr(cfg, key) != NULL && getenv(env) == NULL)
		setenv(env, cfg_getstr(cfg, key), 1);
}

int
sockpath_etcd_env(const char *file, char *err, size_t errlen)
{
	cfg_opt_t	 none[] = { CFG_END() };
	cfg_opt_t	 opts[] = {
		CFG_FUNC("include", cfg_include),
		CFG_STR_LIST("etcd-endpoints", NULL, CFGF_NONE),
		CFG_STR("etcd-prefix", NULL, CFGF_NONE),
		CFG_STR("host-name", NULL, CFGF_NONE),
		CFG_STR("etcd-ca", NULL, CFGF_NONE),
		CFG_STR("etcd-cert", NULL, CFGF_NONE),
		CFG_STR("etcd-key", NULL, CFGF_NONE),
		CFG_STR("etcd-user", NULL, CFGF_NONE),
		CFG_STR("etcd-password-file", NULL, CFGF_NONE),
		CFG_SEC("defaults", none, CFGF_NONE),
		CFG_SEC("service", none, CFGF_MULTI | CFGF_TITLE),
		CFG_END()
	};
	cfg_t		*cfg;
	int		 r, saved;

	if (getenv(SUPERD_ETCD_ENV) != NULL)
		return 0;
	if ((cfg = cfg_init(opts, CFGF_IGNORE_UNKNOWN)) == NULL) {
		snprintf(err, errlen, "%s", strerror(errno));
		return -1;
	}
	conf_err[0] = '\0';
	cfg_set_error_function(cfg, conf_errfn);
	r = cfg_parse(cfg, file != NULL ? file : SOCKPATH_CONF);
	saved = errno;
	if (r == CFG_FILE_ERROR && file == NULL) {
		cfg_free(cfg);
		return 0;	/* no default file: no etcd */
	}
	if (r == CFG_FILE_ERROR)
		snprintf(err, errlen, "%s: %s", file, strerror(saved));
	else if (r != CFG_SUCCESS)
		snprintf(err, errlen, "%s", conf_err[0] ? conf_err :
		    "syntax error");
	else {
		list_env(cfg, "etcd-endpoints", SUPERD_ETCD_ENV);
		if (cfg_getstr(cfg, "etcd-prefix") != NULL &&
		    getenv(SUPERD_ETCD_PREFIX_ENV) == NULL)
			setenv(SUPERD_ETCD_PREFIX_ENV,
			    cfg_getstr(cfg, "etcd-prefix"), 1);
		if (cfg_getstr(cfg, "host-name") != NULL &&
		    getenv(SUPERD_HOST_ENV) == NULL)
			setenv(SUPERD_HOST_ENV, cfg_getstr(cfg, "host-name"), 1);
		str_env(cfg, "etcd-ca", SUPERD_ETCD_CA_ENV);
		str_env(cfg, "etcd-cert", SUPERD_ETCD_CERT_ENV);
		str_env(cfg, "etcd-key", SUPERD_ETCD_KEY_ENV);
		str_env(cfg, "etcd-user", SUPERD_ETCD_USER_ENV);
		str_env(cfg, "etcd-password-file",
		    SUPERD_ETCD_PASSWORD_FILE_ENV);
	}
	cfg_free(cfg);
	return r == CFG_SUCCESS ? 0 : -1;
}
