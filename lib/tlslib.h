/*
 * tlslib.h: the OpenSSL and libevent_openssl functions etcd.c calls,
 * loaded (dynlib.h) on the first https endpoint.
 *
 * Linked in, libcrypto alone made superd's largest block of private
 * memory: about 400 KiB of relocated read-only data (RELRO) copied into
 * every process that loads it, and libssl and libevent_openssl add ~70
 * KiB more; yet only an https etcd-endpoint uses them.  The table is
 * filled from OPENSSL_SONAME (libevent_openssl, which brings libssl and
 * libcrypto with it); callers write tlslib.SSL_new(...).
 */
#ifndef SUPERD_TLSLIB_H
#define SUPERD_TLSLIB_H

#include <stddef.h>

#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "dynlib.h"

#define TLSLIB_FUNCS(X)							\
	X(ERR_clear_error) X(ERR_peek_last_error)			\
	X(ERR_reason_error_string) X(SSL_CTX_check_private_key)		\
	X(SSL_CTX_ctrl) X(SSL_CTX_free) X(SSL_CTX_load_verify_locations)	\
	X(SSL_CTX_new) X(SSL_CTX_set_default_verify_paths)		\
	X(SSL_CTX_set_verify) X(SSL_CTX_use_PrivateKey_file)		\
	X(SSL_CTX_use_certificate_chain_file) X(SSL_ctrl) X(SSL_free)	\
	X(SSL_get0_param) X(SSL_get_verify_result) X(SSL_new)		\
	X(TLS_client_method) X(X509_VERIFY_PARAM_set1_host)		\
	X(X509_VERIFY_PARAM_set1_ip_asc)				\
	X(X509_verify_cert_error_string)				\
	X(bufferevent_openssl_set_allow_dirty_shutdown)			\
	X(bufferevent_openssl_socket_new)

struct tlslib_funcs {
	TLSLIB_FUNCS(DYNLIB_POINTER)
};

/* Filled by tlslib_load; every pointer set once it returned 0. */
extern struct tlslib_funcs tlslib;

/* Load the libraries (once; later calls answer at once): 0, or -1 with
 * why in err. */
int	tlslib_load(char *err, size_t len);

#endif
