#!/bin/sh
# Per-user connection caps on the local directory and the control socket:
# at most 8 connections per uid (line-max-per-peer), and a connection
# that holds a connection-bound lease counts like any other.  So two
# users who each try 16 connections (every one registering a lease on
# the directory) get 8 each, the others an error line, and a third user
# and root still connect and get answers.
. "${top_srcdir}/tests/integration/lib.sh"
[ "$(id -u)" = 0 ] || skip "needs root (temporary users)"
for c in setpriv useradd userdel groupadd groupdel; do
	command -v $c >/dev/null || skip "needs $c"
done
PER=8		# the default line-max-per-peer
TRY=16		# connections each user asks for
NL='
'
G=sdpc$$
UA=${G}a UB=${G}b UC=${G}c
HOLD=
cleanup_users() {
	kill $HOLD 2>/dev/null
	for _ in $(seq 20); do
		pgrep -u "$UA,$UB,$UC" >/dev/null 2>&1 || break
		sleep 0.1
	done
	for u in $UA $UB $UC; do userdel "$u" 2>/dev/null; done
	groupdel "$G" 2>/dev/null
}
trap 'cleanup_users; cleanup' EXIT
groupadd "$G" || skip "groupadd failed"
for u in $UA $UB $UC; do
	useradd -M -N -g "$G" -d /nonexistent -s /usr/sbin/nologin "$u" ||
		skip "useradd failed"
done
chmod 755 "$T"
cp "$SDCLIENT" "$T/sdclient" && chmod 755 "$T/sdclient"

{ conf_globals; echo "control-group = \"$G\""; } > "$T/superd.conf"
start_superd
DSOCK=$T/directory.sock CSOCK=$T/control.sock

# hold USER SOCKET FILE REQUEST: a connection of USER that sends REQUEST
# and stays open (30 s at most); returns once a status line came back.
hold() {
	setpriv --reuid="$1" --regid="$G" --clear-groups "$T/sdclient" \
	    -U "$2" -L -k -t 30000 -s "$4$NL" > "$T/$3" 2>&1 &
	HOLD="$HOLD $!"
	for _ in $(seq 50); do
		grep -q "^\(OK\|ERR\)" "$T/$3" && return 0
		sleep 0.1
	done
	fail "$1 on $2: no status line after 5 s: '$(cat "$T/$3")'"
}
# ask USER|root SOCKET REQUEST: one request, print the status line.
ask() {
	if [ "$1" = root ]; then
		"$T/sdclient" -U "$2" -t 3000 -s "$3$NL"
	else
		setpriv --reuid="$1" --regid="$G" --clear-groups \
		    "$T/sdclient" -U "$2" -t 3000 -s "$3$NL"
	fi | grep "^\(OK\|ERR\)" | head -1
}
# fill WHAT SOCKET REQUEST: users A and B each try TRY connections; in
# REQUEST, @U is the user's name and @I the connection's number.
fill() {
	for u in $UA $UB; do
		for i in $(seq $TRY); do
			hold "$u" "$2" "$1.$u.$i" \
			    "$(echo "$3" | sed "s/@U/$u/g; s/@I/$i/g")"
		done
		okc=$(grep -l "^OK" "$T/$1.$u".* | wc -l)
		errc=$(grep -l "^ERR" "$T/$1.$u".* | wc -l)
		[ "$okc" = $PER ] && [ "$errc" = $((TRY - PER)) ] ||
			fail "$1: $u opened $TRY connections: expected $PER" \
			    "served and $((TRY - PER)) refused with an error" \
			    "line, saw $okc served and $errc refused"
	done
	ok "$1: each user gets $PER connections, the rest an error line" \
	    "($(grep -h "^ERR" "$T/$1.$UA".* | head -1))"
}

# ---- the directory: every held connection holds a bound lease.
fill directory "$DSOCK" "register name=@U proto=tcp addr=127.0.0.1 port=@I"
r=$(ask "$UC" "$DSOCK" "hello v=1")
case "$r" in "OK 0 v=1 uid=$(id -u "$UC")"*) ;; *) fail "directory: with" \
    "two users at their cap, expected a third user to get 'OK 0 v=1" \
    "uid=...', saw '$r'";; esac
r=$(ask root "$DSOCK" "hello v=1")
case "$r" in "OK 0 v=1 uid=0"*) ;; *) fail "directory: with two users" \
    "at their cap, expected root to get 'OK 0 v=1 uid=0', saw '$r'";; esac
ok "directory: a third user and root still get answers"
kill $HOLD 2>/dev/null
HOLD=
sleep 0.5

# ---- the control socket.
fill control "$CSOCK" "version"
r=$(ask "$UC" "$CSOCK" "version")
case "$r" in OK*) ;; *) fail "control: with two users at their cap," \
    "expected a third user to get 'OK ...', saw '$r'";; esac
r=$(ask root "$CSOCK" "version")
case "$r" in OK*) ;; *) fail "control: with two users at their cap," \
    "expected root to get 'OK ...', saw '$r'";; esac
ok "control: a third user and root still get answers"
kill -0 "$SPID" || fail "superd died"
