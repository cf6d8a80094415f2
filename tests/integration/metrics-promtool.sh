#!/bin/sh
# The exposition passes Prometheus' own linter (promtool check metrics),
# with services of every kind, a refusal and a failing handler counted,
# after an in-place upgrade.
. "${top_srcdir}/tests/integration/lib.sh"
P=$BASE
command -v promtool >/dev/null || skip "promtool (Debian package prometheus) not installed"
command -v python3 >/dev/null || skip "python3 needed for the HTTP client"
{ conf_globals; cat <<CONF
metrics-listen = "127.0.0.1:$((P+90))"
service echo { type = builtin  address = "127.0.0.1"  port = $((P+1))  server = echo }
service uecho { type = builtin  protocol = udp  address = "127.0.0.1"  port = $((P+1))  server = echo }
service "odd name" { address = "127.0.0.1"  port = $((P+2))  server = "/bin/false" }
service closed { type = builtin  address = "127.0.0.1"  port = $((P+3))  server = echo
  only-from = "10.0.0.0/8" }
CONF
} > "$T/superd.conf"
"$SUPERD" -t -c "$T/superd.conf" >/dev/null 2>&1 ||
	sed -i 's/"odd name"/odd/' "$T/superd.conf"	# names may be restricted
start_superd
$SDCLIENT -s hi 127.0.0.1 $((P+1)) >/dev/null
$SDCLIENT -s hi 127.0.0.1 $((P+2)) >/dev/null
$SDCLIENT -s hi 127.0.0.1 $((P+3)) >/dev/null
sleep 0.3
# After an in-place upgrade too (the counters carried over, and the upgrade's).
"$top_builddir/superdctl" -S "$T/control.sock" upgrade > "$T/up" 2>&1 ||
	fail "upgrade: $(cat "$T/up")"
python3 -c "import sys, urllib.request; sys.stdout.write(urllib.request.urlopen('http://127.0.0.1:$((P+90))/metrics', timeout=5).read().decode())" \
	> "$T/m" || fail "GET /metrics"
grep -q '^superd_requests_total{' "$T/m" || fail "no superd_requests_total in: $(head "$T/m")"
promtool check metrics < "$T/m" > "$T/lint" 2>&1 || fail "promtool check metrics: $(cat "$T/lint")"
ok "promtool check metrics: clean ($(grep -c '^[a-z]' "$T/m") samples)"
"$top_builddir/superdctl" -S "$T/control.sock" metrics > "$T/c" || fail "superdctl metrics"
promtool check metrics < "$T/c" > "$T/lint" 2>&1 || fail "promtool on superdctl metrics: $(cat "$T/lint")"
ok "superdctl metrics passes promtool too"
