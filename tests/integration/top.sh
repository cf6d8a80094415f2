#!/bin/sh
# superdctl top in a terminal (tmux): it shows every service with its
# columns, redraws, changes the sort on "s" and quits on "q"; with
# stdout not a terminal it prints one plain table.
. "${top_srcdir}/tests/integration/lib.sh"
P=$BASE
CTL="$top_builddir/superdctl"
command -v tmux >/dev/null || skip "tmux (Debian package tmux) not installed"
{ conf_globals; cat <<CONF
service alpha { type = builtin  address = "127.0.0.1"  port = $((P+1))  server = echo }
service beta { address = "127.0.0.1"  port = $((P+2))  server = "/bin/true" }
CONF
} > "$T/superd.conf"
start_superd
for _ in 1 2 3; do $SDCLIENT -s hi 127.0.0.1 $((P+2)) >/dev/null; done

# ---- not a terminal: one plain table, no escape sequences.
"$CTL" -S "$T/control.sock" top > "$T/plain" || fail "top into a file"
grep -q '^SERVICE  *PROTO  *RATE/S  *RUNNING  *REFUSED  *REF/S  *P50  *P99$' "$T/plain" ||
	fail "top header: $(cat "$T/plain")"
grep -q '^alpha  *tcp ' "$T/plain" && grep -q '^beta  *tcp ' "$T/plain" ||
	fail "top rows: $(cat "$T/plain")"
grep -q "$(printf '\033')" "$T/plain" && fail "escape sequences in plain output"
"$CTL" -S "$T/control.sock" top sort=bogus 2>"$T/err" && fail "sort=bogus accepted"
grep -q "sort is one of" "$T/err" || fail "sort=bogus message: $(cat "$T/err")"
ok "plain table when stdout is not a terminal"

# ---- in a terminal.
S=superd-top-$$
TMUX_TMPDIR=$T; export TMUX_TMPDIR
tmux new-session -d -s "$S" -x 100 -y 20 \
	"'$CTL' -S '$T/control.sock' top delay=1; echo top-exited-\$?; sleep 30" ||
	skip "tmux cannot start a session here"
trap 'tmux kill-server 2>/dev/null; cleanup' EXIT
screen() { tmux capture-pane -p -t "$S"; }
# wait_screen PATTERN: until the pane shows it (5 s).
wait_screen() {
	for _ in $(seq 50); do screen | grep -q -- "$1" && return 0; sleep 0.1; done
	return 1
}
wait_screen '^beta ' || fail "top shows no services: $(screen)"
screen | grep -q 'sorted by rate (q quits, s sorts)' || fail "top title: $(screen)"
screen | grep -q '^alpha ' || fail "alpha missing: $(screen)"
tmux send-keys -t "$S" s
wait_screen 'sorted by running' || fail "s did not change the sort: $(screen)"
ok "top shows the services in a terminal and s changes the sort"
tmux send-keys -t "$S" q
wait_screen 'top-exited-0' || fail "q did not quit top: $(screen)"
ok "q quits"
