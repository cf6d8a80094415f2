#!/bin/sh
# per-source on a UDP builtin: per-source counts running requests, and a
# datagram builtin's request ends when it is answered.  So a client that
# waits for each answer before it sends again is never refused: not in
# the first round, not later, and not after more sources than the
# per-source table holds have come by.
. "${top_srcdir}/tests/integration/lib.sh"
P=$BASE
{ conf_globals; cat <<CONF
service uecho { type = builtin  server = echo  protocol = udp  address = "127.0.0.1"  port = $((P+1))  per-source = 2 }
CONF
} > "$T/superd.conf"
start_superd

# round N: six datagrams from 127.0.0.1, one after the other's answer.
round() {
	r=$($SDCLIENT -u -n 6 -t 1000 -s "r$1" -x "r$1" 127.0.0.1 $((P+1)))
	[ "$r" = "ok=6 refused=0 timeout=0 other=0 mismatch=0" ] ||
		fail "round $1: six datagrams sent one after the other's" \
		    "answer, expected all six answered (ok=6), saw: $r"
}
round 1
ok "round 1: six sequential datagrams from one source, six answers"
sleep 3
round 2
ok "round 2, 3 s later: six answers again"

# More distinct sources than the per-source table holds (8192), each
# answered; then new sources and the first one still get answers.
r=$($SDCLIENT -u -n 8192 -t 2000 -b 127.1.0.1 -V -s v -x v 127.0.0.1 $((P+1)))
[ "$r" = "ok=8192 refused=0 timeout=0 other=0 mismatch=0" ] ||
	fail "8192 distinct sources, one datagram each: expected all" \
	    "answered, saw: $r"
r=$($SDCLIENT -u -n 10 -t 1000 -b 127.2.0.1 -V -s w -x w 127.0.0.1 $((P+1)))
[ "$r" = "ok=10 refused=0 timeout=0 other=0 mismatch=0" ] ||
	fail "after 8192 sources: expected ten new sources (127.2.0.1-10)" \
	    "answered, saw: $r"
round 3
ok "after 8192 sources new sources and the first one get answers"
kill -0 "$SPID" || fail "superd died"
