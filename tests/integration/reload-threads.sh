#!/bin/sh
# A reload that cannot be carried out (here: a new builtin service with
# threads = 2 while superd may not create threads) is refused like an
# invalid configuration: superd keeps running with the old one, logs
# why, and superdctl reload says it failed.
. "${top_srcdir}/tests/integration/lib.sh"
P=$BASE
CTL="$top_builddir/superdctl"
[ -x "$CTL" ] || fail "superdctl not built ($CTL)"
# RLIMIT_NPROC does not hold root back: run superd as a temporary user.
[ "$(id -u)" = 0 ] || skip "needs root (a temporary user)"
for c in setpriv prlimit useradd userdel groupadd groupdel; do
	command -v $c >/dev/null || skip "needs $c"
done
U=sdrt$$
HOLD=
cleanup_user() {
	stop_superd
	for _ in $(seq 20); do
		pgrep -u "$U" >/dev/null 2>&1 || break
		sleep 0.1
	done
	userdel "$U" 2>/dev/null
	groupdel "$U" 2>/dev/null
}
trap 'cleanup_user; cleanup' EXIT
groupadd "$U" || skip "groupadd failed"
useradd -M -N -g "$U" -d /nonexistent -s /usr/sbin/nologin "$U" ||
	skip "useradd failed"
chown "$U" "$T"
setpriv --reuid="$U" --regid="$U" --clear-groups test -x "$SUPERD" ||
	skip "$U cannot run $SUPERD (a directory above it is closed)"

conf() {
	{ conf_globals; cat <<CONF
service echo { type = builtin  address = "127.0.0.1"  port = $((P+1))  server = echo }
CONF
	[ "${1:-}" ] && printf '%s\n' "$1"
	} > "$T/superd.conf"
}
conf
# superd is the user's only process, and may have no other (not even a
# thread): RLIMIT_NPROC counts every task of the user.
setpriv --reuid="$U" --regid="$U" --clear-groups \
    prlimit --nproc=1: "$SUPERD" -f -c "$T/superd.conf" 2>>"$T/log" &
SPID=$!
wait_log "started" 50 || fail "superd did not start as $U with RLIMIT_NPROC 1"
[ "$($SDCLIENT -s one 127.0.0.1 $((P+1)))" = one ] || fail "echo before reload"
ok "superd runs as $U with RLIMIT_NPROC 1"

conf "service tb { type = builtin  address = \"127.0.0.1\"  port = $((P+2))  server = echo  threads = 2 }"
"$CTL" -S "$T/control.sock" -t 5 reload > "$T/rl" 2>&1
rc=$?
sleep 0.5
kill -0 "$SPID" 2>/dev/null || fail "reload adding a threads = 2 service" \
    "when no thread can be created: expected superd to keep running" \
    "with the old configuration, saw it exit (superdctl reload exit $rc:" \
    "$(cat "$T/rl"))"
[ "$rc" != 0 ] || fail "reload that could not create threads: expected" \
    "superdctl reload to report a failure, saw exit 0: $(cat "$T/rl")"
grep -qi "thread" "$T/rl" || fail "superdctl reload: expected the error" \
    "to name the thread failure, saw: $(cat "$T/rl")"
grep -i "thread" "$T/log" | grep -qv "log writer" ||
	fail "after the failed reload: expected an error about the threads" \
	    "in the log, saw none"
[ "$($SDCLIENT -s two 127.0.0.1 $((P+1)))" = two ] ||
	fail "after the failed reload: expected echo (old config) to answer"
ok "failed reload: superd runs on, says why ($(head -1 "$T/rl"))"

# With the limit lifted the same reload goes through.
setpriv --reuid="$U" --regid="$U" --clear-groups \
    prlimit --pid "$SPID" --nproc=64: || fail "prlimit"
"$CTL" -S "$T/control.sock" -t 5 reload > "$T/rl" 2>&1 ||
	fail "reload with the limit lifted: $(cat "$T/rl")"
[ "$($SDCLIENT -s three 127.0.0.1 $((P+2)))" = three ] ||
	fail "threads = 2 service after a good reload"
ok "with the limit lifted the reload goes through"
kill -0 "$SPID" || fail "superd died"
