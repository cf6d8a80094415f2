#!/bin/sh
# In-place upgrade under a bounded load: connections every few ms to a
# builtin (echo, on the loop and on worker threads, which execve ends, so
# superd brings their connections back to its loop first) and an exec service
# (/bin/cat) while superd re-executes
# itself 10 times (superdctl upgrade, and SIGUSR2).  Nothing is refused or
# reset; the handlers running before keep running, superdctl sessions
# shows them before and after, and the upgraded superd reaps them.  A new
# binary that fails -t on a broken config, or does not read the handover
# format, is refused and superd keeps running; so is one whose check
# hangs, after the check's bound, while superd serves meanwhile.
. "${top_srcdir}/tests/integration/lib.sh"
P=$BASE
LOGLEVEL=info
CTL="$top_builddir/superdctl"
[ -x "$CTL" ] || fail "superdctl not built ($CTL)"
ctl() { "$CTL" -S "$T/control.sock" -t 10 "$@"; }
BG=
trap 'kill $BG 2>/dev/null; cleanup' EXIT
N=${UPGRADES:-10}

conf() {
	{ conf_globals; cat <<CONF
service echo { type = builtin  address = "127.0.0.1"  port = $((P+1))  server = echo }
service cat { address = "127.0.0.1"  port = $((P+2))  server = "/bin/cat" }
service techo { type = builtin  threads = 2  address = "127.0.0.1"  port = $((P+4))  server = echo }
service intr { address = "127.0.0.1"  port = $((P+5))  server = "/bin/sleep"  args = {"30"}  urgent = interrupt }
service slowudp { protocol = udp  wait = no  address = "127.0.0.1"  port = $((P+6))
  server = "/bin/sh"  args = {"-c", "sleep 2; timeout 1 cat > /dev/null"} }
service hold { address = "127.0.0.1"  port = $((P+3))  server = "/bin/cat"  timeout = 120 }
CONF
	} > "$T/superd.conf"
}
conf
start_superd

# A TTL lease in the directory, with a tag, kept as state.
LOOKUP=$top_builddir/superd-lookup
SUPERD_DIRECTORY=$T/directory.sock; export SUPERD_DIRECTORY
lease=$("$LOOKUP" --register app1 tcp $((P+9)) --ttl 600 \
    --tag "note=a/c%d=e") || fail "register a lease"

# Two long handlers, running across every upgrade.
for i in 1 2; do
	$SDCLIENT -k -t 60000 -s "h$i" 127.0.0.1 $((P+3)) > "$T/h$i" 2>&1 &
	BG="$BG $!"
done
for _ in $(seq 50); do
	[ "$(ctl sessions hold | grep -c '^S')" = 2 ] && break; sleep 0.1
done
ctl sessions hold | awk 'NR > 1 { print $1, $4 }' | sort > "$T/before"
[ "$(wc -l < "$T/before")" = 2 ] || fail "hold: two handlers expected"
hpids=$(awk '{ print $2 }' "$T/before")

# The load: one connection every 5 ms to each, each answer checked, in
# batches of 50 until the upgrades are done (at most LOAD_BATCHES).
load() {
	_b=0
	while [ ! -e "$T/stop" ] && [ $_b -lt "${LOAD_BATCHES:-60}" ]; do
		$SDCLIENT -n 50 -i 5 -t 5000 -s ping -x ping 127.0.0.1 "$1" \
		    >> "$2" 2>&1 || echo "batch failed" >> "$2"
		_b=$((_b + 1))
	done
}
load $((P+1)) "$T/load.echo" &
l1=$!
load $((P+2)) "$T/load.cat" &
l2=$!
load $((P+4)) "$T/load.techo" &
l3=$!
BG="$BG $l1 $l2 $l3"
ino_ctl=$(stat -c %i "$T/control.sock")
ino_dir=$(stat -c %i "$T/directory.sock")
sleep 0.2
for i in $(seq "$N"); do
	if [ $((i % 2)) = 0 ]; then
		kill -USR2 "$SPID"
		wait_log "upgraded in place" 1 >/dev/null
		for _ in $(seq 50); do
			[ "$(count_log "upgraded in place")" -ge "$i" ] && break
			sleep 0.1
		done
	else
		ctl upgrade > "$T/up" 2>&1 || fail "upgrade $i: $(cat "$T/up")"
		grep -q "^pid  *$SPID$" "$T/up" ||
			fail "upgrade $i: the answer is not from pid $SPID: $(cat "$T/up")"
	fi
	# The new image's notice goes out within the writer's batch time.
	wait_count "upgraded in place" "$i" ||
		fail "upgrade $i did not happen"
	kill -0 "$SPID" || fail "superd is gone after upgrade $i"
	sleep 0.15
done
touch "$T/stop"
wait "$l1" "$l2" "$l3"
for f in echo cat techo; do
	bad=$(grep -cv "^ok=50 refused=0 timeout=0 other=0 mismatch=0$" \
	    "$T/load.$f")
	[ "$bad" = 0 ] || fail "$f under upgrades: $(grep -v "^ok=50 " \
	    "$T/load.$f" | head -5)"
done
n1=$(wc -l < "$T/load.echo"); n2=$(wc -l < "$T/load.cat")
n3=$(wc -l < "$T/load.techo")
ok "$N upgrades under load: $((n1 * 50)) echo, $((n2 * 50)) cat and" \
    "$((n3 * 50)) threaded echo" \
    "connections, 0 refused, 0 reset, 0 timed out, every answer right"

ctl sessions hold | awk 'NR > 1 { print $1, $4 }' | sort > "$T/after"
cmp -s "$T/before" "$T/after" || fail "hold sessions before:
$(cat "$T/before")
after:
$(cat "$T/after")"
for p in $hpids; do
	kill -0 "$p" || fail "handler $p did not survive the upgrades"
	[ "$(ps -o ppid= -p "$p" | tr -d ' ')" = "$SPID" ] ||
		fail "handler $p is no longer superd's child"
done
ok "the running handlers keep running, still superd's children"
[ "$(stat -c %i "$T/control.sock")" = "$ino_ctl" ] &&
[ "$(stat -c %i "$T/directory.sock")" = "$ino_dir" ] ||
	fail "the control or directory socket was bound anew (a gap)"
ok "the control and directory sockets stay the same sockets"
[ "$("$LOOKUP" app1)" = "127.0.0.1:$((P+9))/tcp" ] ||
	fail "the lease did not survive the upgrades"
"$LOOKUP" --json app1 | grep -q '"note":"a/c%d=e"' ||
	fail "the lease's tag: $("$LOOKUP" --json app1)"
"$LOOKUP" --unregister "$lease" || fail "unregister $lease after upgrades"
ok "a directory lease keeps its id, address and tags across the upgrades"
# The newest lease is gone: after an upgrade its id is not given again
# (a client still holding it must not renew or drop someone else's).
ups=$(count_log "upgraded in place")
ctl upgrade > "$T/up" 2>&1 || fail "upgrade after unregister: $(cat "$T/up")"
wait_count "upgraded in place" $((ups + 1)) || fail "that upgrade did not happen"
lease2=$("$LOOKUP" --register app2 tcp $((P+9)) --ttl 60) ||
	fail "register after the upgrade"
[ "$lease2" != "$lease" ] ||
	fail "lease id $lease given again after an upgrade"
"$LOOKUP" --unregister "$lease2" || fail "unregister $lease2"
ok "a lease id is not given again after an upgrade ($lease, then $lease2)"
sid=$(awk 'NR == 1 { print $1 }' "$T/after")
ctl interrupt "$sid" || fail "interrupt $sid"
wait_log "session $sid .*killed by signal 15" 30 ||
	fail "the upgraded superd did not reap $sid"
[ "$(zombies)" = 0 ] || fail "zombies after the upgrades"
ok "the upgraded superd reaps a handler started before the upgrades"

# A threaded builtin connection in flight: execve would end its worker
# thread, so the connection comes back to the main loop, is handed over
# and ends in the new binary, its answer whole.
$SDCLIENT -w 700 -t 5000 -s slow -x slow 127.0.0.1 $((P+4)) > "$T/slow" 2>&1 &
slow=$!
BG="$BG $slow"
for _ in $(seq 50); do
	sid=$(ctl sessions techo 2>/dev/null | awk 'NR == 2 { print $1 }')
	[ -n "$sid" ] && break; sleep 0.05
done
[ -n "$sid" ] || fail "no threaded echo session"
ctl upgrade > "$T/up" 2>&1 || fail "upgrade with a thread busy: $(cat "$T/up")"
wait "$slow" || fail "the threaded connection: $(cat "$T/slow")"
wait_log "session $sid .*closed after" 100 >/dev/null ||
	fail "the end of the threaded connection $sid is not logged"
# Either it was handed over and ended in the new binary, or (when the
# check of the new binary took longer than the connection) it ended by
# itself first; never cut.
awk -v s="session $sid " '
	index($0, s) && / from / { exec = 0 }	# upgrades before it do not count
	/upgrade: executing/ { exec = 1 }
	index($0, s) && /handed over/ { if (exec) moved = 1 }
	index($0, s) && /closed after/ { if (!exec || moved) done = 1 }
	END { exit !(done) }' "$T/log" ||
	fail "the threaded connection $sid was cut by the upgrade"
ok "a threaded builtin connection goes on across the upgrade"

# urgent = interrupt: the watch on the connection is handed over too, so
# urgent data sent after an upgrade still interrupts the handler.
$SDCLIENT -O 2500 -t 8000 -s x 127.0.0.1 $((P+5)) > "$T/urg" 2>&1 &
urg=$!
BG="$BG $urg"
for _ in $(seq 50); do
	usid=$(ctl sessions intr 2>/dev/null | awk 'NR == 2 { print $1 }')
	[ -n "$usid" ] && break; sleep 0.05
done
[ -n "$usid" ] || fail "no intr session"
ctl upgrade > "$T/up" 2>&1 || fail "upgrade: $(cat "$T/up")"
wait_log "session $usid .*interrupt with signal [0-9]* requested by urgent data" 80 ||
	fail "urgent data after the upgrade did not interrupt $usid"
wait_log "session $usid .*killed by signal" 30 ||
	fail "$usid did not end after the interrupt"
ok "urgent data after an upgrade still interrupts the handler"

# A datagram handed to a nowait UDP handler that has not read it yet: the
# new binary goes on waiting for it to be read, and starts no second
# handler for the same datagram.
$SDCLIENT -u -t 300 -s dgram 127.0.0.1 $((P+6)) >/dev/null 2>&1
wait_log "service slowudp: session S[0-9]* from" 30 || fail "no slowudp handler"
ctl upgrade > "$T/up" 2>&1 || fail "upgrade: $(cat "$T/up")"
wait_log "service slowudp: session S[0-9]* .*exited with status" 200 ||
	fail "the slowudp handler did not end"
[ "$(count_log "service slowudp: session S[0-9]* from")" = 1 ] ||
	fail "a second handler started for the datagram handed over"
ok "a datagram handed to a UDP handler is not handed again after an upgrade"

# A service renamed in the config the upgrade reads takes the socket of
# its fixed address over (as a reload does), instead of failing to bind
# it and retrying 10 s later.
sed -i 's/^service cat {/service cat2 {/' "$T/superd.conf"
ctl upgrade > "$T/up" 2>&1 || fail "upgrade with a renamed service: $(cat "$T/up")"
r=$($SDCLIENT -t 3000 -s renamed 127.0.0.1 $((P+2)))
[ "$r" = renamed ] || fail "the renamed service does not answer: '$r'"
grep -q "service cat2: .*retrying" "$T/log" && fail "cat2 waited for a retry"
sed -i 's/^service cat2 {/service cat {/' "$T/superd.conf"
ok "a service renamed across an upgrade takes its socket over"

# Refusals: a broken config, and a binary without the handover format.
cp "$T/superd.conf" "$T/good.conf"
echo "service broken { port = }" >> "$T/superd.conf"
ctl upgrade > "$T/up" 2>&1 && fail "upgrade with a broken config succeeded"
grep -q "upgrade refused: .* -t -c $T/superd.conf failed" "$T/up" ||
	fail "broken config: $(cat "$T/up")"
grep -q "superd.conf:[0-9]" "$T/up" || fail "no file:line in: $(cat "$T/up")"
cp "$T/good.conf" "$T/superd.conf"
ctl upgrade /bin/true > "$T/up" 2>&1 && fail "upgrade to /bin/true succeeded"
v=$("$SUPERD" --handover-version | awk '{ print $NF }')
grep -q "does not read handover format $v " "$T/up" ||
	fail "/bin/true: $(cat "$T/up")"
r=$($SDCLIENT -t 3000 -s still 127.0.0.1 $((P+1)))
[ "$r" = still ] || fail "superd does not serve after the refusals: '$r'"
[ "$(count_log "upgraded in place")" = $((N + 5)) ] ||
	fail "a refused upgrade executed"
ok "a broken config or an unfit binary is refused; superd keeps running"
kill -0 "$SPID" || fail "superd died"

# A new binary whose check hangs: the checks run as child processes, so
# superd serves while it hangs (the requests made meanwhile are counted,
# not timed), refuses a second upgrade, and after the bound kills the
# check (with what it started) and refuses the upgrade.
cat > "$T/hang" <<EOF
#!/bin/sh
echo \$\$ > "$T/hang.pid"
exec sleep 60
EOF
chmod +x "$T/hang"
"$CTL" -S "$T/control.sock" -t 30 upgrade "$T/hang" > "$T/up.hang" 2>&1 &
uh=$!
BG="$BG $uh"
for _ in $(seq 50); do [ -s "$T/hang.pid" ] && break; sleep 0.1; done
[ -s "$T/hang.pid" ] || fail "the check of $T/hang did not start"
tried=0 served=0
while [ $tried -lt 10 ] && kill -0 "$uh" 2>/dev/null; do
	tried=$((tried + 1))
	r=$($SDCLIENT -t 3000 -s "c$tried" 127.0.0.1 $((P+1)) 2>/dev/null)
	[ "$r" = "c$tried" ] && served=$((served + 1))
done
[ $tried -ge 1 ] && [ $served = $tried ] ||
	fail "while the check hangs: $served of $tried requests served"
second="a second upgrade refused,"
if kill -0 "$uh" 2>/dev/null; then
	ctl upgrade > "$T/up2" 2>&1 &&
		fail "a second upgrade while checking went on"
	grep -q "upgrade refused: an upgrade to $T/hang is under way" \
	    "$T/up2" || fail "a second upgrade while checking: $(cat "$T/up2")"
else
	second="(the check ended before a second upgrade could be tried)"
fi
wait "$uh" && fail "the upgrade to a hanging binary went on: $(cat "$T/up.hang")"
grep -q "upgrade refused: $T/hang -t: no answer within [0-9]* ms; killed" \
    "$T/up.hang" || fail "hanging check: $(cat "$T/up.hang")"
hp=$(cat "$T/hang.pid")
for _ in $(seq 50); do kill -0 "$hp" 2>/dev/null || break; sleep 0.1; done
kill -0 "$hp" 2>/dev/null && fail "the hanging check ($hp) was not killed"
r=$($SDCLIENT -t 3000 -s after 127.0.0.1 $((P+1)))
[ "$r" = after ] || fail "superd does not serve after the hanging check: '$r'"
[ "$(count_log "upgraded in place")" = $((N + 5)) ] ||
	fail "the refused upgrade executed"
ok "a hanging check: $served of $tried requests served meanwhile, $second" \
    "the check killed after its bound, the upgrade refused"
kill -0 "$SPID" || fail "superd died"
