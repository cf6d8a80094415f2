#!/bin/sh
# OpenSSL is loaded only for an https etcd endpoint (lib/tlslib.c): linked
# in, libcrypto alone copied ~400 KiB of relocated data into superd at
# every start.  Shown: superd serving a builtin has neither libssl nor
# libcrypto mapped; after a reload that adds an https etcd endpoint (one
# nobody listens on) both are, and the service still answers.
. "${top_srcdir}/tests/integration/lib.sh"
P=$BASE
grep -q "HAVE_OPENSSL 1" "$top_builddir/config.h" 2>/dev/null ||
	skip "superd was built without TLS (configure --with-openssl)"
[ -r /proc/self/maps ] || skip "no /proc/PID/maps"

# mapped LIB: is a file named LIB* mapped into superd?
mapped() { grep -q "/$1[.-]" "/proc/$SPID/maps"; }

service() {
	cat <<CONF
service echo {
	type = builtin
	server = echo
	address = "127.0.0.1"
	port = $P
}
CONF
}
{ conf_globals; service; } > "$T/superd.conf"
start_superd
[ "$($SDCLIENT -s hello 127.0.0.1 $P)" = hello ] || fail "echo did not answer"
for lib in libssl libcrypto libevent_openssl; do
	mapped $lib && fail "$lib is mapped with no https endpoint"
done
ok "no libssl, libcrypto or libevent_openssl without an https endpoint"

{
	conf_globals
	echo "directory-export = { etcd }"
	echo "etcd-endpoints = { \"https://127.0.0.1:$((P + 1))\" }"
	service
} > "$T/superd.conf"
kill -HUP "$SPID"
wait_count "reloaded" 1 100 || fail "no reload"
for lib in libssl libcrypto; do
	mapped $lib || fail "$lib not loaded for an https endpoint"
done
grep -q "cannot load" "$T/log" && fail "TLS did not load"
[ "$($SDCLIENT -s hello 127.0.0.1 $P)" = hello ] ||
	fail "echo did not answer after the reload"
ok "libssl and libcrypto loaded on a reload that adds an https endpoint"
