# lib.sh: shared helpers for the integration tests (sourced).
# The harness exports SUPERD, top_srcdir and top_builddir.
# Exit codes: 0 pass, 77 skip, 1 fail.
set -u
: "${SUPERD:?run through make check}"
: "${top_builddir:?run through make check}"
SDCLIENT=$top_builddir/tests/integration/sdclient
T=$(mktemp -d /tmp/superd-test.XXXXXX)
SPID=
SLOT=

# Each running test holds its own block of 100 ports, below Linux's
# ephemeral range (32768+) so no client socket can be sitting on them.
# A slot is claimed with an atomic mkdir, so parallel tests (make -j, or
# two suites at once) never share one.
# ports_busy FIRST: is any TCP or UDP port FIRST..FIRST+99 bound now?
ports_busy() {
	command -v ss >/dev/null 2>&1 || return 1
	ss -Hltnu 2>/dev/null | awk -v lo="$1" -v hi=$(($1 + 99)) '
	    { n = split($5, a, ":"); p = a[n] + 0
	      if (p >= lo && p <= hi) busy = 1 }
	    END { exit !busy }'
}
claim_ports() {
	_first=$(( $(printf '%s' "$(basename "$0")" | cksum | cut -d' ' -f1) % 120 ))
	mkdir -p /tmp/superd-test-ports
	for _i in $(seq 0 119); do
		_slot=$(( (_first + _i) % 120 ))
		_lock=/tmp/superd-test-ports/$_slot
		if mkdir "$_lock" 2>/dev/null; then
			echo $$ > "$_lock/pid"
			# A program that is not a test (a bench, a daemon
			# someone started by hand) may sit in the block.
			if ports_busy $((20000 + _slot * 100)); then
				rm -rf "$_lock"
				continue
			fi
			SLOT=$_lock
			BASE=$((20000 + _slot * 100))
			return 0
		fi
		# A lock whose test died long ago is taken over.
		_pid=$(cat "$_lock/pid" 2>/dev/null)
		if [ -n "$_pid" ] && ! kill -0 "$_pid" 2>/dev/null; then
			rm -rf "$_lock"
		fi
	done
	echo "FAIL: no free port block" >&2
	exit 1
}
claim_ports

stop_superd() {
	[ -n "$SPID" ] || return 0
	kill -TERM "$SPID" 2>/dev/null
	for _ in $(seq 50); do kill -0 "$SPID" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$SPID" 2>/dev/null
	wait "$SPID" 2>/dev/null
	SPID=
}
cleanup() { stop_superd; rm -rf "$T"; [ -n "$SLOT" ] && rm -rf "$SLOT"; }
trap cleanup EXIT

fail() {
	echo "FAIL: $*" >&2
	if grep -q "Sanitizer" "$T/log" 2>/dev/null; then
		echo "--- sanitizer report" >&2
		grep -A30 "ERROR: .*Sanitizer\|runtime error" "$T/log" | head -60 >&2
	elif [ -f "$T/log" ]; then
		echo "--- superd log (tail)" >&2; tail -30 "$T/log" >&2
	fi
	exit 1
}
skip() { echo "SKIP: $*"; exit 77; }
ok() { echo "ok - $*"; }

# Globals every test config starts with: sockets inside $T.
conf_globals() {
	cat <<CONF
log-level = ${LOGLEVEL:-info}
control-socket = "$T/control.sock"
directory-socket = "$T/directory.sock"
include-dir = "$T/superd.d"
CONF
}

# start_superd: run superd -f on $T/superd.conf; wait until it serves
# (the "started" line is logged at notice: keep LOGLEVEL at notice or more).
start_superd() {
	# A test that restarts superd has an earlier "started" in the log:
	# wait for this one's.
	_started=$(count_log " started with ")
	"$SUPERD" -f -c "$T/superd.conf" 2>>"$T/log" &
	SPID=$!
	wait_count " started with " $((_started + 1)) 100 ||
		fail "superd did not start"
	if grep -q "Address already in use" "$T/log"; then
		fail "a test port is taken by another program"
	fi
}

# wait_log PATTERN [tenths]: wait until the log has a line matching.
wait_log() {
	for _ in $(seq "${2:-50}"); do
		grep -q -- "$1" "$T/log" 2>/dev/null && return 0
		kill -0 "$SPID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# count_log PATTERN: how many log lines match.
count_log() { grep -c -- "$1" "$T/log" 2>/dev/null || true; }

# wait_count PATTERN MIN [tenths]: until the log has at least MIN lines
# matching (the log has its own writer thread: a line may lag the event).
wait_count() {
	for _ in $(seq "${3:-50}"); do
		[ "$(count_log "$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

# zombies of superd right now.
zombies() { ps --ppid "$SPID" -o stat= 2>/dev/null | grep -c '^Z' || true; }

[ -x "$SDCLIENT" ] || fail "sdclient not built ($SDCLIENT)"
