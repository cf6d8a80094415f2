#!/bin/sh
# A SIGHUP reads the configuration off the event loop.  With 4000
# (disabled) services the file takes a while to read, and an echo service
# answers meanwhile: its session is logged between "reloading" and
# "reloaded".  (Read on the loop, nothing is served between the two.)
# A second SIGHUP during the read reads the file again afterwards, so the
# configuration written last is the one that runs.
. "${top_srcdir}/tests/integration/lib.sh"
P=$BASE

# conf EXTRA...: e1, 4000 disabled services, and the EXTRA services.
conf() {
	{
		conf_globals
		echo "service e1 { type = builtin  server = echo  address = \"127.0.0.1\"  port = $((P+1)) }"
		awk -v p=$((P+5)) 'BEGIN { for (i = 0; i < 4000; i++)
			printf "service d%d { type = builtin  server = echo  " \
			    "address = \"127.0.0.1\"  port = %d  disable = yes }\n", i, p }'
		for s in "$@"; do
			echo "service $s { type = builtin  server = echo  address = \"127.0.0.1\"  port = $((P+${s#e})) }"
		done
	} > "$T/new.conf"
	mv "$T/new.conf" "$T/superd.conf"
}
conf
start_superd

conf e2
kill -HUP "$SPID"
# Echo until the reload is in (at most 600 echoes of 3 s each).
for _ in $(seq 600); do
	[ "$($SDCLIENT -t 3000 -s during 127.0.0.1 $((P+1)))" = during ] ||
		fail "e1 did not answer during the reload"
	grep -q "reloaded" "$T/log" && break
done
wait_log "reloaded" 100 || fail "the reload did not finish"
between=$(sed -n '/reloading/,/reloaded/p' "$T/log" | grep -c "service e1: session")
[ "$between" -gt 0 ] || fail "nothing was served while the file was read"
ok "$between echoes served while the configuration was read"

# Two signals, the file rewritten between them: the second one wins.
conf e2
kill -HUP "$SPID"
wait_log "reloading.*" 50
conf e3
kill -HUP "$SPID"
for _ in $(seq 100); do
	[ "$(count_log "reloaded")" -ge 3 ] &&
	    [ "$($SDCLIENT -t 1000 -s last 127.0.0.1 $((P+3)) 2>/dev/null)" = last ] &&
	    break
	sleep 0.1
done
[ "$($SDCLIENT -t 3000 -s last 127.0.0.1 $((P+3)))" = last ] ||
	fail "e3 of the configuration written last does not answer"
ok "a SIGHUP during a reload reads the file again"
