#!/bin/sh
# 1000 exec connections leave no zombie behind.
. "${top_srcdir}/tests/integration/lib.sh"
P=$BASE
LOGLEVEL=notice
{ conf_globals; cat <<CONF
service cat { address = "127.0.0.1"  port = $((P+1))  server = "/bin/cat" }
CONF
} > "$T/superd.conf"
start_superd
$SDCLIENT -n 1000 -s z -x z 127.0.0.1 $((P+1)) || fail "1000 connections"
sleep 0.5
[ "$(zombies)" -eq 0 ] || fail "$(zombies) zombies"
ok "1000 connections, no zombies"
