#!/bin/sh
# 1000 exec connections leave no zombie behind.  SIGCHLD reaches superd
# through a signalfd: blocked in superd (bit 17 of SigBlk), it is read
# from the descriptor, and the handlers are reaped all the same.
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

# SigBlk is a hex mask; SIGCHLD is signal 17, bit 16 from 0.
blk=$(awk '$1 == "SigBlk:" { print $2 }' "/proc/$SPID/status")
[ $(( 0x$blk >> 16 & 1 )) = 1 ] ||
	fail "SIGCHLD is not blocked in superd (SigBlk $blk): no signalfd"
ok "SIGCHLD taken through a signalfd"
