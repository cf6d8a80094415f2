#!/bin/sh
# CANCEL <source-port> on the OOB endpoint needs the canceller to own the
# request's connection: every local user shares 127.0.0.1 and can read
# source ports in /proc/net/tcp.  User A's CANCEL of user B's request by
# port is refused (ERR EPERM); B's own is accepted.  Needs root (two
# temporary users, removed on exit), useradd and setpriv.
. "${top_srcdir}/tests/integration/lib.sh"
[ "$(id -u)" -eq 0 ] || skip "needs root to create two temporary users"
for tool in useradd userdel setpriv; do
	command -v $tool >/dev/null 2>&1 || skip "$tool is not installed"
done
P=$BASE
UA=sdtest-a$$
UB=sdtest-b$$
drop_users() {
	userdel "$UA" 2>/dev/null
	userdel "$UB" 2>/dev/null
	cleanup
}
trap drop_users EXIT
useradd -r -M -N -d /nonexistent -s /bin/false "$UA" || skip "useradd $UA failed"
useradd -r -M -N -d /nonexistent -s /bin/false "$UB" || skip "useradd $UB failed"
# as USER CMD...: run a client as that user (its own uid and group).
as() {
	_u=$1; shift
	setpriv --reuid="$_u" --regid="$(id -g "$_u")" --clear-groups "$@"
}
# The users run a copy of the client from $T (the build tree may be closed).
cp "$SDCLIENT" "$T/sdclient"
chmod 711 "$T"
chmod 755 "$T/sdclient"
cat > "$T/talk.sh" <<'SH'
#!/bin/sh
echo "token $SUPERD_SESSION port $REMOTE_PORT"
exec sleep 30
SH
chmod +x "$T/talk.sh"
{ conf_globals; cat <<CONF
service slow { address = "127.0.0.1"  port = $((P+1))  server = "$T/talk.sh"  oob-port = $((P+2))  kill-grace = 2 }
CONF
} > "$T/superd.conf"
start_superd

as "$UB" "$T/sdclient" -L -k -t 15000 127.0.0.1 $((P+1)) > "$T/talk" &
TALK=$!
for _ in $(seq 50); do grep -q '^token ' "$T/talk" && break; sleep 0.1; done
sport=$(sed -n 's/.* port \([0-9]*\).*/\1/p' "$T/talk")
[ -n "$sport" ] || fail "user B's request did not start"

r=$(as "$UA" "$T/sdclient" -s "CANCEL $sport" 127.0.0.1 $((P+2)))
case "$r" in "ERR EPERM "*"another user"*) ;; *) fail "user A cancelled user B's request by port: '$r'";; esac
kill -0 "$TALK" 2>/dev/null || fail "user B's request ended after user A's CANCEL"
wait_log "service slow: oob: cancel of S[0-9]* by source port from 127.0.0.1 port [0-9]* refused: the request's connection belongs to another user" 30 \
	|| fail "the refusal is not logged"
ok "CANCEL <port> of another user's request: ERR EPERM, logged"

r=$(as "$UB" "$T/sdclient" -s "CANCEL $sport" 127.0.0.1 $((P+2)))
case "$r" in "OK S"[0-9]*) ;; *) fail "user B's own CANCEL by port: '$r'";; esac
for _ in $(seq 50); do kill -0 "$TALK" 2>/dev/null || break; sleep 0.1; done
kill -0 "$TALK" 2>/dev/null && fail "user B's request still runs after its own CANCEL"
ok "CANCEL <port> by the user who owns the connection works"
kill -0 "$SPID" || fail "superd died"
