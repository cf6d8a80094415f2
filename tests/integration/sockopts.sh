#!/bin/sh
# Socket options (keepalive, nodelay, reuse-port, ... see superd.conf(5)):
# each is read back with getsockopt by a handler (sockopt_probe) on the
# socket it was given: the accepted connection (nowait), the listener
# (wait = yes), the datagram socket.  A reload that changes them applies
# them (in place, or by binding anew).  Bad values and options superd
# lacks the capability for are config errors with file:line.  Options
# that need root (mark, transparent, priority above 6) skip without it.
. "${top_srcdir}/tests/integration/lib.sh"
PROBE=$top_builddir/tests/integration/sockopt_probe
[ -x "$PROBE" ] || fail "sockopt_probe not built"
cd "$T" || fail "cd"
ROOT=0
[ "$(id -u)" = 0 ] && ROOT=1
P_ALL=$((BASE + 1)) P_WAIT=$((BASE + 2)) P_UDP=$((BASE + 3))
P_FREE=$((BASE + 4)) P_ROOT=$((BASE + 5)) P_V6=$((BASE + 6))
P_OOB=$((BASE + 7))
U="$T/u.sock"
# A congestion control superd may set without CAP_NET_ADMIN.
CC=$(cut -d' ' -f1 /proc/sys/net/ipv4/tcp_allowed_congestion_control 2>/dev/null)
[ -n "$CC" ] || CC=reno
HAVE6=0
if [ -e /proc/net/if_inet6 ] && grep -q '00000000000000000000000000000001' \
    /proc/net/if_inet6; then
	HAVE6=1
fi

# write_conf IDLE NODELAY WAITEXTRA [PASSCRED]: the services.
write_conf() {
	{ conf_globals; cat <<CONF
service all {
	address = "127.0.0.1"  port = $P_ALL  server = "$PROBE"
	keepalive = yes  keepalive-idle = $1  keepalive-interval = 11
	keepalive-count = 5  nodelay = $2  ip-tos = "low-delay"
	priority = 5  tcp-congestion = "$CC"
	receive-buffer = "64K"  send-buffer = "96K"
}
service waiting {
	address = "127.0.0.1"  port = $P_WAIT  server = "$PROBE"  wait = yes
	defer-accept = 5  freebind = yes  $3
}
service dgram {
	protocol = udp  address = "127.0.0.1"  port = $P_UDP  server = "$PROBE"
	wait = yes  pass-packet-info = yes  reuse-port = yes
}
service local {
	protocol = unix  address = "$U"  server = "$PROBE"
	pass-credentials = ${4:-yes}  send-buffer = "32K"
}
service elsewhere {
	address = "192.0.2.1"  port = $P_FREE  server = "/bin/cat"  freebind = yes
}
CONF
	[ "$ROOT" = 1 ] && cat <<CONF
service privileged {
	address = "127.0.0.1"  port = $P_ROOT  server = "$PROBE"
	mark = 42  transparent = yes  bind-to-device = "lo"  priority = 7
	oob-port = $P_OOB
}
CONF
	[ "$HAVE6" = 1 ] && cat <<CONF
service six {
	address = "::1"  port = $P_V6  server = "$PROBE"  ip-tos = "0x20"
	keepalive = yes
}
CONF
	} > superd.conf
}

# probe WHAT [sdclient args]: the handler's "key=value" lines into $T/got.
probe() {
	_what=$1
	shift
	$SDCLIENT -t 3000 -s x "$@" > got 2>&1 || fail "$_what: no answer: $(cat got)"
}
# want KEY VALUE: a line of the last probe.
want() {
	grep -qx -- "$1=$2" got ||
	    fail "$1: want $2, read back $(grep -- "^$1=" got || echo nothing)"
}
# at_least KEY N
at_least() {
	_v=$(sed -n "s/^$1=//p" got)
	[ -n "$_v" ] && [ "$_v" != - ] && [ "$_v" -ge "$2" ] ||
	    fail "$1: want at least $2, read back '$_v'"
}
# bufsize BYTES MAXFILE: what the kernel reports after SO_*BUF(FORCE).
bufsize() {
	_max=$(cat "/proc/sys/net/core/$2")
	if [ "$ROOT" = 1 ] || [ "$1" -le "$_max" ]; then
		echo $(($1 * 2))
	else
		echo $((_max * 2))
	fi
}

write_conf 77 yes ""
start_superd
wait_log "listening on 127.0.0.1 port $P_UDP" 20 || true

# --- nowait TCP: the accepted connection ---
probe "tcp nowait" 127.0.0.1 $P_ALL
want keepalive 1
want keepalive-idle 77
want keepalive-interval 11
want keepalive-count 5
want nodelay 1
want ip-tos 16
want priority 5
want tcp-congestion "$CC"
want receive-buffer "$(bufsize 65536 rmem_max)"
want send-buffer "$(bufsize 98304 wmem_max)"
ok "keepalive (idle, interval, count), nodelay, ip-tos, priority, tcp-congestion, buffers on an accepted connection"

# --- wait = yes: the listener itself ---
probe "tcp wait" 127.0.0.1 $P_WAIT
at_least defer-accept 5
want freebind 1
want reuse-port 0
ok "defer-accept and freebind on the listener (wait = yes)"

# --- UDP ---
probe "udp" -u 127.0.0.1 $P_UDP
want pass-packet-info 1
want reuse-port 1
ok "pass-packet-info and reuse-port on a udp socket"

# --- unix ---
probe "unix" -U "$U"
want pass-credentials 1
want send-buffer "$(bufsize 32768 wmem_max)"
ok "pass-credentials and send-buffer on a unix connection"

# --- freebind: an address this host does not have ---
ss -tln 2>/dev/null | grep -q "192.0.2.1:$P_FREE " ||
	fail "freebind: nothing listens on 192.0.2.1:$P_FREE"
grep -q "service elsewhere: bind" log && fail "freebind: bind failed"
ok "freebind: listening on an address the host does not have"

# --- ss: the listener as the kernel reports it ---
if ss -tlni "sport = :$P_ALL" 2>/dev/null | grep -qw "$CC"; then
	ok "ss -tlni shows $CC on the listener"
else
	echo "# ss does not show the congestion control here; getsockopt checked it"
fi

if [ "$ROOT" = 1 ]; then
	probe "privileged" 127.0.0.1 $P_ROOT
	want mark 42
	want transparent 1
	want bind-to-device lo
	want priority 7
	ok "mark, transparent, bind-to-device, priority 7 (root)"
	if ss -tlnie "sport = :$P_ROOT" 2>/dev/null | grep -q "fwmark:0x2a"; then
		ok "ss -tlnie shows fwmark:0x2a on the listener"
		ss -tlnie "sport = :$P_OOB" | grep -q "127.0.0.1:$P_OOB" ||
			fail "the oob-port listener is not there"
		ss -tlnie "sport = :$P_OOB" | grep -q "fwmark" &&
			fail "the oob-port listener got the service's mark"
		ok "the oob-port listener does not take the service's socket options"
	fi
else
	echo "# SKIP: not root: mark, transparent, bind-to-device, priority > 6"
fi

if [ "$HAVE6" = 1 ]; then
	probe "ipv6" ::1 $P_V6
	want ip-tos 32
	want keepalive 1
	ok "ip-tos as IPV6_TCLASS on an IPv6 connection"
else
	echo "# SKIP: no ::1 here: ip-tos on IPv6"
fi

# --- reload: in place (same listener) ---
ino() { ss -tlne "sport = :$P_ALL" | sed -n 's/.* ino:\([0-9]*\).*/\1/p' | head -1; }
ino0=$(ino)
write_conf 88 no ""
: > log.before; cp log log.before
kill -HUP "$SPID"
wait_log "service all: socket options updated" 30 ||
	fail "reload: no 'socket options updated' for service all"
probe "tcp after reload" 127.0.0.1 $P_ALL
want keepalive-idle 88
want nodelay 0
want keepalive 1
[ -z "$ino0" ] || [ "$(ino)" = "$ino0" ] ||
	fail "reload re-bound the listener (inode $ino0 -> $(ino)) for options it can set in place"
ok "a reload sets changed options on the bound listener (keepalive-idle 77 -> 88, nodelay off)"

# --- reload: a unix socket, in place ---
write_conf 88 no "" no
kill -HUP "$SPID"
wait_log "service local: socket options updated" 30 ||
	fail "reload: no 'socket options updated' for service local"
probe "unix after reload" -U "$U"
want pass-credentials 0
ok "a reload turns pass-credentials off on the bound unix socket"

# --- reload: an option that counts at bind ---
write_conf 88 no "reuse-port = yes" no
kill -HUP "$SPID"
wait_log "service waiting: socket options changed: binding the socket anew" 30 ||
	fail "reload: reuse-port did not re-bind service waiting"
sleep 0.3
probe "tcp wait after reload" 127.0.0.1 $P_WAIT
want reuse-port 1
ok "a reload that turns on reuse-port binds the socket anew"
kill -0 "$SPID" || fail "superd died"
stop_superd

# --- config errors: file:line ---
# bad TEXT MESSAGE: superd -t refuses a service with TEXT (line 3).
bad() {
	printf 'service b {\n  server = "/bin/cat"\n  %s\n  %s\n}\n' "$1" \
	    "${3:-port = $P_ALL}" > bad.conf
	"$SUPERD" -t -c bad.conf > out 2>&1
	rc=$?
	[ $rc -eq 78 ] || fail "-t exit $rc for: $1"
	grep -qF -- "bad.conf:3: service \"b\": $2" out ||
	    { cat out >&2; fail "message not found: $2"; }
	ok "config error: $1"
}
bad 'defer-accept = 5' 'defer-accept is for tcp services' 'protocol = udp  port = 9'
bad 'keepalive-count = 200' 'keepalive-count 200 out of range (1-127)'
bad 'keepalive-idle = 0' 'keepalive-idle 0 out of range (1-32767)'
bad 'receive-buffer = "12Q"' 'receive-buffer "12Q" is not a size'
bad 'send-buffer = "4G"' 'send-buffer 4294967296 out of range'
bad 'ip-tos = "300"' 'ip-tos "300" is not low-delay'
bad 'ip-tos = "0x11"' 'ip-tos 0x11: on tcp the kernel owns the two low (ECN) bits'
bad 'tcp-congestion = "nosuchcc"' 'tcp-congestion "nosuchcc" is not available here'
bad 'pass-credentials = yes' 'pass-credentials is for unix sockets'
bad 'pass-packet-info = yes' 'pass-packet-info is for udp services'
bad 'bind-to-device = "a very long device name"' 'bind-to-device "a very long device name" is not a name'
bad 'mark = -1' 'mark -1 out of range (0-4294967295)'
bad 'nodelay = yes' 'nodelay is for tcp services' "protocol = unix  address = \"$T/b.sock\""

# From the defaults section an option that does not fit is left out.
printf 'defaults { nodelay = yes  keepalive = yes }\nservice b {\n  server = "/bin/cat"\n  protocol = udp  port = 9\n}\n' > good.conf
"$SUPERD" -t -c good.conf > out 2>&1 || { cat out >&2; fail "defaults: nodelay refused on a udp service"; }
ok "nodelay from the defaults section is left out of a udp service"

printf 'service b {\n  server = "/bin/cat"\n  keepalive-idle = 30\n  port = 9\n}\n' > note.conf
"$SUPERD" -t -c note.conf > out 2>&1 || { cat out >&2; fail "keepalive-idle alone refused"; }
grep -qF 'note.conf:3: service "b": warning: keepalive-idle has no effect without keepalive = yes' out ||
	{ cat out >&2; fail "no warning for keepalive-idle without keepalive"; }
ok "keepalive-idle without keepalive = yes: a warning"

# --- capabilities superd lacks ---
if [ "$ROOT" = 1 ] && command -v setpriv >/dev/null 2>&1 &&
    setpriv --bounding-set=-net_admin,-net_raw true 2>/dev/null; then
	nocap() {
		setpriv --inh-caps=-all --bounding-set=-net_admin,-net_raw \
		    "$SUPERD" -t -c bad.conf > out 2>&1
	}
	for t in 'mark = 42|mark 42 needs CAP_NET_ADMIN or CAP_NET_RAW' \
	    'transparent = yes|transparent 1 needs CAP_NET_ADMIN or CAP_NET_RAW' \
	    'priority = 7|priority above 6: 7 needs CAP_NET_ADMIN or CAP_NET_RAW'; do
		printf 'service b {\n  server = "/bin/cat"\n  %s\n  port = 9\n}\n' \
		    "${t%%|*}" > bad.conf
		nocap && fail "${t%%|*} accepted without CAP_NET_ADMIN/CAP_NET_RAW"
		grep -qF "bad.conf:3: service \"b\": ${t#*|}" out ||
		    { cat out >&2; fail "message not found: ${t#*|}"; }
		ok "without the capability: ${t%%|*} is a config error"
	done
	printf 'service b {\n  server = "/bin/cat"\n  priority = 6\n  port = 9\n}\n' > bad.conf
	nocap || { cat out >&2; fail "priority 6 refused without capabilities"; }
	ok "priority 6 needs no capability"
	# Linux 5.7+: a socket's first device needs no capability (a change
	# would: superd binds anew instead).
	printf 'service b {\n  server = "/bin/cat"\n  bind-to-device = "lo"\n  port = 9\n}\n' > bad.conf
	nocap || { cat out >&2; fail "bind-to-device refused without capabilities"; }
	ok "bind-to-device needs no capability"
	NA=
	for c in $(cat /proc/sys/net/ipv4/tcp_available_congestion_control); do
		grep -qw "$c" /proc/sys/net/ipv4/tcp_allowed_congestion_control ||
		    { NA=$c; break; }
	done
	if [ -n "$NA" ]; then
		printf 'service b {\n  server = "/bin/cat"\n  tcp-congestion = "%s"\n  port = 9\n}\n' "$NA" > bad.conf
		nocap && fail "tcp-congestion $NA accepted without CAP_NET_ADMIN"
		grep -qF "bad.conf:3: service \"b\": tcp-congestion \"$NA\" needs CAP_NET_ADMIN" out ||
		    { cat out >&2; fail "no capability error for tcp-congestion $NA"; }
		ok "tcp-congestion $NA (not in tcp_allowed_congestion_control) needs CAP_NET_ADMIN"
	fi
else
	echo "# SKIP: not root or no setpriv: the capability errors"
fi
