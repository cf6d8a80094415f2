#!/bin/sh
# sandbox.sh: the handler sandbox keys, seen from inside the handler.
#  1. private-tmp: /tmp is a fresh tmpfs (mountinfo), empty;
#  2. private-network: no interface but lo;
#  3. system-call-filter = @mount: umount2 fails with EPERM (ENOENT without);
#  4. an unknown group is a config error with file:line.
# Needs root (namespaces) and python3 (to make the raw system call).
. "${top_srcdir}/tests/integration/lib.sh"
P=$BASE
[ "$(id -u)" -eq 0 ] || skip "needs root (namespaces)"
command -v python3 >/dev/null || skip "python3 is not installed"
unshare -m -n true 2>/dev/null || skip "cannot make mount and network namespaces here"
PY=$(command -v python3)
UMOUNT='import ctypes, os
l = ctypes.CDLL(None, use_errno=True)
l.umount2(b"/superd-no-such-dir", 0)
print("umount2:", os.strerror(ctypes.get_errno()))'
{ conf_globals; cat <<CONF
service tmp {
	address = "127.0.0.1"  port = $((P+1))  server = "/bin/sh"
	args = { "-c", "grep ' /tmp ' /proc/self/mountinfo | sed 's/.* - //' | cut -d' ' -f1; echo files: \$(ls -A /tmp | wc -l)" }
	private-tmp = yes
}
service net {
	address = "127.0.0.1"  port = $((P+2))  server = "/bin/sh"
	args = { "-c", "echo ifs: \$(tail -n +3 /proc/self/net/dev | cut -d: -f1)" }
	private-network = yes
}
service filtered {
	address = "127.0.0.1"  port = $((P+3))  server = "$PY"
	args = { "-c", '$UMOUNT' }
	system-call-filter = "@mount @reboot @module"
}
service open {
	address = "127.0.0.1"  port = $((P+4))  server = "$PY"
	args = { "-c", '$UMOUNT' }
}
CONF
} > "$T/superd.conf"
"$SUPERD" -t -c "$T/superd.conf" >"$T/t.out" 2>&1 || fail "superd -t: $(cat "$T/t.out")"
start_superd

out=$($SDCLIENT -t 5000 127.0.0.1 $((P+1)) 2>&1)
printf '%s\n' "$out" | grep -qx tmpfs || fail "private-tmp: /tmp is not a tmpfs in the handler: $out"
printf '%s\n' "$out" | grep -qx "files: 0" || fail "private-tmp: the handler sees superd's /tmp: $out"
ok "private-tmp: a fresh tmpfs on /tmp"

out=$($SDCLIENT -t 5000 127.0.0.1 $((P+2)) 2>&1)
[ "$out" = "ifs: lo" ] || fail "private-network: $out"
ok "private-network: only lo"

out=$($SDCLIENT -t 5000 127.0.0.1 $((P+4)) 2>&1)
printf '%s\n' "$out" | grep -q "umount2: No such file" || fail "unfiltered umount2: $out"
out=$($SDCLIENT -t 5000 127.0.0.1 $((P+3)) 2>&1)
printf '%s\n' "$out" | grep -q "umount2: Operation not permitted" ||
    fail "system-call-filter: umount2 did not fail with EPERM: $out"
ok "system-call-filter = @mount: umount2 fails with EPERM"
stop_superd

{ conf_globals; cat <<CONF
service bad {
	address = "127.0.0.1"  port = $((P+5))  server = "/bin/true"
	system-call-filter = "@mount @nonsense"
}
CONF
} > "$T/bad.conf"
"$SUPERD" -t -c "$T/bad.conf" >"$T/t.out" 2>&1 && fail "an unknown group was accepted"
grep -q 'bad.conf:7: .*system-call-filter: unknown group "@nonsense"' "$T/t.out" ||
    fail "wrong error: $(cat "$T/t.out")"
ok "an unknown system call group is a config error with file:line"
