#!/bin/sh
# convert.sh: superd-convert over Debian-style inetd.conf and xinetd
# samples.  Checks translated fragments, "FILE:LINE: why" reports on
# stderr, exit statuses (0 all, 1 partial, 2 usage/IO), and that every
# output loads with superd -t.
: "${top_srcdir:=.}"
: "${top_builddir:=.}"
: "${SUPERD:=$top_builddir/superd}"

conv="$top_builddir/superd-convert"
samples="$top_srcdir/tests/integration/convert"
if [ ! -x "$conv" ]; then
	echo "SKIP: $conv is not built"
	exit 77
fi
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
failed=0

fail() {
	echo "FAIL: $*"
	failed=1
}

# run NAME EXPECTED_STATUS ARGS...: outputs in $tmp/NAME.out, .err
run() {
	name=$1 want=$2
	shift 2
	"$conv" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
	rc=$?
	[ "$rc" -eq "$want" ] ||
	    fail "$name: exit $rc, expected $want ($(cat "$tmp/$name.err"))"
}

# out NAME STRING... / err NAME STRING...: fixed strings expected
out() {
	name=$1
	shift
	for s; do
		grep -qF -- "$s" "$tmp/$name.out" || fail "$name: no '$s' in output"
	done
}
err() {
	name=$1
	shift
	for s; do
		grep -qF -- "$s" "$tmp/$name.err" || fail "$name: no '$s' on stderr"
	done
}
count() {
	n=$(grep -cF -- "$3" "$tmp/$1.$2")
	[ "$n" -eq "$4" ] || fail "$1: '$3' $n times in $2, expected $4"
}

# Every stderr line must say where: "FILE:LINE: ...".
located() {
	if grep -vqE '^[^:]+:[0-9]+: ' "$tmp/$1.err"; then
		fail "$1: stderr line without FILE:LINE:"
		grep -vE '^[^:]+:[0-9]+: ' "$tmp/$1.err"
	fi
}

# superd -t: servers and banner files of the samples need not exist
# here, so point them at ones that do before loading.
superd_ok=0
if [ -x "$SUPERD" ]; then
	printf 'log-level = info\n' >"$tmp/empty.conf"
	(cd "$tmp" && "$SUPERD" -t -c empty.conf) >/dev/null 2>&1 && superd_ok=1
fi
[ "$superd_ok" = 1 ] ||
    echo "NOTE: $SUPERD -t is not available yet; outputs not validated"
# A superd built without libtirpc refuses type = rpc: check those
# services as plain exec ones on a dynamic port (sed script norpc.sed).
: >"$tmp/norpc.sed"
if [ "$superd_ok" = 1 ]; then
	printf 'service r { type = rpc rpc-program = 1 rpc-versions = 1 server = "/bin/sh" }\n' >"$tmp/rpc.conf"
	if (cd "$tmp" && "$SUPERD" -t -c rpc.conf) 2>&1 | grep -q libtirpc; then
		printf '%s\n' 's|type = rpc$|type = exec port = 0|' \
		    '/rpc-program = \|rpc-versions = /d' >"$tmp/norpc.sed"
		echo "NOTE: superd built without libtirpc; rpc services checked as exec"
	fi
fi
# Users and groups of the samples that this host lacks become nobody and
# nogroup (Debian's packages create identd, uucp... on install).
stub_ids() {
	sed -n 's/^[[:space:]]*user = "\(.*\)"$/\1/p' "$1" | sort -u |
	while read -r u; do
		id -u "$u" >/dev/null 2>&1 ||
		    printf 's|user = "%s"$|user = "nobody"|\n' "$u"
	done
	sed -n 's/^[[:space:]]*group = "\(.*\)"$/\1/p' "$1" | sort -u |
	while read -r g; do
		getent group "$g" >/dev/null 2>&1 ||
		    printf 's|group = "%s"$|group = "nogroup"|\n' "$g"
	done
}
check() {
	[ "$superd_ok" = 1 ] || return 0
	stub_ids "$tmp/$1.out" >"$tmp/$1.ids"
	sed -f "$tmp/norpc.sed" -e 's|^\([[:space:]]*server = \)"/.*"$|\1"/bin/sh"|' \
	    -e 's|^\([[:space:]]*banner\(-fail\|-success\)\{0,1\} = \).*|\1"/dev/null"|' \
	    -f "$tmp/$1.ids" "$tmp/$1.out" >"$tmp/$1.conf"
	(cd "$tmp" && "$SUPERD" -t -c "$1.conf") >"$tmp/$1.t" 2>&1
	rc=$?
	[ "$rc" -eq 0 ] || { fail "$1: superd -t exit $rc"; cat "$tmp/$1.t"; }
}

# --- inetd.conf, Debian style -----------------------------------------
run inetd 1 "$samples/inetd.conf"
out inetd '# from ' "inetd.conf (inetd.conf format)" \
    "# from $samples/inetd.conf:21" 'service echo {' 'address = "::"' \
    'v6only = yes' 'service echo-udp {' 'name = "echo"' \
    'type = builtin' 'server = "chargen"' 'address = "*"' \
    'address = "0.0.0.0"' 'rate = "40/min"' 'group = "utmp"' \
    'server = "/usr/sbin/tcpd"' 'argv0 = "/usr/sbin/in.telnetd"' \
    'args = {"-l", "-a"}' 'user = "nobody"' 'group = "tty"' \
    'args = {"--secure", "/srv/tftp"}' 'protocol = unix' \
    'address = "/run/superd-test/sshd.sock"' 'service sshd {' \
    'address = "127.0.0.1"' '"\"quoted\\arg\""' \
    '#service auth {' 'service rstatd {' 'type = rpc' \
    'rpc-program = "rstatd"' 'rpc-versions = "1-3"'
count inetd out 'service discard {' 1	# the #<off># line, not the #
count inetd out 'disable = yes' 2	# discard and login
count inetd out 'service shell' 0
out inetd 'service scanner {' 'tcpmux = plus'
count inetd err 'inetd.conf:50:' 0	# rpc/udp is translated
err inetd \
    "inetd.conf:58: port \"swat\"" "inetd.conf:59: internal service \"auth\"" \
    "inetd.conf:29: note: rate 40/min"
located inetd
check inetd

run inetd-clean 0 "$samples/inetd-clean.conf"
out inetd-clean 'rate = "60/min"' 'service echo-udp {'
count inetd-clean err 'note:' 1
located inetd-clean
check inetd-clean

run inetd-stdin 0 - <"$samples/inetd-clean.conf"
out inetd-stdin '# from <stdin> (inetd.conf format)' 'service finger {'

# --- xinetd.conf with defaults and includedir /etc/xinetd.d -----------
x="$samples/xinetd"
run xinetd 1 -R "$x" "$x/etc/xinetd.conf"
out xinetd '(xinetd format)' 'service chargen-udp {' 'server = "daytime"' \
    'per-source = 10' 'instances = 60' 'instances = 0' 'instances = 4' \
    'port = 2401' 'address = "127.0.0.1"' 'argv0 = "/usr/bin/cvs"' \
    'args = {"-f", "--allow-root=/srv/cvsroot", "pserver"}' \
    'only-from = {"0.0.0.0/0", "::/0"}' 'env = {"HOME=/srv/cvsroot"}' \
    'env = {"RSYNC_PROXY=", "LANG=C"}' 'rlimit-as = "64M"' \
    'rlimit-nofile = 256' 'banner-fail = "/etc/issue.net"' \
    'group = "nogroup"' 'rate = "100/s"' 'nice = 10' \
    'args = {"-s", "/srv/tftp", "-u", "nobody"}' \
    'only-from = {"192.168.10.0/24", "10.20.1.0/24", "10.20.2.0/24", "2001:db8:10::/48", "127.0.0.1", "::1"}' \
    'no-access = {"192.168.10.66", "10.0.0.0/24"}' \
    'only-from = {"monitor.example.org", "203.0.113.0/24"}' \
    'banner = "/etc/issue"' 'banner-success = "/etc/motd"' 'max-load = 2.5' \
    'env-pass = {"TZ"}' 'env-pass = {"PATH", "TZ"}' \
    'service smtp {' 'redirect = "192.0.2.25 25"' 'rpc-versions = "1-3"' \
    '#service servers {'
count xinetd out 'umask = "022"' 6	# exec services (2 commented out)
count xinetd out 'disable = yes' 7	# off by file, discard-dgram by list
count xinetd out 'service tftp' 1	# tftp.dpkg-old skipped
err xinetd 'xinetd.conf:18: note: ' 'tftp.dpkg-old skipped' \
    'xinetd.conf:9: note: defaults log_type' \
    'legacy:22: note: only_from "monitor.example.org": a host name' \
    'legacy:22: only_from ".example.net": superd does not match domains' \
    'legacy:23: access_times' 'cvspserver:11: note: flag REUSE: superd always sets SO_REUSEADDR' \
    'tftp:19: banner = /etc/issue.net: superd sends banners on stream connections only' \
    'legacy:27: rlimit_stack' 'legacy:28: deny_time' \
    'legacy:42: internal service "servers"' \
    'tftp:15: note: cps 100 -> rate "100/s"'
count xinetd err 'umask is left out' 1	# a default said once
count xinetd err 'legacy:9: redirect' 0	# superd forwards itself
count xinetd err 'RPC' 0			# type = RPC is translated
count xinetd out '#service rstatd' 0
# flags = KEEPALIVE is a key now, not a report.
out xinetd 'keepalive = yes'
count xinetd err 'KEEPALIVE' 0
located xinetd
check xinetd

run xinetd-dir 1 "$x/etc/xinetd.d"
out xinetd-dir '# from ' "xinetd.d (xinetd format)" 'service cvs {'
located xinetd-dir
check xinetd-dir

# cps is a note only: everything else here translates.
printf '%s\n' 'service tftp' '{' '	socket_type = dgram' '	wait = yes' \
    '	user = nobody' '	server = /usr/sbin/in.tftpd' '	cps = 50 10' \
    '	server_args = -s "/srv/a b"' '}' >"$tmp/x.in"
run xinetd-stdin 0 -x - <"$tmp/x.in"
out xinetd-stdin 'rate = "50/s"' 'protocol = udp' \
    'args = {"-s", "\"/srv/a", "b\""}'
err xinetd-stdin '<stdin>:7: note: cps 50'
check xinetd-stdin

# xinetd type = RPC: rpc_number wins over the name, a port is dropped
# (rpcbind gives it), rpc_version is required and checked.
printf '%s\n' 'service rusersd' '{' '	type = RPC' '	rpc_number = 100002' \
    '	rpc_version = 2-3' '	socket_type = dgram' '	wait = yes' \
    '	user = nobody' '	port = 4000' '	server = /usr/sbin/rpc.rusersd' '}' \
    'service rwalld' '{' '	type = RPC' '	socket_type = dgram' \
    '	wait = yes' '	user = nobody' '	server = /usr/sbin/rpc.rwalld' '}' \
    'service sprayd' '{' '	type = RPC' '	rpc_version = 1-99' \
    '	socket_type = dgram' '	wait = yes' '	server = /usr/sbin/rpc.sprayd' '}' \
    'service daytime' '{' '	rpc_version = 2' '	socket_type = stream' \
    '	wait = no' '	server = /bin/date' '}' \
    >"$tmp/xrpc.in"
run xinetd-rpc 1 -x - <"$tmp/xrpc.in"
out xinetd-rpc 'service rusersd {' 'type = rpc' 'rpc-program = "100002"' \
    'rpc-versions = "2-3"' '#service rwalld {' '#service sprayd {'
count xinetd-rpc out 'port = ' 1	# daytime's, not rusersd's 4000
count xinetd-rpc out 'port = 4000' 0
err xinetd-rpc '<stdin>:9: note: port 4000: an RPC service gets a dynamic port' \
    '<stdin>:12: type RPC without rpc_version' \
    '<stdin>:23: rpc_version "1-99": more than 64 versions' \
    '<stdin>:30: note: rpc_version without type = RPC: ignored'
located xinetd-rpc
check xinetd-rpc

# --- Debian 12 as shipped: packages' update-inetd lines (README) ------
d="$samples/debian"
run deb-inetd 0 "$d/inetd.conf"	# rpc/udp was the last part left out
check deb-inetd
located deb-inetd
# ftpd-ssl's active ftp runs; proftpd's "#<off>#" one shares its port.
count deb-inetd out 'service ftp {' 1
out deb-inetd '#service ftp-tcp {' 'argv0 = "/usr/sbin/in.ftpd"'
err deb-inetd 'inetd.conf:15: note: disabled "ftp" is on the endpoint of "ftp"' \
    'inetd.conf:24: note: disabled "ntalk"'
# rstatd's postinst line (update-inetd --group RPC) becomes an rpc service.
count deb-inetd err 'inetd.conf:38:' 0
out deb-inetd 'service rstatd {' 'type = rpc' 'rpc-program = "rstatd"' \
    'rpc-versions = "1-5"' 'argv0 = "/usr/sbin/rpc.rstatd"'
count deb-inetd out '#service rstatd' 0
# git's README.Debian tcp4 + tcp6 pair is one dual-stack service.
count deb-inetd out 'service git' 1
err deb-inetd 'inetd.conf:42: note: "git" on IPv4'
# Debian's inetd: tcp and udp mean IPv4 and IPv6.
count deb-inetd out 'address = "0.0.0.0"' 1	# the ntalk udp4 comment
count deb-inetd out 'address = "*"' 14
count deb-inetd out 'disable = yes' 4		# telnet, uucp + 2 comments

x="$d/xinetd"
run deb-xinetd 1 -R "$x" "$x/etc/xinetd.conf"
check deb-xinetd
located deb-xinetd
err deb-xinetd 'chargen-udp:4: note: disabled "chargen" is on the endpoint' \
    'echo-udp:4: note: ' 'time-udp:4: note: ' \
    'servers:4: internal service "servers"'
count deb-xinetd out 'service echo {' 1
count deb-xinetd out 'service echo-udp {' 1
count deb-xinetd out '#service echo-udp-2 {' 1
# No flags: Debian 12's xinetd listens on IPv6 and IPv4.
count deb-xinetd out 'address = "0.0.0.0"' 0
count deb-xinetd out 'address = "*"' 17

# xinetd flags: IPv4 alone is IPv4; IPv6 with v6only = yes is IPv6 only.
printf '%s\n' 'service a' '{' 'type = UNLISTED' 'port = 6001' \
    'socket_type = stream' 'wait = no' 'user = nobody' \
    'server = /bin/sh' 'flags = IPv4' '}' 'service b' '{' \
    'type = UNLISTED' 'port = 6002' 'socket_type = stream' 'wait = no' \
    'user = nobody' 'server = /bin/sh' 'flags = IPv6' 'v6only = yes' '}' \
    'service c' '{' 'type = UNLISTED' 'port = 6003' 'socket_type = stream' \
    'wait = no' 'user = nobody' 'server = /bin/sh' '}' >"$tmp/fam.in"
run xfam 0 -x "$tmp/fam.in"
out xfam 'address = "0.0.0.0"' 'address = "::"' 'v6only = yes' \
    'address = "*"'
check xfam

# TCP wrappers: flags = NOLIBWRAP is libwrap = no (and wins over a
# libwrap attribute, as in xinetd); "libwrap = NAME" is libwrap = yes, with
# a note when superd's daemon name (the handler's argv[0]) is not NAME; a
# wait = yes stream service has no client address to check: reported.
printf '%s\n' 'service finger' '{' 'socket_type = stream' 'wait = no' \
    'user = nobody' 'server = /usr/sbin/in.fingerd' 'libwrap = fingerd' '}' \
    'service tftp' '{' 'socket_type = dgram' 'wait = yes' 'user = nobody' \
    'server = /usr/sbin/in.tftpd' 'libwrap = in.tftpd' '}' \
    'service cvs' '{' 'type = UNLISTED' 'port = 2401' 'socket_type = stream' \
    'wait = no' 'user = nobody' 'server = /usr/bin/cvs' \
    'flags = NOLIBWRAP' 'libwrap = cvs' '}' \
    'service w' '{' 'type = UNLISTED' 'port = 6004' 'socket_type = stream' \
    'wait = yes' 'user = nobody' 'server = /bin/sh' 'libwrap = w' '}' \
    >"$tmp/wrap.in"
run xwrap 1 -x "$tmp/wrap.in"
tab=$(printf '\t')
count xwrap out "${tab}libwrap = yes" 2
count xwrap out "${tab}libwrap = no" 1
err xwrap 'wrap.in:7: note: libwrap = fingerd -> libwrap = yes: superd checks hosts.allow and hosts.deny under the daemon name "in.fingerd"' \
    'wrap.in:26: note: libwrap = cvs: flags NOLIBWRAP switches libwrap off' \
    'wrap.in:36: libwrap = w: with wait = yes the server accepts'
count xwrap err 'libwrap = in.tftpd' 0
located xwrap
printf 'service x { type = builtin server = echo port = 1 libwrap = yes }\n' >"$tmp/lwprobe.conf"
if [ "$superd_ok" = 1 ] &&
    (cd "$tmp" && "$SUPERD" -t -c lwprobe.conf 2>&1) | grep -q 'without libwrap'; then
	echo "NOTE: superd built without libwrap: xwrap output not loaded"
else
	check xwrap
fi
out xinetd "${tab}libwrap = no"	# cvspserver's NOLIBWRAP

# xinetd's tcpmux: the INTERNAL tcpmux service is the tcpmux builtin,
# type TCPMUX / TCPMUXPLUS are tcpmux = yes / plus (no port of their
# own), redirect = HOST PORT is superd's redirect; none is left behind.
printf '%s\n' 'service tcpmux' '{' 'type = INTERNAL' 'id = tcpmux' \
    'socket_type = stream' 'protocol = tcp' 'user = root' 'wait = no' '}' \
    'service whoami' '{' 'type = TCPMUX' 'socket_type = stream' \
    'protocol = tcp' 'wait = no' 'user = nobody' 'server = /usr/bin/id' '}' \
    'service helpme' '{' 'type = TCPMUXPLUS UNLISTED' 'socket_type = stream' \
    'wait = no' 'user = nobody' 'server = /bin/cat' 'port = 7777' '}' \
    'service telnet-in' '{' 'type = UNLISTED' 'port = 2323' \
    'socket_type = stream' 'wait = no' 'user = nobody' \
    'redirect = 192.0.2.10 23' 'only_from = 127.0.0.1' '}' >"$tmp/mux.in"
run xmux 0 -x "$tmp/mux.in"
out xmux 'server = "tcpmux"' 'port = tcpmux' 'tcpmux = yes' \
    'tcpmux = plus' 'redirect = "192.0.2.10 23"' 'port = 2323'
count xmux err 'not translated' 0
count xmux out 'port = 7777' 0
err xmux 'mux.in:26: note: port 7777 left out'
located xmux
check xmux

# inetd protocols; tcp4 and tcp6 lines that differ keep two names; a
# second active line on a taken port is kept as a comment and reported.
printf '%s\n' \
    'git stream tcp4 nowait nobody /usr/bin/git git daemon --inetd /a' \
    'git stream tcp6 nowait nobody /usr/bin/git git daemon --inetd /b' \
    'echo stream tcp nowait root internal' \
    'echo stream tcp6 nowait root internal' \
    'daytime dgram udp4 wait root internal' >"$tmp/pair.in"
run pair 1 -i "$tmp/pair.in"
out pair 'service git {' 'service git-tcp6 {' 'address = "0.0.0.0"' \
    'address = "::"' '#service echo-tcp {'
err pair 'pair.in:4: "echo" listens where "echo" (' \
    'pair.in:2: note: a tcp service "git" is already defined: this one is named "git-tcp6"'
count pair out 'name = "git"' 0
located pair
check pair

# flags KEEPALIVE NODELAY REUSE translate (REUSE: a note); on a datagram
# service the first two are left out with a note.
printf '%s\n' 'service git' '{' '	socket_type = stream' '	port = 9418' \
    '	wait = no' '	user = nobody' '	server = /usr/bin/git' \
    '	flags = KEEPALIVE NODELAY REUSE' '}' >"$tmp/x.in"
run xinetd-flags 0 -x - <"$tmp/x.in"
out xinetd-flags 'keepalive = yes' 'nodelay = yes'
err xinetd-flags '<stdin>:8: note: flag REUSE: superd always sets SO_REUSEADDR'
count xinetd-flags err 'not translated' 0
check xinetd-flags
sed 's/socket_type = stream/socket_type = dgram/; s/wait = no/wait = yes/' \
    "$tmp/x.in" >"$tmp/x2.in"
run xinetd-flags-udp 0 -x - <"$tmp/x2.in"
count xinetd-flags-udp out 'nodelay = yes' 0
err xinetd-flags-udp 'left out of this udp listener, where they mean nothing: keepalive (tcp), nodelay (tcp)'
check xinetd-flags-udp

# --- systemd socket units -------------------------------------------------
# openssh-server's ssh.socket (Accept=no) with ssh.service, as shipped.
run deb-ssh 1 "$d/systemd/ssh.socket"
out deb-ssh '(systemd format)' 'service ssh {' 'port = 22' 'wait = yes' \
    'address = "*"' 'pass-fds = systemd' 'server = "/usr/sbin/sshd"'
err deb-ssh 'ssh.service:10: argument "$SSHD_OPTS"' \
    'ssh.service:9: [Service] ExecStartPre=' \
    'ssh.socket:11: note: [Install] WantedBy=sockets.target'
located deb-ssh
check deb-ssh

# Accept=yes pairs with NAME@.service; StandardInput=socket is inetd-like.
printf '%s\n' '[Socket]' 'ListenStream=127.0.0.1:7001' \
    'ListenStream=[::1]:7001' 'ListenDatagram=7002' 'ListenStream=@abs' \
    'ListenStream=/run/superd-test/echo.sock' 'SocketMode=0600' \
    'Accept=yes' 'MaxConnections=9' >"$tmp/echo.socket"
printf '%s\n' '[Unit]' 'Description=test' '[Service]' \
    'ExecStart=@/bin/cat mycat -u' 'User=nobody' 'Group=nogroup' \
    'StandardInput=socket' 'Environment="A=b c" D=e' >"$tmp/echo@.service"
run sd-accept 1 -s "$tmp/echo.socket"
out sd-accept 'address = "127.0.0.1"' 'address = "::1"' 'port = 7001' \
    'protocol = udp' 'port = 7002' 'protocol = unix' \
    'address = "/run/superd-test/echo.sock"' 'socket-mode = "0600"' \
    'instances = 9' 'argv0 = "mycat"' 'args = {"-u"}' 'user = "nobody"' \
    'env = {"A=b c", "D=e"}' 'service echo-2 {'
count sd-accept out 'pass-fds' 0
count sd-accept out 'wait = no' 4
err sd-accept 'echo.socket:4: Accept=yes on a datagram' \
    'echo.socket:5: ListenStream=@abs'
located sd-accept
check sd-accept
rm -f "$tmp/echo@.service"
run sd-noservice 1 "$tmp/echo.socket"
err sd-noservice 'echo.socket:1: service unit '

# Socket options of a .socket unit: superd keys, on the listeners they fit,
# nothing reported as untranslated.
printf '%s\n' '[Socket]' 'ListenStream=127.0.0.1:7003' 'ListenDatagram=127.0.0.1:7004' \
    'ListenStream=/run/superd-test/so.sock' 'KeepAlive=true' \
    'KeepAliveTimeSec=2min' 'KeepAliveIntervalSec=30s' 'KeepAliveProbes=4' \
    'NoDelay=yes' 'ReusePort=on' 'FreeBind=1' 'Transparent=no' \
    'DeferAcceptSec=1500ms' 'Mark=0' 'BindToDevice=lo' 'Priority=3' \
    'IPTOS=low-delay' 'TCPCongestion=reno' 'ReceiveBuffer=64K' \
    'SendBuffer=128K' 'PassCredentials=yes' 'PassPacketInfo=yes' \
    >"$tmp/so.socket"
printf '%s\n' '[Service]' 'ExecStart=/bin/cat' 'StandardInput=socket' \
    >"$tmp/so.service"
run sd-sockopt 0 "$tmp/so.socket"
out sd-sockopt 'keepalive = yes' 'keepalive-idle = 120' \
    'keepalive-interval = 30' 'keepalive-count = 4' 'nodelay = yes' \
    'reuse-port = yes' 'freebind = yes' 'transparent = no' \
    'defer-accept = 2' 'mark = 0' 'bind-to-device = "lo"' 'priority = 3' \
    'ip-tos = "low-delay"' 'tcp-congestion = "reno"' \
    'receive-buffer = "64K"' 'send-buffer = "128K"' \
    'pass-credentials = yes' 'pass-packet-info = yes'
count sd-sockopt out 'nodelay = yes' 1		# the tcp listener only
count sd-sockopt out 'pass-packet-info = yes' 1	# the udp one
count sd-sockopt out 'pass-credentials = yes' 1	# the unix one
err sd-sockopt 'so.socket:3: note: left out of this udp listener, where they mean nothing: keepalive (tcp), '
count sd-sockopt out 'receive-buffer = "64K"' 3	# all three
count sd-sockopt err 'not translated' 0
count sd-sockopt err 'no superd equivalent' 0
located sd-sockopt
check sd-sockopt
printf '%s\n' '[Socket]' 'ListenStream=7005' 'Accept=no' 'NoDelay=maybe' \
    'DeferAcceptSec=soon' >"$tmp/so.socket"
run sd-sockopt-bad 1 "$tmp/so.socket"
err sd-sockopt-bad 'so.socket:4: NoDelay=maybe: not a boolean' \
    'so.socket:5: DeferAcceptSec=soon: not a time span'
rm -f "$tmp/so.service" "$tmp/so.socket"

# --- usage and I/O errors -----------------------------------------------
run missing 2 "$tmp/no-such-file"
run usage 2 -q
run usage2 2 -R
run inetd-dir 2 -i "$x/etc/xinetd.d"
printf 'includedir /nonexistent/xinetd.d\n' >"$tmp/inc.conf"
run include 2 "$tmp/inc.conf"
err include 'inc.conf:1: /nonexistent/xinetd.d'

[ "$failed" -eq 0 ] || exit 1
echo "PASS: superd-convert"
exit 0
