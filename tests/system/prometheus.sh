#!/bin/sh
# Debian's Prometheus server scrapes superd's metrics-listen on loopback
# for a few scrape intervals; after a known number of requests its HTTP
# API returns that count for superd_requests_total of the service.
. "${top_srcdir}/tests/integration/lib.sh"
P=$BASE
command -v prometheus >/dev/null || skip "prometheus (Debian package prometheus) not installed"
command -v python3 >/dev/null || skip "python3 needed for the HTTP client"
N=7
{ conf_globals; cat <<CONF
metrics-listen = "127.0.0.1:$((P+90))"
service echo { type = builtin  address = "127.0.0.1"  port = $((P+1))  server = echo }
CONF
} > "$T/superd.conf"
start_superd

cat > "$T/prometheus.yml" <<YML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: superd
    static_configs:
      - targets: ['127.0.0.1:$((P+90))']
YML
prometheus --config.file="$T/prometheus.yml" --storage.tsdb.path="$T/tsdb" \
	--web.listen-address="127.0.0.1:$((P+91))" > "$T/prometheus.log" 2>&1 &
PPID_PROM=$!
trap 'kill $PPID_PROM 2>/dev/null; wait $PPID_PROM 2>/dev/null; cleanup' EXIT

for _ in $(seq $N); do
	[ "$($SDCLIENT -s hi 127.0.0.1 $((P+1)))" = hi ] || fail "echo did not answer"
done

# query EXPR: the value of the first sample Prometheus returns, or "".
query() {
	python3 - "$((P+91))" "$1" <<'PY'
import json, sys, urllib.parse, urllib.request
url = "http://127.0.0.1:%s/api/v1/query?query=%s" % (sys.argv[1], urllib.parse.quote(sys.argv[2]))
try:
    d = json.load(urllib.request.urlopen(url, timeout=5))
    r = d["data"]["result"]
    print(r[0]["value"][1] if r else "")
except Exception:
    print("")
PY
}
# Bounded: 60 s for Prometheus to start and scrape a few times.
got=
for _ in $(seq 120); do
	got=$(query 'superd_requests_total{job="superd",service="echo",proto="tcp",result="accepted"}')
	[ "$got" = "$N" ] && break
	kill -0 $PPID_PROM 2>/dev/null || { tail -20 "$T/prometheus.log" >&2; fail "prometheus exited"; }
	sleep 0.5
done
[ "$got" = "$N" ] || { tail -20 "$T/prometheus.log" >&2; fail "Prometheus has superd_requests_total = '$got', want $N"; }
ok "Prometheus scraped superd_requests_total = $N for echo"
[ "$(query 'up{job="superd"}')" = 1 ] || fail "the target is not up"
[ "$(query 'count(superd_request_duration_seconds_bucket{service="echo"})')" -ge 2 ] ||
	fail "no duration histogram in Prometheus"
ok "the target is up and its histogram is stored"
