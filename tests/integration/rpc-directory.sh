#!/bin/sh
# type = rpc without needing rpcbind: the service listens on a dynamic
# port whether or not an rpcbind answers, its registration attempt is
# logged (made on rpcreg.c's thread, so the directory keeps answering
# meanwhile), and superd-lookup shows it with its RPC program and
# versions as tags.  The program number is in the range RFC 5531 leaves
# to local use, so a host's own rpcbind, if any, is not disturbed beyond
# an entry superd removes again at stop.  tests/system/rpc.sh runs the
# real thing with rpcbind, rpc.rstatd and rup.
. "${top_srcdir}/tests/integration/lib.sh"
LOOKUP=$top_builddir/superd-lookup
PROG=536870999		# 0x20000057: "defined by user"
printf 'log-level = info\nservice r { type = rpc rpc-program = 1 rpc-versions = 1 server = "/bin/cat" }\n' >"$T/probe.conf"
"$SUPERD" -t -c "$T/probe.conf" 2>&1 | grep -q libtirpc && skip "superd built without libtirpc"
# inetd-compat (superd -t, nothing registered): an rpc line is a
# service (two of them do not clash over their dynamic ports); one whose
# program versions superd.conf registers is skipped.
printf '%s\n' "$PROG/2-3 dgram rpc/udp wait root /bin/cat cat" \
    "$((PROG - 1))/1 dgram rpc/udp wait root /bin/cat cat" \
    "$((PROG - 2))/1 dgram rpc/udp wait root /bin/cat cat" >"$T/inetd.conf"
{ conf_globals; cat <<CONF
inetd-compat = "$T/inetd.conf"
service rpcx { type = rpc rpc-program = $PROG rpc-versions = "1-2" socket = dgram server = "/bin/cat" }
CONF
} >"$T/t.conf"
"$SUPERD" -t -c "$T/t.conf" >"$T/t.out" 2>&1 || { cat "$T/t.out"; fail "superd -t: exit $?"; }
grep -q "inetd.conf:1: service \"$PROG\": RPC program $PROG/udp is already registered for service \"rpcx\"" "$T/t.out" ||
	{ cat "$T/t.out"; fail "no overlap message for inetd.conf:1"; }
grep -q "inetd.conf:[23]" "$T/t.out" && { cat "$T/t.out"; fail "inetd.conf:2 or 3 was not accepted"; }
grep -q "2 services, 1 lines skipped" "$T/t.out" || { cat "$T/t.out"; fail "not 2 services + 1 skipped"; }
ok "inetd-compat: an rpc line is served, one overlapping superd.conf's program is skipped"

{ conf_globals; cat <<CONF
service rpcx {
	type = rpc
	rpc-program = $PROG
	rpc-versions = "1-2"
	socket = dgram
	address = "127.0.0.1"
	server = "/bin/cat"
}
CONF
} >"$T/superd.conf"
start_superd
port=$(sed -n 's/.*service rpcx: listening on 127.0.0.1 port \([0-9]*\) (dynamic).*/\1/p' "$T/log")
[ -n "$port" ] || fail "no dynamic port logged"
SUPERD_DIRECTORY=$T/directory.sock; export SUPERD_DIRECTORY
[ "$("$LOOKUP" -p rpcx)" = "$port" ] || fail "superd-lookup -p rpcx is not $port"
"$LOOKUP" -j rpcx >"$T/json" || fail "superd-lookup -j: exit $?"
grep -q "\"rpc-program\":\"$PROG\"" "$T/json" || { cat "$T/json"; fail "no rpc-program tag"; }
grep -q '"rpc-versions":"1-2"' "$T/json" || { cat "$T/json"; fail "no rpc-versions tag"; }
ok "superd-lookup lists rpcx at $port with rpc-program=$PROG rpc-versions=1-2"
wait_log "program $PROG" 100 || fail "no registration attempt logged"
if grep -q "RPC program $PROG versions 1-2 registered" "$T/log"; then
	ok "registered with this host's rpcbind"
	stop_superd
	grep -q "service rpcx: RPC program $PROG unregistered" "$T/log" ||
		fail "not unregistered at stop"
	ok "unregistered at stop"
else
	grep -q "rpcbind registration of program $PROG failed" "$T/log" ||
		fail "neither registered nor a failure logged"
	ok "no rpcbind here: the failure is logged, the service listens"
	"$top_builddir/superdctl" -S "$T/control.sock" service rpcx >"$T/ctl" ||
		fail "superdctl service rpcx: exit $?"
	grep -Eq '^rpc_versions +1-2$' "$T/ctl" && grep -Eq '^rpcbind +not-registered$' "$T/ctl" ||
		{ cat "$T/ctl"; fail "superdctl does not show the rpc fields"; }
	ok "superdctl: rpc_versions 1-2, rpcbind not-registered"
	[ "$("$LOOKUP" -p rpcx)" = "$port" ] || fail "the directory stopped answering"
fi
