#!/bin/sh
# The etcd publisher against a small stand-in for etcd's v3 JSON gateway
# (python3, below), so every "make check" (and its sanitizer pass) runs
# it; tests/system/etcd.sh does the same against a real cluster.  Shown:
# the first endpoint dead, superd moves to the second; the key and the
# JSON value; a lease the server no longer knows is replaced and
# everything written again; an exported registration comes and goes; a
# reload with a new host-name moves the keys; superd-lookup --net and
# libsuperd read it, this host first.
. "${top_srcdir}/tests/integration/lib.sh"
command -v python3 >/dev/null || skip "python3 needed for the etcd stand-in"
P=$BASE
LOOKUP=$top_builddir/superd-lookup
CONNECT=$top_builddir/tests/integration/lookup_connect
FPID=

# The stand-in: leases, put/range/deleterange with base64 keys and
# values.  A put on an unknown lease fails as etcd's does; touching
# $T/kv.forget drops every lease (as an expiry would); while $T/kv.hold
# exists a delete waits (and says so with $T/kv.deleting).  The keys are written
# to $T/kv.json after every change.
cat > "$T/fake_etcd.py" <<'PY'
import base64, json, os, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
port, state = int(sys.argv[1]), sys.argv[2]
lock, kv, leases, nid = threading.Lock(), {}, set(), [100]
d = lambda s: base64.b64decode(s).decode()
def dump():
    with open(state + ".tmp", "w") as f:
        json.dump({k: v for k, (v, l) in kv.items()}, f)
    os.rename(state + ".tmp", state)
class H(BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def reply(self, code, obj):
        b = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Length", str(len(b)))
        self.end_headers()
        self.wfile.write(b)
    def do_POST(self):
        req = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.path == "/v3/kv/deleterange" and os.path.exists(state + ".hold"):
            open(state + ".deleting", "w").close()
            while os.path.exists(state + ".hold"):
                time.sleep(0.05)
        with lock:
            if os.path.exists(state + ".forget"):
                os.unlink(state + ".forget")
                for k in [k for k, (v, l) in kv.items() if l in leases]:
                    del kv[k]
                leases.clear()
                dump()
            if self.path == "/v3/lease/grant":
                nid[0] += 1
                leases.add(str(nid[0]))
                return self.reply(200, {"ID": str(nid[0]), "TTL": str(req["TTL"])})
            if self.path == "/v3/lease/keepalive":
                r = {"ID": req["ID"]}
                if str(req["ID"]) in leases:
                    r["TTL"] = "10"
                return self.reply(200, {"result": r})
            if self.path == "/v3/kv/put":
                if str(req.get("lease")) not in leases:
                    return self.reply(404, {"error": "etcdserver: requested lease not found", "code": 5})
                kv[d(req["key"])] = (d(req["value"]), str(req["lease"]))
                dump()
                return self.reply(200, {"header": {}})
            if self.path == "/v3/kv/deleterange":
                kv.pop(d(req["key"]), None)
                dump()
                return self.reply(200, {"header": {}})
            if self.path == "/v3/kv/range":
                lo, hi = d(req["key"]), d(req["range_end"])
                kvs = [{"key": base64.b64encode(k.encode()).decode(),
                        "value": base64.b64encode(v.encode()).decode()}
                       for k, (v, l) in sorted(kv.items()) if lo <= k < hi]
                return self.reply(200, {"kvs": kvs, "count": str(len(kvs))})
        self.reply(404, {"error": "no such path"})
ThreadingHTTPServer(("127.0.0.1", port), H).serve_forever()
PY
python3 "$T/fake_etcd.py" $((P+50)) "$T/kv" 2> "$T/fake.log" &
FPID=$!
trap 'kill $FPID 2>/dev/null; cleanup' EXIT

# has KEY-PATTERN: $T/kv holds a key matching it (grep -E on one line each).
keys() { python3 -c 'import json,sys; [print(k) for k in json.load(open(sys.argv[1]))]' "$T/kv" 2>/dev/null; }
has() { keys | grep -qE "$1"; }
hasnt() { ! has "$1"; }
wait_for() { _n=$(( $1 * 10 )); shift; for _ in $(seq "$_n"); do "$@" && return 0; sleep 0.1; done; return 1; }

write_conf() {
	{ conf_globals; cat <<CONF
directory-export = etcd
etcd-endpoints = { "http://127.0.0.1:$((P+49))", "http://127.0.0.1:$((P+50))" }
etcd-ttl = 9
host-name = "$1"
directory-allow = { "reg=$(id -un)" }
service hello { type = builtin  server = echo  address = "127.0.0.1"  port = $((P+1))  export = yes }
service quiet { type = builtin  server = echo  address = "127.0.0.1"  port = $((P+2)) }
CONF
	} > "$T/superd.conf"
}
write_conf alpha
wait_for 5 sh -c "python3 -c 'import socket; socket.create_connection((\"127.0.0.1\", $((P+50))))' 2>/dev/null" ||
	fail "the etcd stand-in did not start: $(cat "$T/fake.log")"
start_superd
K="/superd/v1/services/hello/alpha/tcp/127.0.0.1/$((P+1))"
wait_for 10 has "^$K\$" || fail "hello not published: $(keys) $(tail -5 "$T/log")"
hasnt quiet || fail "a service without export = yes was published"
grep -q "127.0.0.1:$((P+49)): lease grant got no answer; trying the next endpoint" "$T/log" ||
	fail "superd did not say it moved past the dead endpoint"
v=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$T/kv" "$K")
for f in '"address":"127.0.0.1"' "\"port\":$((P+1))" '"proto":"tcp"' '"name":"hello"' \
    '"host":"alpha"' '"source":"static"' '"priority":0' '"weight":1' '"tags":{}'; do
	case $v in *"$f"*) ;; *) fail "value lacks $f: $v" ;; esac
done
ok "published on the second endpoint, with its value"

# An exported registration (with tags) comes, and goes when unregistered.
id=$($LOOKUP -S "$T/directory.sock" --register --export --ttl 60 --prio 5 \
	--tag zone=b reg tcp $((P+3))) || fail "register failed"
R="/superd/v1/services/reg/alpha/tcp/127.0.0.1/$((P+3))"
wait_for 5 has "^$R\$" || fail "the registration was not published"
python3 -c 'import json,sys; v=json.loads(json.load(open(sys.argv[1]))[sys.argv[2]]); sys.exit(not (v["priority"]==5 and v["tags"]=={"zone":"b"} and v["source"]=="registered"))' "$T/kv" "$R" ||
	fail "the registration's value is wrong"
ok "a registration is published with its prio and tags"

# Lookups read it: superd-lookup --net and libsuperd.
export SUPERD_ETCD_ENDPOINTS="http://127.0.0.1:$((P+49)),http://127.0.0.1:$((P+50))"
[ "$($LOOKUP --net hello)" = "127.0.0.1:$((P+1))/tcp" ] || fail "--net hello did not find it"
$LOOKUP --net -l | grep -q "^reg  *tcp  *127.0.0.1  *$((P+3))  *alpha  *5 " ||
	fail "--net -l: $($LOOKUP --net -l)"
$LOOKUP --net -j hello | grep -q '"tags":{"host":"alpha","published":"static"}' ||
	fail "--net -j: $($LOOKUP --net -j hello)"
$LOOKUP --net nosuch 2>/dev/null; [ $? -eq 2 ] || fail "--net nosuch should exit 2"
[ "$(SUPERD_DIRECTORY=$T/none.sock $CONNECT -n hello)" = ping ] || fail "libsuperd did not connect through etcd"
SUPERD_ETCD_ENDPOINTS="http://127.0.0.1:$((P+49))" $LOOKUP --net hello 2> "$T/err"; [ $? -eq 1 ] &&
	grep -q "no etcd endpoint answered" "$T/err" || fail "a dead etcd is not an error: $(cat "$T/err")"
unset SUPERD_ETCD_ENDPOINTS
ok "superd-lookup --net and libsuperd read etcd"

$LOOKUP -S "$T/directory.sock" --unregister "$id" > /dev/null || fail "unregister failed"
wait_for 5 hasnt "^$R\$" || fail "the registration stayed after unregister"
ok "an unregistered endpoint leaves etcd"

# The lease is lost (an expiry while etcd was away): a new one, every key again.
touch "$T/kv.forget"
wait_for 5 grep -q "expired or was revoked" "$T/log" || fail "the lost lease went unnoticed"
wait_for 5 has "^$K\$" || fail "hello not written again on a new lease"
ok "a lost lease is replaced and everything written again"

# A service disabled and enabled again while its delete is on the way:
# once the delete is done, superd writes the key again.
CTL="$top_builddir/superdctl -S $T/control.sock"
touch "$T/kv.hold"
$CTL disable hello > /dev/null || fail "superdctl disable failed"
wait_for 5 test -e "$T/kv.deleting" || fail "no delete after disable"
$CTL enable hello > /dev/null || fail "superdctl enable failed"
sleep 1.2	# a sync (once a second) wants the key again
rm -f "$T/kv.hold"
wait_for 5 has "^$K\$" || fail "hello not written again after a delete that crossed the enable"
ok "a key wanted again while its delete was out is written again"

# Reload with another host-name: the keys follow.
write_conf gamma
kill -HUP "$SPID"
wait_for 5 has "^/superd/v1/services/hello/gamma/" || fail "host-name change not published: $(keys)"
ok "a reload with a new host-name publishes under it"
