#!/bin/sh
# libwrap = yes: /etc/hosts.allow and /etc/hosts.deny are honoured before
# a handler starts, the refusal counted ("libwrap") and logged like any
# other; a service without libwrap is not affected.  Run in a private
# mount namespace with the two files bind-mounted from the test's own.
. "${top_srcdir}/tests/integration/lib.sh"
if [ -z "${SUPERD_LIBWRAP_NS:-}" ]; then
	"$SUPERD" -t -c /dev/null >/dev/null 2>&1 || true
	command -v unshare >/dev/null || skip "unshare (util-linux) is missing"
	[ "$(id -u)" = 0 ] || skip "bind-mounting /etc/hosts.allow needs root"
	printf 'service x { type = builtin server = echo port = 1 libwrap = yes }\n' > "$T/probe.conf"
	if "$SUPERD" -t -c "$T/probe.conf" 2>&1 | grep -q 'without libwrap'; then
		skip "superd was built without libwrap (libwrap0-dev)"
	fi
	unshare -m true 2>/dev/null || skip "cannot make a mount namespace"
	exec unshare -m env SUPERD_LIBWRAP_NS=1 sh "$0"
fi
P=$BASE
printf 'ALL: ALL\n' > "$T/hosts.deny"
printf 'cat: 127.0.0.1\n' > "$T/hosts.allow"
mount --bind "$T/hosts.deny" /etc/hosts.deny 2>/dev/null ||
	{ : > /etc/hosts.deny 2>/dev/null; mount --bind "$T/hosts.deny" /etc/hosts.deny; } ||
	skip "cannot bind-mount /etc/hosts.deny"
[ -e /etc/hosts.allow ] || : > /etc/hosts.allow
mount --bind "$T/hosts.allow" /etc/hosts.allow || skip "cannot bind-mount /etc/hosts.allow"
{ conf_globals; cat <<CONF
service cat { address = "127.0.0.1"  port = $((P+1))  server = "/bin/cat"  libwrap = yes }
service tac { address = "127.0.0.1"  port = $((P+2))  server = "/bin/cat"  argv0 = "tac"  libwrap = yes }
service open { address = "127.0.0.1"  port = $((P+3))  server = "/bin/cat" }
CONF
} > "$T/superd.conf"
start_superd
CTL="$top_builddir/superdctl"
[ "$($SDCLIENT -s hi 127.0.0.1 $((P+1)))" = "hi" ] ||
	fail "cat is allowed by hosts.allow (cat: 127.0.0.1) but did not answer"
ok "hosts.allow lets a client in (daemon name = argv0)"
r=$($SDCLIENT -s hi 127.0.0.1 $((P+2)))
[ -z "$r" ] || fail "tac is denied by hosts.deny (ALL: ALL) but answered '$r'"
wait_log "service tac: refused 127.0.0.1: libwrap" 20 ||
	fail "the libwrap refusal is not logged"
"$CTL" -S "$T/control.sock" -j service tac > "$T/tac.json"
grep -q "\"refused.libwrap\":1" "$T/tac.json" ||
	fail "refusal not counted as libwrap: $(cat "$T/tac.json")"
ok "hosts.deny refuses, logged and counted as 'libwrap'"
[ "$($SDCLIENT -s hi 127.0.0.1 $((P+3)))" = "hi" ] ||
	fail "a service without libwrap was affected"
ok "a service without libwrap = yes ignores the files"
kill -0 "$SPID" || fail "superd died"
