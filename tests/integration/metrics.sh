#!/bin/sh
# metrics-listen: GET /metrics in the Prometheus text format counts what
# happened (requests, refusals, handler exits, durations, directory
# lookups, reloads); superdctl metrics gives the same text; metrics-allow
# refuses other peers with 403; a reload moves or stops the endpoint;
# bad keys are config errors with file:line; an in-place upgrade carries
# every counter over (no reset a scrape would see).
. "${top_srcdir}/tests/integration/lib.sh"
P=$BASE
CTL="$top_builddir/superdctl"
LOOKUP="$top_builddir/superd-lookup"
command -v python3 >/dev/null || skip "python3 needed for the HTTP client"
ctl() { "$CTL" -S "$T/control.sock" -t 5 "$@"; }

# get PORT PATH: print the HTTP status, then the body.
get() {
	python3 - "$1" "$2" <<'PY'
import sys, urllib.request, urllib.error
try:
    r = urllib.request.urlopen("http://127.0.0.1:%s%s" % (sys.argv[1], sys.argv[2]), timeout=5)
    print(r.status, r.headers.get("Content-Type")); sys.stdout.write(r.read().decode())
except urllib.error.HTTPError as e:
    print(e.code)
except Exception as e:
    print("000", e)
PY
}
# value FILE SAMPLE: the value of the sample line that starts with SAMPLE.
value() { awk -v s="$2 " 'index($0, s) == 1 { print $NF; exit }' "$1"; }

conf() {
	{ conf_globals; cat <<CONF
metrics-listen = "127.0.0.1:$((P+90))"
$1
service echo { type = builtin  address = "127.0.0.1"  port = $((P+1))  server = echo }
service ok { address = "127.0.0.1"  port = $((P+2))  server = "/bin/true" }
service bad { address = "127.0.0.1"  port = $((P+3))  server = "/bin/false" }
service closed { type = builtin  address = "127.0.0.1"  port = $((P+4))  server = echo
  only-from = "10.0.0.0/8" }
CONF
	} > "$T/superd.conf"
}

# ---- config errors name the key and the line.
conf 'metrics-allow = { "127.0.0.0/33" }'
sed -i "s|^metrics-listen = .*|metrics-listen = \"127.0.0.1\"|" "$T/superd.conf"
"$SUPERD" -t -c "$T/superd.conf" > "$T/out" 2>&1 && fail "superd -t took bad metrics keys"
line=$(grep -n '^metrics-listen' "$T/superd.conf" | cut -d: -f1)
grep -q "superd.conf:$line: metrics-listen \"127.0.0.1\": want ADDRESS:PORT" "$T/out" ||
	fail "metrics-listen error: $(cat "$T/out")"
line=$(grep -n '^metrics-allow' "$T/superd.conf" | cut -d: -f1)
grep -q "superd.conf:$line: metrics-allow: " "$T/out" ||
	fail "metrics-allow error: $(cat "$T/out")"
ok "bad metrics-listen and metrics-allow are errors with file:line"

# ---- the counts after a known number of requests.
conf ""
start_superd
for _ in 1 2 3; do $SDCLIENT -s hi 127.0.0.1 $((P+1)) >/dev/null; done
for _ in 1 2 3 4 5; do $SDCLIENT -s hi 127.0.0.1 $((P+2)) >/dev/null; done
$SDCLIENT -s hi 127.0.0.1 $((P+3)) >/dev/null
$SDCLIENT -s hi 127.0.0.1 $((P+4)) >/dev/null
SUPERD_DIRECTORY=$T/directory.sock "$LOOKUP" -p echo >/dev/null ||
	fail "superd-lookup echo"
# Handlers end asynchronously: wait for the exits to be logged.
for _ in $(seq 50); do
	[ "$(count_log 'service ok: session .* exited with status 0')" -ge 5 ] &&
	[ "$(count_log 'service bad: session .* exited with status 1')" -ge 1 ] && break
	sleep 0.1
done
get $((P+90)) /metrics > "$T/m"
head -1 "$T/m" | grep -q "^200 text/plain; version=0.0.4" || fail "GET /metrics: $(head -3 "$T/m")"
S='{service="ok",proto="tcp"'
[ "$(value "$T/m" "superd_requests_total$S,result=\"accepted\"}")" = 5 ] ||
	fail "ok accepted: $(grep 'service="ok"' "$T/m" | head)"
[ "$(value "$T/m" "superd_requests_total{service=\"echo\",proto=\"tcp\",result=\"accepted\"}")" = 3 ] ||
	fail "echo accepted"
[ "$(value "$T/m" "superd_refusals_total{service=\"closed\",proto=\"tcp\",reason=\"acl\"}")" = 1 ] ||
	fail "closed: refusal by acl not counted"
[ "$(value "$T/m" "superd_requests_total{service=\"closed\",proto=\"tcp\",result=\"refused\"}")" = 1 ] ||
	fail "closed: refused total"
[ "$(value "$T/m" "superd_handler_exits_total$S,status=\"success\"}")" = 5 ] ||
	fail "ok: exits by class"
[ "$(value "$T/m" "superd_handler_exits_total{service=\"bad\",proto=\"tcp\",status=\"failure\"}")" = 1 ] ||
	fail "bad: failure exit"
[ "$(value "$T/m" "superd_handler_exits_total{service=\"echo\",proto=\"tcp\",status=\"closed\"}")" = 3 ] ||
	fail "echo: builtin ends"
[ "$(value "$T/m" "superd_request_duration_seconds_count$S}")" = 5 ] ||
	fail "ok: histogram count"
[ "$(value "$T/m" "superd_request_duration_seconds_bucket$S,le=\"+Inf\"}")" = 5 ] ||
	fail "ok: +Inf bucket"
[ "$(value "$T/m" superd_directory_lookups_total)" -ge 1 ] || fail "directory lookups"
[ "$(value "$T/m" superd_services)" = 4 ] || fail "services gauge"
[ "$(value "$T/m" process_open_fds)" -gt 3 ] || fail "process_open_fds"
[ "$(value "$T/m" process_resident_memory_bytes)" -gt 100000 ] || fail "RSS"
ok "requests, refusals, exits by class, durations, lookups, process facts"

# ---- superdctl metrics: the same text over the control socket.
ctl metrics > "$T/c" || fail "superdctl metrics"
[ "$(value "$T/c" superd_control_requests_total)" -ge 1 ] || fail "control requests not counted"
grep '^superd_requests_total\|^superd_handler_exits\|^superd_request_duration' "$T/m" > "$T/m1"
grep '^superd_requests_total\|^superd_handler_exits\|^superd_request_duration' "$T/c" > "$T/c1"
[ -s "$T/m1" ] && cmp -s "$T/m1" "$T/c1" || fail "superdctl metrics differs from GET /metrics"
ok "superdctl metrics prints the same counters"

# ---- only /metrics, only from metrics-allow.
[ "$(get $((P+90)) /other | head -1)" = 404 ] || fail "GET /other is not 404"
conf 'metrics-allow = { "10.0.0.0/8" }'
ctl reload || fail "reload with metrics-allow"
[ "$(get $((P+90)) /metrics | head -1)" = 403 ] || fail "a peer outside metrics-allow was served"
ok "404 outside /metrics, 403 outside metrics-allow"

# ---- reloads are counted; a reload moves the endpoint.
conf 'metrics-allow = { "127.0.0.1" }'
sed -i "s|^metrics-listen = .*|metrics-listen = \"127.0.0.1:$((P+91))\"|" "$T/superd.conf"
ctl reload || fail "reload to a new metrics port"
echo 'service broken {' >> "$T/superd.conf"
ctl reload 2>/dev/null && fail "a broken config was applied"
get $((P+91)) /metrics > "$T/m"
head -1 "$T/m" | grep -q '^200' || fail "not served on the new port: $(head -1 "$T/m")"
get $((P+90)) /metrics | head -1 | grep -q '^000' || fail "the old port still answers"
[ "$(value "$T/m" 'superd_reloads_total{result="applied"}')" = 2 ] || fail "applied reloads"
[ "$(value "$T/m" 'superd_reloads_total{result="failed"}')" = 1 ] || fail "failed reloads"
[ "$(value "$T/m" superd_last_reload_success)" = 0 ] || fail "last reload result"
ok "reloads counted; a reload moves the endpoint"

# ---- off: no metrics-listen, no socket.
conf ""
sed -i "/^metrics-listen/d" "$T/superd.conf"
ctl reload || fail "reload without metrics-listen"
get $((P+91)) /metrics | head -1 | grep -q '^000' || fail "metrics still served when off"
ok "no metrics-listen: no endpoint"

# ---- an in-place upgrade carries every counter over: N requests, an
# upgrade, M more show N+M; no counter goes down; the process start stays.
# counters FILE: the counter and histogram samples ("name{labels} value").
counters() {
	awk '/^# TYPE / { t[$3] = $4 }
	    !/^#/ { n = $1; sub(/[{].*/, "", n); b = n; sub(/_(bucket|sum|count)$/, "", b)
		if (t[n] == "counter" || t[b] == "histogram") print $1, $NF }' "$1"
}
ctl metrics > "$T/b"
S='{service="ok",proto="tcp"'
n=$(value "$T/b" "superd_requests_total$S,result=\"accepted\"}")
[ "$n" -ge 5 ] || fail "ok before the upgrade: '$n'"
ups=$(value "$T/b" superd_upgrades_total)
ctl upgrade > "$T/up" 2>&1 || fail "upgrade: $(cat "$T/up")"
ctl metrics > "$T/a"
counters "$T/b" > "$T/b.c"
counters "$T/a" > "$T/a.c"
[ "$(wc -l < "$T/b.c")" -gt 50 ] || fail "too few counters: $(cat "$T/b.c")"
awk 'NR == FNR { b[$1] = $2; next } ($1 in b) && $2 + 0 < b[$1] + 0 {
	print $1, b[$1], "->", $2; bad = 1 } END { exit bad }' \
    "$T/b.c" "$T/a.c" > "$T/down" || fail "counters reset by the upgrade: $(head "$T/down")"
[ "$(value "$T/a" "superd_requests_total$S,result=\"accepted\"}")" = "$n" ] ||
	fail "ok accepted after the upgrade: $(grep "^superd_requests_total$S" "$T/a")"
[ "$(value "$T/a" superd_upgrades_total)" = $((ups + 1)) ] || fail "upgrades not counted"
[ "$(value "$T/a" process_start_time_seconds)" = "$(value "$T/b" process_start_time_seconds)" ] ||
	fail "the process start time moved: the PID did not change"
for _ in 1 2 3 4; do $SDCLIENT -s hi 127.0.0.1 $((P+2)) >/dev/null; done
for _ in $(seq 50); do
	[ "$(count_log 'service ok: session .* exited with status 0')" -ge $((n + 4)) ] && break
	sleep 0.1
done
ctl metrics > "$T/c"
[ "$(value "$T/c" "superd_requests_total$S,result=\"accepted\"}")" = $((n + 4)) ] ||
	fail "ok accepted: $n, an upgrade, 4 more: $(grep "^superd_requests_total$S" "$T/c")"
[ "$(value "$T/c" "superd_handler_exits_total$S,status=\"success\"}")" = $((n + 4)) ] ||
	fail "ok exits: $(grep "^superd_handler_exits_total$S" "$T/c")"
[ "$(value "$T/c" "superd_request_duration_seconds_count$S}")" = $((n + 4)) ] ||
	fail "ok durations: $(grep "^superd_request_duration_seconds_count$S" "$T/c")"
ok "an upgrade carries the counters over: $n requests, an upgrade, 4 more: $((n + 4))"
