#!/bin/sh
# sandbox-fs.sh: the file system and capability keys, seen from inside the
# handler (issue 16).  Each handler prints what it can write or read, so a
# key that is parsed but not applied fails here:
#  1. protect-system = full: /usr and /etc read-only, /var still writable;
#  2. protect-system = strict: /var read-only too;
#  3. protect-home: /root empty and read-only;
#  4. read-only-paths and inaccessible-paths on the test's own directories;
#  5. capabilities: the bounding set is exactly the one named;
#  6. ambient-capabilities: a handler running as nobody keeps
#     CAP_NET_BIND_SERVICE in its effective set through execve.
# Needs root (mount namespaces, capabilities).
. "${top_srcdir}/tests/integration/lib.sh"
P=$BASE
[ "$(id -u)" -eq 0 ] || skip "needs root (mount namespaces)"
unshare -m true 2>/dev/null || skip "cannot make a mount namespace here"
id nobody >/dev/null 2>&1 || skip "no user nobody"

# w PATH...: "PATH=rw" or "PATH=ro" for each, by access(2), which answers
# EROFS for a read-only mount even to root.
W='for p in "$@"; do if [ -w "$p" ]; then echo "$p=rw"; else echo "$p=ro"; fi; done'
mkdir -p "$T/ro" "$T/rw" "$T/secret"
echo hidden > "$T/secret/file"
# A file in /root, so an empty /root means protect-home hid it; lib.sh's
# cleanup (the EXIT trap, which also stops superd) removes it too.
touch /root/.superd-sandbox-probe.$$
trap 'rm -f /root/.superd-sandbox-probe.$$; cleanup' EXIT
# The handler needs to reach $T (below /tmp) to run at all.
chmod 0755 "$T"

{ conf_globals; cat <<CONF
service full {
	address = "127.0.0.1"  port = $((P+1))  server = "/bin/sh"
	args = { "-c", '$W', "sh", "/usr", "/etc", "/var" }
	protect-system = full
}
service strict {
	address = "127.0.0.1"  port = $((P+2))  server = "/bin/sh"
	args = { "-c", '$W', "sh", "/usr", "/var" }
	protect-system = strict
}
service home {
	address = "127.0.0.1"  port = $((P+3))  server = "/bin/sh"
	args = { "-c", 'echo root-files: \$(ls -A /root | wc -l); $W', "sh", "/root" }
	protect-home = yes
}
service paths {
	address = "127.0.0.1"  port = $((P+4))  server = "/bin/sh"
	args = { "-c", '$W; cat $T/secret/file 2>/dev/null || echo secret=hidden', "sh", "$T/ro", "$T/rw" }
	read-only-paths = { "$T/ro" }
	inaccessible-paths = { "$T/secret" }
}
service bounded {
	address = "127.0.0.1"  port = $((P+5))  server = "/bin/sh"
	args = { "-c", "grep -E '^Cap(Bnd|Eff)' /proc/self/status" }
	capabilities = "CAP_NET_BIND_SERVICE CAP_SETUID"
}
service ambient {
	address = "127.0.0.1"  port = $((P+6))  server = "/bin/sh"
	args = { "-c", "id -un; grep -E '^Cap(Amb|Eff)' /proc/self/status" }
	user = "nobody"
	capabilities = "CAP_NET_BIND_SERVICE"
	ambient-capabilities = "CAP_NET_BIND_SERVICE"
}
service plain {
	address = "127.0.0.1"  port = $((P+7))  server = "/bin/sh"
	args = { "-c", 'echo root-files: \$(ls -A /root | wc -l); $W; cat $T/secret/file', "sh", "/usr", "/etc", "/var", "$T/ro" }
}
CONF
} > "$T/superd.conf"
"$SUPERD" -t -c "$T/superd.conf" >"$T/t.out" 2>&1 || fail "superd -t: $(cat "$T/t.out")"
start_superd

# ask PORT: the handler's output on one line.
ask() { $SDCLIENT -t 5000 127.0.0.1 "$1" 2>&1 | tr '\n' ' '; }

out=$(ask $((P+7)))
case $out in
"root-files: 0 "*) fail "the unsandboxed handler sees an empty /root: $out" ;;
esac
for want in /usr=rw /etc=rw /var=rw "$T/ro=rw" hidden; do
	case " $out" in *" $want "*) ;; *) fail "unsandboxed handler: no '$want' in: $out" ;; esac
done
ok "without sandbox keys the handler sees the host as it is"

out=$(ask $((P+1)))
[ "$out" = "/usr=ro /etc=ro /var=rw " ] || fail "protect-system = full: $out"
ok "protect-system = full: /usr and /etc read-only, /var writable"

out=$(ask $((P+2)))
[ "$out" = "/usr=ro /var=ro " ] || fail "protect-system = strict: $out"
ok "protect-system = strict: /var read-only too"

out=$(ask $((P+3)))
[ "$out" = "root-files: 0 /root=ro " ] || fail "protect-home: $out"
ok "protect-home: /root is empty and read-only"

out=$(ask $((P+4)))
[ "$out" = "$T/ro=ro $T/rw=rw secret=hidden " ] ||
    fail "read-only-paths / inaccessible-paths: $out"
ok "read-only-paths and inaccessible-paths applied"

# CAP_SETUID is bit 7 (0x80), CAP_NET_BIND_SERVICE bit 10 (0x400).
out=$(ask $((P+5)))
case $out in
*"CapBnd:	0000000000000480"*) ;;
*) fail "capabilities: bounding set is not CAP_NET_BIND_SERVICE CAP_SETUID: $out" ;;
esac
ok "capabilities: the bounding set is exactly the one named"

out=$(ask $((P+6)))
case $out in
"nobody CapEff:	0000000000000400 CapAmb:	0000000000000400 "*) ;;
*) fail "ambient-capabilities as nobody: $out" ;;
esac
ok "ambient-capabilities: nobody keeps CAP_NET_BIND_SERVICE through execve"
