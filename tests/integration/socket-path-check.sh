#!/bin/sh
# socket-path-check (sshd's StrictModes for UNIX sockets): a socket path
# with a directory another user may write is a config error naming that
# directory, unless socket-path-check = no.
. "${top_srcdir}/tests/integration/lib.sh"
chk() {	# chk EXPECTED_STATUS ADDRESS [KEYS]: superd -t on one unix service
	{ conf_globals; cat <<CONF
service u { protocol = unix  address = "$2"  server = "/bin/cat"  ${3:-} }
CONF
	} > "$T/t.conf"
	"$SUPERD" -t -c "$T/t.conf" > "$T/t.out" 2>&1
	rc=$?
	[ "$rc" = "$1" ] || fail "address $2 ${3:-}: exit $rc, expected $1: $(cat "$T/t.out")"
}
mkdir -p "$T/open" "$T/safe"
chmod 0777 "$T/open"		# anyone may write it, no sticky bit
chk 78 "$T/open/s.sock"
grep -q "$T/open" "$T/t.out" || fail "the error does not name $T/open: $(cat "$T/t.out")"
grep -q 'socket-path-check' "$T/t.out" || fail "the error does not say how to allow it"
ok "a socket in a world-writable directory is refused, naming the directory"
chk 0 "$T/open/s.sock" 'socket-path-check = no'
ok "socket-path-check = no allows it"
chk 0 "$T/safe/s.sock"
ok "a socket in superd's own directory passes"
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	mkdir -p "$T/theirs"
	chown nobody "$T/theirs"
	chk 78 "$T/theirs/s.sock"
	ok "a directory owned by another user (nobody) is refused"
	chk 0 "$T/theirs/s.sock" 'socket-owner = "nobody"'
	ok "... unless that user is the socket's owner"
else
	echo "# not root: the other-owner part is skipped"
fi
