#!/bin/sh
# The directory on an etcd that speaks only TLS and wants a client
# certificate: a CA, a server and a client certificate made with the
# openssl command in the test's directory, one etcd member on loopback
# (ports in this test's block) with --client-cert-auth.  Shown: superd
# with etcd-ca, etcd-cert and etcd-key publishes (etcdctl, with the same
# certificates, sees its key); with another CA as etcd-ca it logs why
# the server's certificate was not accepted and publishes nothing.
# Every wait is bounded.
. "${top_srcdir}/tests/integration/lib.sh"
P=$BASE
command -v etcd >/dev/null || skip "etcd (Debian package etcd-server) not installed"
command -v etcdctl >/dev/null || skip "etcdctl (Debian package etcd-client) not installed"
command -v openssl >/dev/null || skip "the openssl command is not installed"
grep -q "HAVE_OPENSSL 1" "$top_builddir/config.h" 2>/dev/null ||
	skip "superd was built without TLS (configure --with-openssl)"
export ETCDCTL_API=3
EP="https://127.0.0.1:$((P+50))"
EPID=

finish() {
	[ -n "$EPID" ] && kill -KILL "$EPID" 2>/dev/null
	[ -n "$EPID" ] && wait "$EPID" 2>/dev/null
	cleanup
}
trap finish EXIT

# The certificates: ca signs the server's (for IP 127.0.0.1) and the
# client's; other is a CA that signed nothing here.
C=$T/pki
mkdir -p "$C"
ossl() { openssl "$@" >> "$C/openssl.log" 2>&1 || fail "openssl $1: $(tail -3 "$C/openssl.log")"; }
ossl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=test-ca \
	-keyout "$C/ca.key" -out "$C/ca.crt"
ossl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=other-ca \
	-keyout "$C/other.key" -out "$C/other.crt"
# etcd's JSON gateway dials the member's own gRPC with the server's
# certificate as client certificate: it needs both usages.
printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n' > "$C/server.ext"
printf 'extendedKeyUsage=clientAuth\n' > "$C/client.ext"
# With auth on, etcd's JSON gateway refuses a client certificate that has
# a Common Name (it could not be the user there): the client's has none.
printf '/CN=server\n' > "$C/server.subj"
printf '/O=superd\n' > "$C/client.subj"
for w in server client; do
	ossl req -newkey rsa:2048 -nodes -subj "$(cat "$C/$w.subj")" \
		-keyout "$C/$w.key" -out "$C/$w.csr"
	ossl x509 -req -in "$C/$w.csr" -CA "$C/ca.crt" -CAkey "$C/ca.key" \
		-CAcreateserial -days 2 -extfile "$C/$w.ext" -out "$C/$w.crt"
done

start_etcd() {
	etcd --name e0 --data-dir "$T/e0" \
		--listen-client-urls "$EP" --advertise-client-urls "$EP" \
		--listen-peer-urls "http://127.0.0.1:$((P+60))" \
		--initial-advertise-peer-urls "http://127.0.0.1:$((P+60))" \
		--initial-cluster "e0=http://127.0.0.1:$((P+60))" \
		--cert-file "$C/server.crt" --key-file "$C/server.key" \
		--trusted-ca-file "$C/ca.crt" --client-cert-auth \
		>> "$T/e0.log" 2>&1 &
	EPID=$!
}
start_etcd

ctl() {
	etcdctl --endpoints "$EP" --cacert "$C/ca.crt" --cert "$C/client.crt" \
		--key "$C/client.key" --command-timeout=2s $AS "$@"
}
AS=
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
wait_for() {
	_end=$(( $(now_ms) + $1 * 1000 )); shift
	while :; do
		"$@" && return 0
		[ "$(now_ms)" -lt "$_end" ] || return 1
		sleep 0.1
	done
}
healthy() { ctl endpoint health >/dev/null 2>&1; }
keys() { ctl get --prefix /superd/v1/services/ --keys-only 2>/dev/null | grep -c "/$1/" || true; }
has_keys() { [ "$(keys "$1")" -ge 1 ]; }
wait_for 30 healthy || fail "etcd did not come up with TLS: $(tail -5 "$T/e0.log")"
# Without a client certificate etcd refuses: the member really wants one.
etcdctl --endpoints "$EP" --cacert "$C/ca.crt" --command-timeout=2s \
	put /probe x >/dev/null 2>&1 && fail "etcd took a write without a client certificate"

# etcd's users: superd may read and write under /superd/v1/ only; root
# (for this test's etcdctl) everything.  Then auth is on.
ctl user add superd:s3cret >/dev/null &&
	ctl role add superd >/dev/null &&
	ctl role grant-permission superd --prefix=true readwrite /superd/v1/ >/dev/null &&
	ctl user grant-role superd superd >/dev/null &&
	ctl user add root:rootpw >/dev/null &&
	ctl user grant-role root root >/dev/null &&
	ctl auth enable >/dev/null || fail "cannot set up etcd's users"
AS="--user root:rootpw"
ctl put /probe x >/dev/null || fail "etcdctl as root cannot write"
etcdctl --endpoints "$EP" --cacert "$C/ca.crt" --cert "$C/client.crt" \
	--key "$C/client.key" --command-timeout=2s --user superd:wrong \
	put /superd/v1/x x >/dev/null 2>&1 && fail "etcd took a wrong password"
printf 's3cret\n' > "$T/pw"
printf 'wrong\n' > "$T/badpw"
chmod 600 "$T/pw" "$T/badpw"

# conf HOST CA [PASSWORD-FILE]: one instance trusting CA.
conf() {
	cat <<CONF
log-level = info
control-socket = "$T/$1.sock"
directory-socket = "$T/$1.dir"
directory-export = etcd
etcd-endpoints = { "$EP" }
etcd-ca = "$2"
etcd-cert = "$C/client.crt"
etcd-key = "$C/client.key"
etcd-user = "superd"
etcd-password-file = "${3:-$T/pw}"
etcd-ttl = 3
host-name = "$1"
service hello {
	address = "127.0.0.1"  port = $((P+1))  server = "/bin/echo"  args = {"$1"}
	export = yes
}
CONF
}

# The right CA: superd publishes, etcdctl with the certificates sees it.
conf good "$C/ca.crt" > "$T/superd.conf"
start_superd
wait_for 10 has_keys good || fail "superd did not publish over TLS: $(grep etcd "$T/log" | tail -5)"
ctl get --prefix /superd/v1/services/hello/good/ | grep -q '"port": *'"$((P+1))" ||
	fail "the value is not superd's: $(ctl get --prefix /superd/v1/)"
# superd-lookup --net reads the same keys from the config file ...
LOOKUP=$top_builddir/superd-lookup
"$LOOKUP" -c "$T/superd.conf" --net hello > "$T/lookup.out" 2>&1 ||
	fail "superd-lookup --net over TLS: $(cat "$T/lookup.out")"
grep -q "127.0.0.1.*$((P+1))\|$((P+1)).*127.0.0.1" "$T/lookup.out" ||
	fail "superd-lookup --net did not find hello: $(cat "$T/lookup.out")"
# ... or from the environment; with the wrong CA it says why.
SUPERD_ETCD_ENDPOINTS=$EP SUPERD_ETCD_CA=$C/other.crt SUPERD_ETCD_CERT=$C/client.crt \
	SUPERD_ETCD_KEY=$C/client.key "$LOOKUP" --net hello > "$T/lookup.out" 2>&1 &&
	fail "superd-lookup --net trusted the wrong CA"
grep -q "certificate not accepted" "$T/lookup.out" ||
	fail "superd-lookup does not say the certificate was refused: $(cat "$T/lookup.out")"

# --watch does neither TLS nor auth yet: it says so instead of hanging.
"$LOOKUP" -c "$T/superd.conf" --net --watch hello > "$T/watch.out" 2>&1 &&
	fail "--watch accepted an https endpoint"
grep -q "does not speak TLS" "$T/watch.out" || fail "--watch: $(cat "$T/watch.out")"

# etcd restarted forgets its tokens: superd authenticates again by itself
# and its key is there again.  (Keep-alives need no token: the lease is
# revoked so that superd must write its key again.)
kill -KILL "$EPID"; wait "$EPID" 2>/dev/null
start_etcd
wait_for 30 healthy || fail "etcd did not come back: $(tail -5 "$T/e0.log")"
LEASE=$(sed -n 's/.*etcd: lease \([0-9a-f]*\) .*/\1/p' "$T/log" | tail -1)
ctl lease revoke "$LEASE" >/dev/null || fail "cannot revoke lease $LEASE"
wait_log "authenticating again as superd" 150 ||
	fail "superd did not authenticate again after etcd's restart"
wait_for 10 has_keys good || fail "superd's key is not back after etcd's restart"
stop_superd

# A wrong password: said in the log, nothing published.
: > "$T/log"
conf badpw "$C/ca.crt" "$T/badpw" > "$T/superd.conf"
start_superd
wait_log "authentication as superd refused" 100 ||
	fail "no log line says the password was refused"
sleep 1
[ "$(keys badpw)" -eq 0 ] || fail "superd published with a wrong password"
grep "authentication as superd refused" "$T/log" | head -1
stop_superd

# Another CA: the server's certificate is refused, said in the log, and
# nothing is published.
: > "$T/log"
conf bad "$C/other.crt" > "$T/superd.conf"
start_superd
wait_log "certificate not accepted" 100 ||
	fail "no log line says the server certificate was refused"
sleep 1
[ "$(keys bad)" -eq 0 ] || fail "superd published with the wrong CA"
grep "certificate not accepted" "$T/log" | head -1
stop_superd
echo "ok: publish over TLS with a client certificate and an etcd user; wrong password and wrong CA refused"
