#!/bin/sh
# The directory on etcd: a real 3-member etcd cluster on loopback (its
# own data directories and ports in this test's block) and two superd
# instances, "alpha" and "beta", publishing to it with a 3 s lease.
# Shown: both instances' endpoints in etcd (etcdctl, superd-lookup --net
# -l); one member killed, lookups and publishing go on; superd killed
# with -9, its keys gone within TTL + 1 s; its lease revoked, its keys
# back within TTL + 1 s without a restart; the whole cluster down for
# 5 s, superd publishes again by itself (a registration made meanwhile
# included); superd-lookup --net --watch prints the changes through all
# of it; libsuperd connects to a name whose first host is dead, in
# one call.  Every wait is bounded.
. "${top_srcdir}/tests/integration/lib.sh"
P=$BASE
TTL=3
command -v etcd >/dev/null || skip "etcd (Debian package etcd-server) not installed"
command -v etcdctl >/dev/null || skip "etcdctl (Debian package etcd-client) not installed"
LOOKUP=$top_builddir/superd-lookup
CONNECT=$top_builddir/tests/integration/lookup_connect
export ETCDCTL_API=3
EPS="http://127.0.0.1:$((P+50)),http://127.0.0.1:$((P+51)),http://127.0.0.1:$((P+52))"
CLUSTER="e0=http://127.0.0.1:$((P+60)),e1=http://127.0.0.1:$((P+61)),e2=http://127.0.0.1:$((P+62))"
EPID0= EPID1= EPID2= BPID= WPID=

# start_member N: etcd member eN (again, on its data directory).
start_member() {
	etcd --name "e$1" --data-dir "$T/e$1" \
		--listen-client-urls "http://127.0.0.1:$((P+50+$1))" \
		--advertise-client-urls "http://127.0.0.1:$((P+50+$1))" \
		--listen-peer-urls "http://127.0.0.1:$((P+60+$1))" \
		--initial-advertise-peer-urls "http://127.0.0.1:$((P+60+$1))" \
		--initial-cluster "$CLUSTER" --initial-cluster-token "superd-$P" \
		--initial-cluster-state new --heartbeat-interval 100 \
		--election-timeout 1000 >> "$T/e$1.log" 2>&1 &
	eval "EPID$1=\$!"
}
stop_member() {
	eval "_p=\$EPID$1"
	[ -n "$_p" ] || return 0
	kill -KILL "$_p" 2>/dev/null
	wait "$_p" 2>/dev/null
	eval "EPID$1="
}
all_down() { stop_member 0; stop_member 1; stop_member 2; }
finish() {
	[ -n "$WPID" ] && kill -TERM "$WPID" 2>/dev/null
	[ -n "$BPID" ] && kill -TERM "$BPID" 2>/dev/null
	[ -n "$BPID" ] && wait "$BPID" 2>/dev/null
	all_down
	cleanup
}
trap finish EXIT

ctl() { etcdctl --endpoints "$EPS" --command-timeout=2s "$@"; }
# keys HOST: how many keys HOST has under the prefix.
keys() { ctl get --prefix /superd/v1/services/ --keys-only 2>/dev/null | grep -c "/$1/" || true; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# wait_for SECONDS CMD...: poll CMD every 0.1 s until SECONDS have passed.
wait_for() {
	_end=$(( $(now_ms) + $1 * 1000 )); shift
	while :; do
		"$@" && return 0
		[ "$(now_ms)" -lt "$_end" ] || return 1
		sleep 0.1
	done
}
# wait_since T0_MS SECONDS CMD...: the same, counting from T0_MS.
wait_since() {
	_end=$(( $1 + $2 * 1000 )); shift 2
	while :; do
		"$@" && return 0
		[ "$(now_ms)" -lt "$_end" ] || return 1
		sleep 0.1
	done
}
has_keys() { [ "$(keys "$1")" -ge "$2" ]; }
no_keys() { [ "$(keys "$1")" -eq 0 ]; }
healthy() { etcdctl --endpoints "$EPS" --command-timeout=1s endpoint health >/dev/null 2>&1; }

for i in 0 1 2; do start_member $i; done
wait_for 30 healthy || fail "the etcd cluster did not come up: $(tail -5 "$T/e0.log")"

# Watch hello from the start: every change is printed as it happens, and
# the watch moves to another member when its own goes.
SUPERD_ETCD_ENDPOINTS="$EPS" $LOOKUP --net --watch hello > "$T/watch.out" 2> "$T/watch.err" &
WPID=$!
watching() { grep -q "watching" "$T/watch.err"; }
wait_for 10 watching || fail "--watch did not start: $(cat "$T/watch.err")"
# watched LINE: the watch printed LINE.
watched() { grep -qx -- "$1" "$T/watch.out"; }

# conf HOST PORT: one instance; "hello" answers with the host's name.
conf() {
	mkdir -p "$T/$1"
	cat <<CONF
log-level = info
control-socket = "$T/$1/control.sock"
directory-socket = "$T/$1/directory.sock"
directory-export = { etcd }
etcd-endpoints = { $(echo "$EPS" | sed 's/\([^,]*\)/"\1"/g') }
etcd-ttl = $TTL
host-name = "$1"
service hello {
	address = "127.0.0.1"  port = $2  server = "/bin/echo"  args = {"$1"}
	export = yes
}
CONF
}
conf alpha $((P+1)) > "$T/superd.conf"
start_superd
conf beta $((P+2)) > "$T/beta.conf"
# beta also serves a wildcard-bound service: advertise-address says where.
cat >> "$T/beta.conf" <<CONF
advertise-address = { "127.0.0.1" }
service wide { port = $((P+3))  type = builtin  server = echo  export = yes }
CONF
"$SUPERD" -f -c "$T/beta.conf" 2>"$T/beta.log" &
BPID=$!

wait_for 10 has_keys alpha 1 || fail "alpha's endpoint is not in etcd: $(tail -5 "$T/log")"
wait_for 10 has_keys beta 2 || fail "beta's endpoints are not in etcd: $(tail -5 "$T/beta.log")"
ctl get --prefix /superd/v1/ > "$T/get.out"
grep -qx "/superd/v1/services/hello/alpha/tcp/127.0.0.1/$((P+1))" "$T/get.out" ||
	fail "no key for alpha's hello: $(cat "$T/get.out")"
grep -qx "/superd/v1/services/wide/beta/tcp/127.0.0.1/$((P+3))" "$T/get.out" ||
	fail "the wildcard service is not at advertise-address: $(cat "$T/get.out")"
v=$(ctl get --print-value-only "/superd/v1/services/hello/beta/tcp/127.0.0.1/$((P+2))")
for f in '"address":"127.0.0.1"' "\"port\":$((P+2))" '"proto":"tcp"' \
    '"host":"beta"' '"source":"static"' '"priority":0' '"weight":1' \
    '"tags":{}' '"version":"'; do
	case $v in *"$f"*) ;; *) fail "value lacks $f: $v" ;; esac
done

# Every call opens a connection: none may stay open (counted at the end).
fds0=$(ls /proc/$BPID/fd | wc -l)

export SUPERD_ETCD_ENDPOINTS="$EPS" SUPERD_DIRECTORY="$T/none.sock"
$LOOKUP --net -l > "$T/list.out" || fail "superd-lookup --net -l failed"
grep -q "^hello  *tcp  *127.0.0.1  *$((P+1))  *alpha " "$T/list.out" &&
grep -q "^hello  *tcp  *127.0.0.1  *$((P+2))  *beta " "$T/list.out" ||
	fail "--net -l does not list both hosts: $(cat "$T/list.out")"
# The configuration's etcd-endpoints serve as well as the environment.
env -u SUPERD_ETCD_ENDPOINTS $LOOKUP --net -l -c "$T/beta.conf" | grep -q alpha ||
	fail "--net -l -c FILE did not read etcd-endpoints"
# This host first: alpha's port for alpha, beta's for beta.
[ "$(SUPERD_HOST_NAME=alpha $LOOKUP --net hello | head -1)" = "127.0.0.1:$((P+1))/tcp" ] ||
	fail "alpha's own endpoint is not first for alpha"
[ "$(SUPERD_HOST_NAME=beta $LOOKUP --net hello | head -1)" = "127.0.0.1:$((P+2))/tcp" ] ||
	fail "beta's own endpoint is not first for beta"

wait_for 5 watched "+ 127.0.0.1:$((P+1))/tcp alpha" &&
wait_for 5 watched "+ 127.0.0.1:$((P+2))/tcp beta" ||
	fail "--watch did not print both: $(cat "$T/watch.out")"

# A service disabled leaves etcd within a second or so, and comes back.
CTL="$top_builddir/superdctl -S $T/beta/control.sock"
beta_hello() { ctl get --keys-only "/superd/v1/services/hello/beta/tcp/127.0.0.1/$((P+2))" | grep -q hello; }
no_beta_hello() { ! beta_hello; }
$CTL disable hello > /dev/null || fail "superdctl disable failed"
wait_for 3 no_beta_hello || fail "beta's hello still in etcd 3 s after disable"
wait_for 5 watched "- 127.0.0.1:$((P+2))/tcp beta" || fail "--watch did not print the disable"
$CTL enable hello > /dev/null || fail "superdctl enable failed"
wait_for 3 beta_hello || fail "beta's hello not back 3 s after enable"

echo "--- one member killed (the first of etcd-endpoints)"
stop_member 0
$LOOKUP --net -l | grep -q alpha || fail "lookup failed with one member down"
SUPERD_DIRECTORY="$T/alpha/directory.sock" $LOOKUP --register --export \
	--ttl 60 reg tcp $((P+4)) > /dev/null || fail "register failed"
wait_for 10 has_keys alpha 2 || fail "a registration made with a member down was not published"
# The lease is kept alive through the other members: past 2 TTLs.
sleep $((TTL * 2 + 1))
has_keys alpha 2 || fail "alpha's keys expired with one member down"
start_member 0

echo "--- alpha's lease revoked"
# lease_of: the lease alpha's hello key hangs on ("" if none).
lease_of() {
	ctl get "/superd/v1/services/hello/alpha/tcp/127.0.0.1/$((P+1))" -w json |
		sed -n 's/.*"lease":\([0-9]*\).*/\1/p'
}
new_lease() { _l=$(lease_of); [ -n "$_l" ] && [ "$_l" != "$lease" ]; }
lease=$(lease_of)
[ -n "$lease" ] || fail "no lease on alpha's key"
ctl lease revoke "$(printf '%x' "$lease")" > /dev/null || fail "lease revoke failed"
revoked=$(now_ms)
# Back on a new lease (the revoke deleted the keys of the old one).
wait_since "$revoked" $((TTL + 1)) new_lease || fail "alpha's key not back on a new lease within TTL + 1 s"
echo "alpha's key back on a new lease $(( $(now_ms) - revoked )) ms after the revoke"
wait_for 1 has_keys alpha 2 || fail "alpha's registration not back after the revoke"
grep -q "expired or was revoked" "$T/log" || fail "alpha did not notice the lost lease"

echo "--- the whole cluster down for 5 s"
all_down
sleep 1
SUPERD_DIRECTORY="$T/beta/directory.sock" $LOOKUP --register --export \
	--ttl 60 late tcp $((P+5)) > /dev/null || fail "register during the outage failed"
sleep 4
for i in 0 1 2; do start_member $i; done
wait_for 30 healthy || fail "the etcd cluster did not come back"
wait_for $((TTL + 10)) has_keys beta 3 || fail "beta did not publish again after the outage"
wait_for 10 has_keys alpha 2 || fail "alpha did not publish again after the outage"
grep -q "answers again; publishing everything" "$T/beta.log" || fail "beta did not say etcd was back"
sleep $((TTL * 2 + 1))
has_keys alpha 2 && has_keys beta 3 || fail "keys expired after the outage: the lease is not kept"

echo "--- alpha killed with -9; libsuperd fails over to beta in one call"
kill -KILL "$SPID"; wait "$SPID" 2>/dev/null; SPID=
killed=$(now_ms)
# alpha's key is still there (until its lease ends) and first for alpha.
[ "$(SUPERD_HOST_NAME=alpha $LOOKUP --net hello | head -1)" = "127.0.0.1:$((P+1))/tcp" ] ||
	fail "alpha's dead endpoint should still be listed first"
got=$(SUPERD_HOST_NAME=alpha $CONNECT -n hello) || fail "libsuperd connect to hello failed"
[ "$got" = beta ] || fail "libsuperd connect got \"$got\", not beta"
echo "connect and lookups done $(( $(now_ms) - killed )) ms after kill -9"
wait_since "$killed" $((TTL + 1)) no_keys alpha || fail "alpha's keys still there TTL + 1 s after kill -9"
echo "alpha's keys gone $(( $(now_ms) - killed )) ms after kill -9 (TTL $TTL s)"
wait_for 5 watched "- 127.0.0.1:$((P+1))/tcp alpha" ||
	fail "--watch did not print alpha going: $(cat "$T/watch.out")"
# Through the member kill and the whole cluster's restart.
grep -q "watch on .* ended" "$T/watch.err" || fail "the watch never had to start again"
has_keys beta 3 || fail "beta's keys went with alpha's"
fds=$(ls /proc/$BPID/fd | wc -l)
[ "$fds" -le $((fds0 + 2)) ] || fail "beta holds $fds descriptors, $fds0 at the start"
echo "PASS"
