#!/bin/sh
# Request-line deadlines: a whole request line must arrive within the
# deadline (5 s on an OOB endpoint, 10 s on the control socket and the
# local and remote directory, by default), not just one byte per idle
# period.  A client that sends one byte every 2 s and never a newline is
# disconnected by about then: within 10 s on OOB, 16 s elsewhere (the
# deadline plus slack).  The four clients run side by side.
. "${top_srcdir}/tests/integration/lib.sh"
P=$BASE
{ conf_globals; cat <<CONF
directory-listen = "127.0.0.1:$((P+9))"
service slow { address = "127.0.0.1"  port = $((P+1))  server = "/bin/sleep"  args = {"30"}  oob-port = $((P+2)) }
CONF
} > "$T/superd.conf"
start_superd

# drip NAME DEADLINE-MS ARGS...: one byte every 2 s until superd closes
# or the deadline passes; exit status and what superd said in $T/NAME.*
DRIP=$(printf 'x%.0s' $(seq 40))
drip() {
	_n=$1 _ms=$2
	shift 2
	(
		s=$(date +%s)
		$SDCLIENT -D 2000 -t "$_ms" -s "$DRIP" "$@" > "$T/$_n.out" 2>&1
		echo "$? $(( $(date +%s) - s ))" > "$T/$_n.rc"
	) &
	DRIPS="$DRIPS $!"
}
DRIPS=
drip oob 10000 127.0.0.1 $((P+2))
drip control 16000 -U "$T/control.sock"
drip directory 16000 -U "$T/directory.sock"
drip remote 16000 127.0.0.1 $((P+9))
for d in $DRIPS; do wait "$d"; done

bad=
for n in oob control directory remote; do
	read -r rc secs < "$T/$n.rc"
	case $n in oob) limit=10;; *) limit=16;; esac
	case $rc in
	0)	ok "$n: a line dripped at one byte per 2 s: closed after" \
		    "${secs}s ($(head -c 80 "$T/$n.out"))";;
	2)	echo "FAIL: $n: one byte every 2 s, no newline: expected the" \
		    "connection closed within ${limit}s (line deadline)," \
		    "still open after ${secs}s" >&2
		bad=1;;
	*)	echo "FAIL: $n: client error $rc: $(cat "$T/$n.out")" >&2
		bad=1;;
	esac
done
[ -z "$bad" ] || fail "request-line deadlines not enforced"
kill -0 "$SPID" || fail "superd died"
