#!/bin/sh
# A handler gets its service's identity even when that is superd's own
# user.  superd leaves out setgroups/setresgid/setresuid only when its
# own uids, gids and supplementary groups are exactly the handler's, so
# a superd started with a group its user does not have (here 4242) must
# not pass that group on to a handler of user root.
. "${top_srcdir}/tests/integration/lib.sh"
[ "$(id -u)" = 0 ] || skip "needs root (superd switches users only as root)"
command -v setpriv >/dev/null 2>&1 || skip "setpriv not installed"
P=$BASE
{ conf_globals; cat <<CONF
service ids { address = "127.0.0.1"  port = $((P+1))  server = "/bin/grep"  args = {"-E", "^(Uid|Gid|Groups):", "/proc/self/status"}  user = "root" }
service nobody { address = "127.0.0.1"  port = $((P+2))  server = "/usr/bin/id"  user = "nobody" }
CONF
} > "$T/superd.conf"
setpriv --groups "$(id -G root | tr ' ' ','),4242" "$SUPERD" -f \
    -c "$T/superd.conf" 2>>"$T/log" &
SPID=$!
wait_log "started" 50 || fail "superd did not start"
grep -q '4242' "/proc/$SPID/status" || skip "setpriv did not add group 4242"

out=$($SDCLIENT 127.0.0.1 $((P+1)))
want=$(id -G root | tr ' ' '\n' | sort -n | tr '\n' ' ')
got=$(printf '%s\n' "$out" | awk '$1 == "Groups:" { for (i = 2; i <= NF; i++) print $i }' | sort -n | tr '\n' ' ')
[ "$got" = "$want" ] || fail "handler of user root has groups '$got', want '$want': $out"
printf '%s\n' "$out" | grep -qE '^Uid:[[:space:]]+0[[:space:]]+0[[:space:]]+0[[:space:]]+0$' ||
	fail "uid: $out"
ok "user = root: root's groups, not superd's extra one"

out=$($SDCLIENT 127.0.0.1 $((P+2)))
[ "$out" = "$(id nobody)" ] || fail "user = nobody: '$out', want '$(id nobody)'"
ok "user = nobody: its uid, gid and groups"
