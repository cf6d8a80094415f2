#!/bin/sh
# What a handler starts with: only fds 0-2, no blocked or ignored
# signals, a sanitized environment (env-inherit = yes passes superd's),
# and the rlimit-* keys applied.
. "${top_srcdir}/tests/integration/lib.sh"
P=$BASE
{ conf_globals; cat <<CONF
service fds { address = "127.0.0.1"  port = $((P+1))  server = "/bin/ls"  args = {"/proc/self/fd"} }
service sigs { address = "127.0.0.1"  port = $((P+2))  server = "/bin/grep"  args = {"-E", "^Sig(Blk|Ign):", "/proc/self/status"} }
service clean { address = "127.0.0.1"  port = $((P+3))  server = "/usr/bin/env" }
service inherit { address = "127.0.0.1"  port = $((P+4))  server = "/usr/bin/env"  env-inherit = yes  env = {"EXTRA=1"} }
service limits { address = "127.0.0.1"  port = $((P+5))  server = "/bin/cat"  args = {"/proc/self/limits"}
  rlimit-cpu = 7  rlimit-as = 512M  rlimit-nproc = 33  rlimit-fsize = 1M  rlimit-core = 0  rlimit-nofile = 40 }
CONF
} > "$T/superd.conf"
SUPERD_TEST_SECRET=leak; export SUPERD_TEST_SECRET
start_superd

# ls opens the directory it lists as fd 3: 0 1 2 3 is "only 0, 1, 2".
[ "$($SDCLIENT 127.0.0.1 $((P+1)) | tr '\n' ' ')" = "0 1 2 3 " ] || fail "fds: $($SDCLIENT 127.0.0.1 $((P+1)) | tr '\n' ' ')"
ok "handlers start with fds 0, 1 and 2 only"

out=$($SDCLIENT 127.0.0.1 $((P+2)))
printf '%s\n' "$out" | grep -qx 'SigBlk:[[:space:]]*0*' || fail "blocked signals: $out"
printf '%s\n' "$out" | grep -qx 'SigIgn:[[:space:]]*0*' || fail "ignored signals: $out"
ok "no blocked or ignored signals (superd ignores SIGPIPE itself)"

env=$($SDCLIENT 127.0.0.1 $((P+3)))
printf '%s\n' "$env" | grep -q '^PATH=/' || fail "no PATH"
printf '%s\n' "$env" | grep -q '^SUPERD_TEST_SECRET=' && fail "superd's environment leaked"
env=$($SDCLIENT 127.0.0.1 $((P+4)))
printf '%s\n' "$env" | grep -qx 'SUPERD_TEST_SECRET=leak' || fail "env-inherit = yes did not pass superd's environment"
printf '%s\n' "$env" | grep -qx 'EXTRA=1' || fail "env with env-inherit"
printf '%s\n' "$env" | grep -q '^LISTEN_' && fail "LISTEN_ passed on"
ok "environment: sanitized by default, superd's own with env-inherit = yes"

lim=$($SDCLIENT 127.0.0.1 $((P+5)))
check() {	# check NAME SOFT HARD
	printf '%s\n' "$lim" | grep -q "^$1  *$2  *$3 " || fail "limit $1: $(printf '%s\n' "$lim" | grep "^$1")"
}
check "Max cpu time" 7 7
check "Max address space" 536870912 536870912
check "Max processes" 33 33
check "Max file size" 1048576 1048576
check "Max core file size" 0 0
check "Max open files" 40 40
ok "rlimit-cpu, -as, -nproc, -fsize, -core and -nofile applied (soft and hard)"
kill -0 "$SPID" || fail "superd died"
