#!/bin/sh
# Client-side interrupts: the OOB endpoint (oob-port: CANCEL by token or
# by source port, only from the client's own address), a dynamic
# oob-port in the directory as NAME/oob, bad requests, and TCP urgent
# data (urgent = interrupt signals the handler; urgent = pass gives it
# SIGURG).  Every interrupt is logged with who asked and the exit.
. "${top_srcdir}/tests/integration/lib.sh"
P=$BASE
LOOKUP=$top_builddir/superd-lookup
cat > "$T/talk.sh" <<'SH'
#!/bin/sh
echo "token $SUPERD_SESSION port $REMOTE_PORT"
exec sleep 30
SH
cat > "$T/urg.sh" <<'SH'
#!/bin/sh
trap 'echo got-urg; exit 0' URG
echo ready
i=0
while [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
echo no-urg
SH
chmod +x "$T/talk.sh" "$T/urg.sh"
{ conf_globals; cat <<CONF
service slow { address = "127.0.0.1"  port = $((P+1))  server = "$T/talk.sh"  oob-port = $((P+2))  kill-grace = 2 }
service dyn { address = "127.0.0.1"  port = $((P+3))  server = "$T/talk.sh"  oob-port = 0 }
service intr { address = "127.0.0.1"  port = $((P+4))  server = "/bin/sleep"  args = {"30"}  urgent = interrupt }
service pass { address = "127.0.0.1"  port = $((P+5))  server = "$T/urg.sh"  urgent = pass }
service ign { address = "127.0.0.1"  port = $((P+6))  server = "/bin/sleep"  args = {"2"} }
CONF
} > "$T/superd.conf"
start_superd

# start_talk N PORT: a client whose request runs until it is interrupted;
# its first line (token and source port) lands in $T/talkN.
start_talk() {
	$SDCLIENT -L -k -t 15000 127.0.0.1 "$2" > "$T/talk$1" &
	eval "TALK$1=\$!"
	for _ in $(seq 50); do grep -q '^token ' "$T/talk$1" && return 0; sleep 0.1; done
	fail "talk $1: no first line"
}
field() { sed -n "s/.*$1 \([^ ]*\).*/\1/p" "$2" | head -1; }
ended() {	# ended PID: the client saw its connection close
	for _ in $(seq 50); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
	return 1
}

start_talk 1 $((P+1))
tok=$(field token "$T/talk1")
r=$($SDCLIENT -s "CANCEL $tok" 127.0.0.1 $((P+2)))
case "$r" in "OK S"[0-9]*) ;; *) fail "cancel by token: '$r'";; esac
ended "$TALK1" || fail "handler not interrupted by token"
wait_log "service slow: session S[0-9]* .*interrupt with signal 15 requested by oob client 127.0.0.1 port [0-9]* (by token)" 30 \
	|| fail "token interrupt not logged"
wait_log "service slow: session S[0-9]* pid [0-9]* (peer 127.0.0.1:[0-9]*) killed by signal 15 (Terminated) after [0-9.]*s (interrupted by oob client 127.0.0.1 port [0-9]* (by token))" 30 \
	|| fail "exit line does not say who interrupted"
ok "CANCEL <token> on the OOB endpoint stops the request; logged with the exit"

start_talk 2 $((P+1))
sport=$(field port "$T/talk2")
r=$($SDCLIENT -b 127.0.0.2 -s "CANCEL $sport" 127.0.0.1 $((P+2)))
case "$r" in "ERR ENOENT "*) ;; *) fail "cancel by port from another address: '$r'";; esac
kill -0 "$TALK2" || fail "another address stopped the request"
r=$($SDCLIENT -s "CANCEL $sport" 127.0.0.1 $((P+2)))
case "$r" in "OK S"[0-9]*) ;; *) fail "cancel by port: '$r'";; esac
ended "$TALK2" || fail "handler not interrupted by source port"
ok "CANCEL <source-port>: refused from another address, works from the client's"

# A token is a capability: any address that has it may use it.
start_talk 3 $((P+1))
tok=$(field token "$T/talk3")
r=$($SDCLIENT -b 127.0.0.2 -s "cancel $(echo "$tok" | tr a-f A-F)" 127.0.0.1 $((P+2)))
case "$r" in "OK S"[0-9]*) ;; *) fail "token from another address: '$r'";; esac
ended "$TALK3" || fail "not interrupted by token from another address"
ok "a token works from any address (case-insensitive)"

for req in "" "HELLO" "CANCEL" "CANCEL 0" "CANCEL 70000" "CANCEL $(printf '%031d' 0)" "CANCEL x y"; do
	r=$($SDCLIENT -s "$req" 127.0.0.1 $((P+2)))
	case "$r" in "ERR EBADREQ "*) ;; *) fail "request '$req' got '$r'";; esac
done
r=$($SDCLIENT -s "CANCEL $(printf '%0200d' 1)" 127.0.0.1 $((P+2)))
[ "$r" = "ERR ETOOBIG request line longer than 128 bytes" ] ||
	fail "long line got '$r'"
# The codes and texts of the other line protocols (proto.c).
r=$($SDCLIENT -s "CANCEL 1;2" 127.0.0.1 $((P+2)))
[ "$r" = "ERR EBADREQ character outside [A-Za-z0-9._:/@%+=-] in request" ] ||
	fail "bad character got '$r'"
r=$($SDCLIENT -s "CANCEL 0123456789abcdef0123456789abcdef" 127.0.0.1 $((P+2)))
case "$r" in "ERR ENOENT "*) ;; *) fail "unknown token got '$r'";; esac
r=$($SDCLIENT -k -t 8000 127.0.0.1 $((P+2)))
case "$r" in "ERR ETIMEDOUT "*) ;; *) fail "silent client got '$r'";; esac
ok "garbage, empty, oversized, unknown and silent requests get ERR"

# The dynamic OOB endpoint is in the directory as dyn/oob.
SUPERD_DIRECTORY=$T/directory.sock; export SUPERD_DIRECTORY
oport=$("$LOOKUP" -p dyn/oob) || fail "dyn/oob not in the directory"
[ "$oport" -gt 0 ] || fail "dyn/oob port '$oport'"
wait_log "service dyn: oob endpoint on 127.0.0.1 port $oport (dynamic)" 10 || fail "dynamic oob port not logged"
start_talk 4 $((P+3))
r=$($SDCLIENT -s "CANCEL $(field token "$T/talk4")" 127.0.0.1 "$oport")
case "$r" in "OK S"[0-9]*) ;; *) fail "cancel on the dynamic endpoint: '$r'";; esac
ended "$TALK4" || fail "not interrupted via the dynamic endpoint"
# A token of another service is not this endpoint's business.
start_talk 5 $((P+1))
r=$($SDCLIENT -s "CANCEL $(field token "$T/talk5")" 127.0.0.1 "$oport")
case "$r" in "ERR ENOENT "*) ;; *) fail "cross-service token got '$r'";; esac
kill -HUP "$SPID"
sleep 0.5
[ "$("$LOOKUP" -p dyn/oob)" = "$oport" ] || fail "dynamic oob port changed across a reload"
r=$($SDCLIENT -s "CANCEL $(field token "$T/talk5")" 127.0.0.1 $((P+2)))
case "$r" in "OK S"[0-9]*) ;; *) fail "cancel after reload: '$r'";; esac
ok "oob-port = 0: registered as NAME/oob, kept across reloads, per service"

# Urgent data: the handler (sleep 30) gets SIGINT at once.
start=$(date +%s)
$SDCLIENT -k -O 300 -t 10000 127.0.0.1 $((P+4)) >/dev/null
[ $(( $(date +%s) - start )) -lt 8 ] || fail "urgent data did not end the request"
wait_log "service intr: session S[0-9]* pid [0-9]* (peer 127.0.0.1:[0-9]*) killed by signal 2 (Interrupt) after [0-9.]*s (interrupted by urgent data from 127.0.0.1:[0-9]*)" 30 \
	|| fail "urgent interrupt not logged with the exit"
ok "urgent = interrupt: MSG_OOB from the client interrupts the handler"

r=$($SDCLIENT -k -O 500 -t 15000 127.0.0.1 $((P+5)))
[ "$r" = "ready
got-urg" ] || fail "urgent = pass: handler said '$r'"
ok "urgent = pass: the handler gets SIGURG"

# The default, urgent = ignore: the handler runs on.
$SDCLIENT -k -O 100 -t 5000 127.0.0.1 $((P+6)) >/dev/null
wait_log "service ign: session S[0-9]* pid [0-9]* (peer [^)]*) exited with status 0" 40 || fail "ignore: handler did not finish"
ok "urgent = ignore: urgent data changes nothing"
kill -0 "$SPID" || fail "superd died"
