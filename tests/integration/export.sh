#!/bin/sh
# DNS-SD export with a real avahi-daemon.  Two "hosts" are two network
# namespaces joined by a veth pair (192.0.2.1 and .2, test addresses),
# each with its own D-Bus system bus and avahi-daemon.  superd on host A
# exports a service and a lease; host B finds them with avahi-browse and
# superd-lookup --net; they leave when the lease ends and when superd is
# killed with SIGKILL; after an avahi-daemon restart superd publishes
# again; names and users that may not export are refused.
. "${top_srcdir}/tests/integration/lib.sh"
grep -q '^#define HAVE_AVAHI 1' "$top_builddir/config.h" || skip "built without Avahi"
[ "$(id -u)" = 0 ] || skip "needs root for network namespaces"
for p in ip unshare avahi-daemon avahi-browse dbus-daemon setpriv; do
	command -v $p >/dev/null || skip "$p is not installed"
done
LOOKUP=$top_builddir/superd-lookup
P=$BASE
chmod 755 "$T"		# nobody registers through the directory socket
NA=sdA$$ NB=sdB$$ VA=sdva$$ VB=sdvb$$
PIDS=
unshare -m sh -c 'mount -t tmpfs tmpfs /run' 2>/dev/null ||
	skip "cannot mount a tmpfs in a private mount namespace here"
ip netns add $NA 2>/dev/null || skip "cannot create network namespaces here"
ip netns add $NB
stop_all() {
	stop_superd
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	sleep 0.2
	for p in $PIDS; do kill -9 "$p" 2>/dev/null; done
	ip netns del $NA 2>/dev/null
	ip netns del $NB 2>/dev/null
}
trap 'stop_all; cleanup' EXIT
ip link add $VA type veth peer name $VB || fail "veth pair"
ip link set $VA netns $NA && ip link set $VB netns $NB
ip -n $NA addr add 192.0.2.1/24 dev $VA
ip -n $NB addr add 192.0.2.2/24 dev $VB
for n in $NA $NB; do ip -n $n link set lo up; done
ip -n $NA link set $VA up multicast on
ip -n $NB link set $VB up multicast on

# host H NS IFACE: a private system bus and an avahi-daemon in NS.
host() {
	mkdir -p "$T/$1"
	cat > "$T/$1/bus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=$T/$1/bus.sock</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/> <allow own="*"/>
    <allow send_destination="*"/> <allow receive_sender="*"/>
  </policy>
</busconfig>
EOF
	cat > "$T/$1/avahi.conf" <<EOF
[server]
host-name=superd-test-$1
use-ipv4=yes
use-ipv6=no
allow-interfaces=$3
enable-dbus=yes
ratelimit-interval-usec=0
[wide-area]
enable-wide-area=no
[publish]
publish-hinfo=no
publish-workstation=no
EOF
	ip netns exec $2 dbus-daemon --config-file="$T/$1/bus.conf" --nofork \
	    --nopidfile 2>"$T/$1/dbus.log" &
	PIDS="$PIDS $!"
	for _ in $(seq 50); do [ -S "$T/$1/bus.sock" ] && break; sleep 0.1; done
	[ -S "$T/$1/bus.sock" ] || fail "dbus-daemon for $1 did not start"
	avahi_up "$1" "$2"
}
# avahi_up H NS: avahi-daemon with its own /run/avahi-daemon (pid file).
avahi_up() {
	ip netns exec $2 unshare -m sh -c "mkdir -p /run/avahi-daemon &&
	    mount -t tmpfs tmpfs /run/avahi-daemon &&
	    DBUS_SYSTEM_BUS_ADDRESS=unix:path=$T/$1/bus.sock exec avahi-daemon \
	    -f $T/$1/avahi.conf --no-drop-root --no-chroot --no-rlimits" \
	    >"$T/$1/avahi.log" 2>&1 &
	eval "AVAHI_$1=\$!"
	PIDS="$PIDS $!"
	for _ in $(seq 100); do
		grep -q "Server startup complete" "$T/$1/avahi.log" && return 0
		sleep 0.1
	done
	fail "avahi-daemon for $1 did not start: $(tail -3 "$T/$1/avahi.log")"
}
host A $NA $VA
host B $NB $VB

# On host B: browse, and superd-lookup --net.
onb() { DBUS_SYSTEM_BUS_ADDRESS=unix:path=$T/B/bus.sock ip netns exec $NB "$@"; }
ona() { DBUS_SYSTEM_BUS_ADDRESS=unix:path=$T/A/bus.sock ip netns exec $NA "$@"; }
# found NAME: superd-lookup --net on B prints NAME's endpoint (tries ~6 s).
found() {
	for _ in 1 2 3 4 5 6; do
		r=$(onb "$LOOKUP" --net --wait 1 "$1" 2>/dev/null) && { echo "$r"; return 0; }
	done
	return 1
}
gone() {
	for _ in 1 2 3 4 5 6; do
		onb "$LOOKUP" --net --wait 1 "$1" >/dev/null 2>&1 || return 0
	done
	return 1
}

{ conf_globals; cat <<CONF
directory-export = avahi
directory-allow = {"mine=nobody"}
service web { type = builtin  address = "0.0.0.0"  port = $((P+1))  server = echo  export = yes }
service quiet { type = builtin  address = "0.0.0.0"  port = $((P+2))  server = echo }
CONF
} > "$T/superd.conf"
DBUS_SYSTEM_BUS_ADDRESS=unix:path=$T/A/bus.sock ip netns exec $NA \
    "$SUPERD" -f -c "$T/superd.conf" 2>>"$T/log" &
SPID=$!
wait_log "started" 50 || fail "superd did not start"
wait_log 'export: published "web on superd-test-A" (_web._tcp port' 50 || fail "web not published"

r=$(found web) || fail "superd-lookup --net web found nothing on host B"
[ "$r" = "192.0.2.1:$((P+1))/tcp" ] || fail "--net web printed '$r'"
onb timeout 10 avahi-browse -rpkt _web._tcp > "$T/browse"
grep -q "^=;$VB;IPv4;web\\\\032on\\\\032superd-test-A;_web._tcp;local;superd-test-A.local;192.0.2.1;$((P+1));\"source=static\"" "$T/browse" \
	|| fail "avahi-browse on B: $(cat "$T/browse")"
[ "$(onb "$SDCLIENT" -s hi 192.0.2.1 "$((P+1))")" = hi ] || fail "B cannot use what it found"
onb "$LOOKUP" --net --wait 1 quiet >/dev/null 2>&1 && fail "a service without export = yes was published"
ok "export = yes: found from host B by avahi-browse and superd-lookup --net"

# libsuperd on B (no superd there): connect by name falls back to DNS-SD.
r=$(onb env SUPERD_DIRECTORY="$T/none.sock" "$top_builddir/tests/integration/lookup_connect" -n web) \
	|| fail "superd_connect with SUPERD_CONNECT_NET failed on B"
[ "$r" = ping ] || fail "connect by name over the network answered '$r'"
onb env SUPERD_DIRECTORY="$T/none.sock" "$top_builddir/tests/integration/lookup_connect" web >/dev/null 2>&1 \
	&& fail "without SUPERD_CONNECT_NET the network was asked"
ok "libsuperd: superd_connect(..., SUPERD_CONNECT_NET) finds the service on another host"

# A lease asks for export: root may; nobody only for a name reserved to it.
ona "$LOOKUP" -S "$T/directory.sock" --register lease tcp 7000 --addr 192.0.2.1 \
    --ttl 3 --export --tag role=test >/dev/null || fail "root's export registration"
r=$(found lease) || fail "exported lease not found from B"
[ "$r" = "192.0.2.1:7000/tcp" ] || fail "lease: '$r'"
onb "$LOOKUP" --net -j --wait 1 lease | grep -q '"role":"test"' || fail "lease TXT lacks its tag"
onb "$LOOKUP" --net -j --wait 1 lease | grep -q '"uid":[0-9]' && fail "TXT shows the owner's uid"
gone lease || fail "lease still on the network after its TTL"
wait_log 'export: withdrew "lease on superd-test-A"' 30 || fail "withdrawal not logged"
ok "an exported lease is published with its tags, and leaves when it ends"

as_nobody() { ona setpriv --reuid=nobody --regid="$(id -gn nobody)" --clear-groups "$@"; }
as_nobody "$LOOKUP" -S "$T/directory.sock" --register other tcp 7001 --ttl 30 --export 2>"$T/err" \
	&& fail "nobody exported a name not reserved for it"
grep -q "EPERM export needs" "$T/err" || fail "refusal: $(cat "$T/err")"
as_nobody "$LOOKUP" -S "$T/directory.sock" --register mine tcp 7002 --addr 192.0.2.1 --ttl 30 --export \
	>/dev/null || fail "nobody could not export its reserved name"
found mine >/dev/null || fail "nobody's reserved, exported name not found"
ok "users may export only names directory-allow reserves for them"

# avahi-daemon restarts: superd publishes again by itself.
kill "$AVAHI_A"; sleep 1
avahi_up A $NA
wait_log 'export: avahi-daemon is running; publishing as superd-test-A' 50 || true
found web >/dev/null || fail "web not published again after avahi-daemon restarted"
ok "after an avahi-daemon restart superd publishes again"

kill -KILL "$SPID"; wait "$SPID" 2>/dev/null; SPID=
gone web || fail "web still on the network after superd was killed"
ok "SIGKILL of superd: its services leave the network"

# Config: a name that cannot be a DNS-SD type is refused.
printf 'directory-export = avahi\nservice Web_1 {\n  type = builtin\n  port = 7\n  server = echo\n  export = yes\n}\n' > "$T/bad.conf"
"$SUPERD" -t -c "$T/bad.conf" 2>"$T/err"; rc=$?
[ $rc = 78 ] && grep -q 'bad.conf:6: service "Web_1": export = yes needs a service name' "$T/err" \
	|| fail "bad export name: exit $rc, $(cat "$T/err")"
ok "export = yes with a non-RFC 6335 name is a config error"
