#!/bin/sh
# sd_notify: READY=1 only once the listeners take connections, STATUS=,
# RELOADING=1 with MONOTONIC_USEC= and READY=1 around a reload,
# WATCHDOG=1 at half of WATCHDOG_USEC, STOPPING=1 on the way out.
. "${top_srcdir}/tests/integration/lib.sh"
grep -q '^#define HAVE_SYSTEMD 1' "$top_builddir/config.h" || skip "built without libsystemd"
P=$BASE
LISTEN=$top_builddir/tests/integration/notify_listen
{ conf_globals; cat <<CONF
service echo { type = builtin  address = "127.0.0.1"  port = $((P+1))  server = echo }
CONF
} > "$T/superd.conf"
"$LISTEN" "$T/notify.sock" 20 > "$T/notify.out" &
LPID=$!
for _ in $(seq 50); do [ -S "$T/notify.sock" ] && break; sleep 0.1; done
[ -S "$T/notify.sock" ] || fail "notify_listen did not start"

NOTIFY_SOCKET=$T/notify.sock WATCHDOG_USEC=400000 start_superd
msgs() { grep -c -- "$1" "$T/notify.out" 2>/dev/null || true; }
wait_msg() {
	for _ in $(seq 50); do [ "$(msgs "$1")" -ge "${2:-1}" ] && return 0; sleep 0.1; done
	return 1
}
wait_msg '^READY=1$' || fail "no READY=1"
# READY came after the bind: the service answers now.
[ "$($SDCLIENT -s up 127.0.0.1 $((P+1)))" = up ] || fail "not serving at READY"
grep -q '^STATUS=.*1 service' "$T/notify.out" || fail "no STATUS= line: $(cat "$T/notify.out")"
ok "READY=1 with STATUS= once listening"

wait_msg '^WATCHDOG=1$' 3 || fail "no WATCHDOG=1 pings"
ok "WATCHDOG=1 pings"

kill -HUP "$SPID"
wait_msg '^RELOADING=1$' || fail "no RELOADING=1"
grep -A1 '^RELOADING=1$' "$T/notify.out" | grep -q '^MONOTONIC_USEC=[0-9]\{4,\}$' || fail "no MONOTONIC_USEC"
wait_msg '^READY=1$' 2 || fail "no READY=1 after the reload"
ok "RELOADING=1 + MONOTONIC_USEC, then READY=1"

stop_superd
wait_msg '^STOPPING=1$' || fail "no STOPPING=1"
ok "STOPPING=1"
kill "$LPID" 2>/dev/null
