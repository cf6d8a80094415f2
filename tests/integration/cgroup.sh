#!/bin/sh
# cgroup.sh: handlers in cgroup v2 (cgroup-root, cgroup-per-request).
#  1. a handler that double-forks a setsid'ed grandchild ignoring SIGTERM
#     is ended by timeout as a whole tree (cgroup.kill): nothing is left;
#  2. a request whose handler exits ends only when the last process of
#     its cgroup (a setsid'ed grandchild) has exited (populated=0);
#  3. the exit line and superdctl services carry the cgroup's CPU time;
#  4. a request's own cgroup survives an in-place upgrade and a kill -9
#     of superd: the superd after it interrupts the handler and the child
#     it left in a session of its own together, logs the cgroup's usage
#     and removes the cgroup; also when the handler exited while no
#     superd ran (the request goes on while its child does);
#  5. memory-max and pids-max: a config error at load where cgroup v2
#     has no memory or pids controller (superd -t), else enforced.
# Needs root and a cgroup2 mount with cgroup.kill (Linux 5.14).
. "${top_srcdir}/tests/integration/lib.sh"
P=$BASE
CTL="$top_builddir/superdctl"
[ "$(id -u)" -eq 0 ] || skip "needs root (cgroups)"
MNT=$(awk '$0 ~ / - cgroup2 / { print $5; exit }' /proc/self/mountinfo)
[ -n "$MNT" ] || skip "no cgroup2 file system mounted"
CG=/superd-test-$$
mkdir "$MNT$CG" || skip "cannot make a cgroup under $MNT"
[ -e "$MNT$CG/cgroup.kill" ] || { rmdir "$MNT$CG"; skip "this kernel's cgroup v2 has no cgroup.kill (Linux 5.14)"; }
rmtree() {	# remove a cgroup tree (children first)
	[ -d "$MNT$CG" ] || return 0
	find "$MNT$CG" -depth -type d -exec rmdir {} \; 2>/dev/null
}
trap 'cleanup; pkill -KILL -f "$T/sleep-" 2>/dev/null; rmtree' EXIT

cp /bin/sleep "$T/sleep-tree"
cp /bin/sleep "$T/sleep-fork"
cp /bin/sleep "$T/sleep-late"
# The handler of 1: leaves a grandchild in a session of its own, with
# SIGTERM ignored (inherited through exec), then sleeps itself.
cat > "$T/tree.sh" <<SH
#!/bin/sh
trap '' TERM
( setsid "$T/sleep-tree" 1000 </dev/null >/dev/null 2>&1 & )
exec "$T/sleep-tree" 1000
SH
# The handler of 2: its grandchild waits for $T/go, the handler exits.
cat > "$T/late.sh" <<SH
#!/bin/sh
( setsid sh -c 'touch "$T/started"; while [ ! -e "$T/go" ]; do "$T/sleep-late" 0.1; done' </dev/null >/dev/null 2>&1 & )
echo bye
SH
# The handler of 4: a child in a session of its own, then itself.
cat > "$T/fork.sh" <<SH
#!/bin/sh
setsid "$T/sleep-fork" 1000 </dev/null >/dev/null 2>&1 &
exec "$T/sleep-fork" 1000
SH
chmod +x "$T/tree.sh" "$T/late.sh" "$T/fork.sh"
{ conf_globals; cat <<CONF
cgroup-root = "$CG"
service tree {
	address = "127.0.0.1"  port = $((P+1))  server = "$T/tree.sh"
	cgroup-per-request = yes  timeout = 1  kill-grace = 1
}
service late {
	address = "127.0.0.1"  port = $((P+2))  server = "$T/late.sh"
	cgroup-per-request = yes
}
CONF
} > "$T/superd.conf"
"$SUPERD" -t -c "$T/superd.conf" >"$T/t.out" 2>&1 ||
    fail "superd -t: $(cat "$T/t.out")"
start_superd
"$CTL" -S "$T/control.sock" status | grep -q "cgroups.*per-service" ||
    fail "superdctl status does not say cgroups are on: $("$CTL" -S "$T/control.sock" status)"

# 1. timeout kills the whole tree.
$SDCLIENT -t 8000 127.0.0.1 $((P+1)) >/dev/null 2>&1 &
CPID=$!
for _ in $(seq 50); do
	[ "$(pgrep -c -f "$T/sleep-tree")" -ge 2 ] && break; sleep 0.1
done
[ "$(pgrep -c -f "$T/sleep-tree")" -ge 2 ] || fail "the tree handler did not start"
wait_log "service tree: session .*killed by signal 9" 80 ||
    fail "the timed-out session did not end"
wait $CPID
[ "$(pgrep -c -f "$T/sleep-tree")" -eq 0 ] ||
    fail "a setsid'ed grandchild escaped the timeout: $(pgrep -a -f "$T/sleep-tree")"
grep -q "SIGKILL to its whole cgroup" "$T/log" || fail "no cgroup.kill logged"
ok "timeout killed the double-forked, setsid'ed tree (cgroup.kill)"

# 2. the request lasts as long as its last process.
$SDCLIENT -t 8000 127.0.0.1 $((P+2)) >/dev/null 2>&1 &
CPID=$!
for _ in $(seq 50); do [ -e "$T/started" ] && break; sleep 0.1; done
[ -e "$T/started" ] || fail "the late grandchild did not start"
for _ in $(seq 50); do
	"$CTL" -S "$T/control.sock" sessions | grep -q " late " || break
	pgrep -f "$T/late.sh" >/dev/null || break
	sleep 0.1
done
pgrep -f "$T/late.sh" >/dev/null && fail "the late handler itself did not exit"
[ "$(count_log 'service late: session .* exited with status')" -eq 0 ] ||
    fail "the request ended while its grandchild still ran"
"$CTL" -S "$T/control.sock" sessions | grep -q " late " ||
    fail "superdctl sessions lost the request while its grandchild runs"
touch "$T/go"
wait_log "service late: session .* exited with status 0 .*(cpu " 80 ||
    fail "the request did not end with its last process (or no cpu in the exit line)"
wait $CPID
ok "a request ends when its cgroup is empty, with its CPU time"

# 3. accounting in superdctl services.
"$CTL" -S "$T/control.sock" -j services > "$T/svc.json"
grep -q '"cpu_usec"' "$T/svc.json" || fail "no cpu_usec in services JSON: $(cat "$T/svc.json")"
"$CTL" -S "$T/control.sock" services | head -1 | grep -q "CPU" ||
    fail "no CPU column in superdctl services"
ok "superdctl services shows cgroup accounting"
stop_superd

# 4. a request's cgroup across an upgrade, then across a crash.
{ conf_globals; cat <<CONF
cgroup-root = "$CG"
service fork {
	address = "127.0.0.1"  port = $((P+4))  server = "$T/fork.sh"
	cgroup-per-request = yes
}
CONF
} > "$T/superd.conf"
ctl() { "$CTL" -S "$T/control.sock" -t 5 "$@"; }
# fork_request: one request of fork; its cgroup directory in $REQ.
fork_request() {
	$SDCLIENT -k -t 30000 127.0.0.1 $((P+4)) >"$T/fork.out" 2>&1 &
	# Up to 20 s: under ASan on a loaded machine a spawn can be slow.
	for _ in $(seq 200); do
		[ "$(pgrep -c -f "$T/sleep-fork")" -ge 2 ] && break; sleep 0.1
	done
	[ "$(pgrep -c -f "$T/sleep-fork")" -eq 2 ] ||
	    fail "fork: expected the handler and its child, saw" \
	    "'$(pgrep -a -f "$T/sleep-fork")'; client: '$(cat "$T/fork.out")';" \
	    "sessions: $(ctl sessions 2>&1)"
	REQ=$(ls -d "$MNT$CG"/fork.tcp/req-* 2>/dev/null)
	[ -n "$REQ" ] && [ "$(wc -l <"$REQ/cgroup.procs")" -eq 2 ] ||
	    fail "fork: no request cgroup with both processes (${REQ:-none})"
}
# fork_interrupt: interrupt the request; both processes end, its exit
# line has the cgroup's usage and its cgroup is removed.
fork_interrupt() {
	sid=$(ctl sessions fork | awk 'NR == 2 { print $1 }')
	[ -n "$sid" ] || fail "fork: no session after $1"
	ctl interrupt "$sid" >/dev/null || fail "interrupt $sid after $1"
	wait_log "service fork: session $sid .*(cpu " 80 ||
	    fail "fork: no exit line with the cgroup's usage after $1"
	for _ in $(seq 50); do
		[ "$(pgrep -c -f "$T/sleep-fork")" -eq 0 ] && break; sleep 0.1
	done
	[ "$(pgrep -c -f "$T/sleep-fork")" -eq 0 ] ||
	    fail "after $1 the interrupt left $(pgrep -a -f "$T/sleep-fork")"
	[ -d "$REQ" ] && fail "after $1 the request's cgroup $REQ is left"
	ok "after $1 an interrupt ended the handler and its child, the exit line has the usage, the cgroup is removed"
}
start_superd
fork_request
ctl upgrade >"$T/up" 2>&1 || fail "upgrade: $(cat "$T/up")"
wait_log "upgraded in place" 50 || fail "no upgrade logged"
fork_interrupt "an upgrade"
fork_request
# The state file records the request's cgroup (within 100 ms).
for _ in $(seq 30); do
	grep -q "^cgroup id=.* path=$REQ\$" "$T/superd.state" && break
	sleep 0.1
done
kill -KILL "$SPID"; wait "$SPID" 2>/dev/null; SPID=
start_superd
wait_log "re-adopting" 30 || fail "nothing re-adopted after kill -9"
fork_interrupt "a crash (kill -9)"
# The handler exits while no superd runs; its child stays in the cgroup.
fork_request
hpid=$(ctl sessions fork | awk 'NR == 2 { print $4 }')
kill -0 "$hpid" 2>/dev/null || fail "fork: no handler pid in superdctl sessions"
for _ in $(seq 30); do
	grep -q "^cgroup id=.* path=$REQ\$" "$T/superd.state" && break
	sleep 0.1
done
kill -KILL "$SPID"; wait "$SPID" 2>/dev/null; SPID=
kill "$hpid"
for _ in $(seq 50); do kill -0 "$hpid" 2>/dev/null || break; sleep 0.1; done
[ "$(pgrep -c -f "$T/sleep-fork")" -eq 1 ] || fail "fork: expected the child alone"
start_superd
fork_interrupt "a crash, its handler gone meanwhile"
stop_superd

# 5. memory-max and pids-max.
# enforce KEY: where the v2 controller exists, a handler that goes past
# the limit is stopped and its exit line says which limit acted.
enforce() {
	case $1 in
	memory-*) cmd='b = bytearray(256 << 20); print("allocated")'
		  why="killed by memory-max" ;;
	pids-*) cmd='import os, time
for i in range(40):
    try:
        if os.fork() == 0:
            time.sleep(2); os._exit(0)
    except OSError:
        print("fork refused"); break'
		why="pids-max refused [0-9]* forks" ;;
	esac
	{ conf_globals; cat <<CONF
cgroup-root = "$CG"
service lim {
	address = "127.0.0.1"  port = $((P+3))  server = "$(command -v python3)"
	args = { "-c", '$cmd' }
	$1
	cgroup-per-request = yes
}
CONF
	} > "$T/superd.conf"
	start_superd
	$SDCLIENT -t 10000 127.0.0.1 $((P+3)) >/dev/null 2>&1
	wait_log "service lim: session .*$why" 100 ||
	    fail "$1: no exit line saying '$why': $(grep 'service lim' "$T/log" | tail -3)"
	stop_superd
	ok "$1: the handler was stopped at the limit and the exit line says so"
}
for key in "memory-max = 64M" "pids-max = 16"; do
	ctl=${key%%-*}
	{ conf_globals; cat <<CONF
cgroup-root = "$CG"
service lim {
	address = "127.0.0.1"  port = $((P+3))  server = "/bin/cat"
	$key
}
CONF
	} > "$T/lim.conf"
	if grep -qw "$ctl" "$MNT/cgroup.controllers"; then
		"$SUPERD" -t -c "$T/lim.conf" >"$T/t.out" 2>&1 ||
		    fail "$key refused where v2 has $ctl: $(cat "$T/t.out")"
		enforce "$key"
		continue
	fi
	"$SUPERD" -t -c "$T/lim.conf" >"$T/t.out" 2>&1 &&
	    fail "$key accepted without a v2 $ctl controller"
	grep -q "lim.conf:[0-9]*: .*${key%% *} needs the cgroup v2 $ctl controller" "$T/t.out" ||
	    fail "$key: wrong error: $(cat "$T/t.out")"
	ok "$key is a config error with file:line here (no v2 $ctl controller)"
done
