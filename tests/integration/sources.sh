#!/bin/sh
# Per-source state: IPv6 sources grouped by prefix (per-source-prefix),
# a bounded table under many distinct sources, and the UDP reflection
# guard against low source ports and superd's own UDP ports.
. "${top_srcdir}/tests/integration/lib.sh"
P=$BASE
CTL=$top_builddir/superdctl
{ conf_globals; cat <<CONF
service ps6 { address = "::"  v6only = yes  port = $((P+1))  server = "/bin/sh"  args = {"-c", "sleep 2; echo hi"}
  per-source = 1  per-source-prefix = "32/64" }
service many { type = builtin  address = "127.0.0.1"  port = $((P+2))  server = echo  per-source-rate = "1000/s burst 1000" }
service uecho { type = builtin  protocol = udp  address = "127.0.0.1"  port = $((P+3))  server = echo }
service uday { type = builtin  protocol = udp  address = "127.0.0.1"  port = $((P+4))  server = daytime }
CONF
} > "$T/superd.conf"
start_superd
svc_json() { "$CTL" -S "$T/control.sock" -j services; }
# svc_num SERVICE KEY: a number from superdctl's JSON for one service.
svc_num() {
	svc_json | tr '{' '\n' | grep "\"name\":\"$1\"" | head -1 |
	    sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p"
}

# 9000 connections, each from its own address (127.1.0.1 and up): the
# per-source table keeps at most 8192 and every connection is served.
r=$($SDCLIENT -V -b 127.1.0.1 -n 9000 -R -t 2000 -s x -x x 127.0.0.1 $((P+2)))
case "$r" in "ok=9000 "*) ;; *) fail "many sources: $r";; esac
n=$(svc_num many sources)
[ -n "$n" ] && [ "$n" -le 8192 ] && [ "$n" -ge 8000 ] || fail "per-source table holds '$n' sources"
ok "9000 distinct sources: all served, table bounded at $n entries"

if [ "$(id -u)" = 0 ]; then
	r=$($SDCLIENT -u -p 1000 -s x -t 500 127.0.0.1 $((P+3))); rc=$?
	[ $rc = 2 ] && [ -z "$r" ] || fail "UDP echo answered source port 1000 (rc $rc, '$r')"
	[ "$(svc_num uecho refused.reflection)" = 1 ] || fail "reflection refusal not counted"
	[ "$($SDCLIENT -u -s y 127.0.0.1 $((P+3)))" = y ] || fail "UDP echo stopped answering"
	ok "UDP builtins never answer a source port below 1024 (counted)"
else
	echo "skip: not root, cannot bind source port 1000"
fi
# From another address, but the port of superd's own daytime: an echo
# answer would start a loop between the two.
r=$($SDCLIENT -u -b 127.0.0.2 -p $((P+4)) -s x -t 500 127.0.0.1 $((P+3))); rc=$?
[ $rc = 2 ] && [ -z "$r" ] || fail "UDP echo answered superd's own port (rc $rc, '$r')"
[ "$($SDCLIENT -u -b 127.0.0.2 -s z 127.0.0.1 $((P+3)))" = z ] ||
	fail "UDP echo does not answer 127.0.0.2"
ok "UDP builtins never answer a datagram from one of superd's own UDP ports"

# IPv6 sources in one /64 share one per-source slot; another /64 does not.
ADDRS="fd00:5d::1 fd00:5d::2 fd00:5e::1"
added=
cleanup_v6() { for a in $added; do ip -6 addr del "$a/128" dev lo 2>/dev/null; done; }
trap 'cleanup_v6; cleanup' EXIT
if [ "$(id -u)" = 0 ] && command -v ip >/dev/null; then
	for a in $ADDRS; do
		ip -6 addr add "$a/128" dev lo nodad 2>/dev/null && added="$added $a"
	done
fi
[ "$(echo $added | wc -w)" = 3 ] || skip "cannot add test IPv6 addresses to lo (needs root and IPv6)"
$SDCLIENT -b fd00:5d::1 -t 5000 ::1 $((P+1)) > "$T/first" &
first=$!
sleep 0.4
[ -z "$($SDCLIENT -b fd00:5d::2 -t 3000 ::1 $((P+1)))" ] || fail "a second address of the same /64 got in"
[ "$($SDCLIENT -b fd00:5e::1 -t 5000 ::1 $((P+1)))" = hi ] || fail "another /64 was refused"
wait $first
[ "$(cat "$T/first")" = hi ] || fail "first connection"
[ "$(svc_num ps6 refused.per-source)" = 1 ] || fail "per-source refusal not counted: $(svc_json)"
ok "per-source-prefix 64: one /64 shares one slot, another /64 does not"
kill -0 "$SPID" || fail "superd died"
