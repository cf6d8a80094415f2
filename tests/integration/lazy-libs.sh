#!/bin/sh
# Optional libraries are loaded when the configuration first needs them
# (lib/dynlib.h), not linked: linked, their relocated data was most of
# superd's private memory (OpenSSL ~470 KiB; libwrap and libtirpc, through
# the Kerberos libraries, ~150 KiB).  Shown: superd serving a builtin has
# none of them mapped; a reload that adds an https etcd endpoint (one
# nobody listens on) maps libssl and libcrypto, one that adds libwrap =
# yes maps libwrap, one that adds a type = rpc service maps libtirpc; the
# builtin answers throughout.
. "${top_srcdir}/tests/integration/lib.sh"
P=$BASE
PROG=536870998		# "defined by user" (RFC 5531), as rpc-directory.sh
[ -r /proc/self/maps ] || skip "no /proc/PID/maps"
have() { grep -q "HAVE_$1 1" "$top_builddir/config.h" 2>/dev/null; }

# mapped LIB: is a file named LIB.so* or LIB-*.so* mapped into superd?
mapped() { grep -q "/$1[.-]" "/proc/$SPID/maps"; }

echo_service() {
	cat <<CONF
service echo {
	type = builtin
	server = echo
	address = "127.0.0.1"
	port = $P
}
CONF
}

# reload: SIGHUP and wait for the Nth "reloaded" line.
n=0
reload() {
	n=$((n + 1))
	kill -HUP "$SPID"
	wait_count "reloaded" $n 100 || fail "reload $n: no \"reloaded\" line"
	[ "$($SDCLIENT -s hello 127.0.0.1 $P)" = hello ] ||
		fail "echo did not answer after reload $n"
}

{ conf_globals; echo_service; } > "$T/superd.conf"
start_superd
[ "$($SDCLIENT -s hello 127.0.0.1 $P)" = hello ] || fail "echo did not answer"
for lib in libssl libcrypto libevent_openssl libwrap libtirpc libkrb5; do
	mapped $lib && fail "$lib is mapped with a builtin alone"
done
ok "a builtin alone: no libssl, libcrypto, libwrap, libtirpc or libkrb5"

if have OPENSSL; then
	{
		conf_globals
		echo "directory-export = { etcd }"
		echo "etcd-endpoints = { \"https://127.0.0.1:$((P + 1))\" }"
		echo_service
	} > "$T/superd.conf"
	reload
	mapped libssl && mapped libcrypto ||
		fail "libssl or libcrypto not loaded for an https endpoint"
	grep -q "cannot load" "$T/log" && fail "TLS did not load"
	ok "libssl and libcrypto loaded by a reload that adds an https endpoint"
fi

if have LIBWRAP; then
	# On a service of its own: the host's hosts.deny may refuse us.
	{ conf_globals; echo_service; cat <<CONF
service discard {
	type = builtin
	server = discard
	address = "127.0.0.1"
	port = $((P + 2))
	libwrap = yes
}
CONF
	} > "$T/superd.conf"
	reload
	mapped libwrap || fail "libwrap not loaded for libwrap = yes"
	ok "libwrap loaded by a reload that sets libwrap = yes"
fi

if have TIRPC; then
	{ conf_globals; echo_service; cat <<CONF
service rpcx {
	type = rpc
	rpc-program = $PROG
	rpc-versions = "1"
	socket = dgram
	address = "127.0.0.1"
	server = "/bin/cat"
}
CONF
	} > "$T/superd.conf"
	reload
	mapped libtirpc || fail "libtirpc not loaded for a type = rpc service"
	wait_log "rpcbind" 50 || fail "no rpcbind registration attempt logged"
	grep -q "cannot load" "$T/log" && fail "libtirpc did not load"
	ok "libtirpc loaded by a reload that adds a type = rpc service"
fi
