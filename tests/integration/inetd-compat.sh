#!/bin/sh
# inetd-compat: superd serves the lines of an inetd.conf next to its own
# services, and notices when the file is replaced (as update-inetd does)
# without being sent a signal.
#  1. a nowait tcp line for /bin/cat answers; an internal echo line too
#     (root only: it needs port 7 on 127.0.0.1);
#  2. a bad line is logged with its line number, the rest still serve;
#  3. a clash with superd.conf (same name, or same port): superd.conf
#     wins, the inetd.conf line is logged and skipped;
#  4. a "#<off>#" line is not served;
#  5. superd -t reports the bad line and passes;
#  6. a line added by writing a new file and renaming it over the old one
#     is served within seconds, and a removed one stops, with no signal;
#  7. the real update-inetd --add / --remove (package update-inetd), if
#     installed.
. "${top_srcdir}/tests/integration/lib.sh"
P=$BASE
LOGLEVEL=debug
U=$(id -un)
IC=$T/inetd.conf

{ conf_globals; cat <<CONF
inetd-compat = "$IC"
service "$((P+4))" { type = builtin  address = "127.0.0.1"  port = $((P+4))  server = daytime }
service taken { type = builtin  address = "127.0.0.1"  port = $((P+3))  server = daytime }
CONF
} > "$T/superd.conf"

# Port 7 is only ours to bind as root, and only when nothing holds it.
internal=
if [ "$(id -u)" = 0 ] && ! ss -Hltn 'sport = :7' 2>/dev/null | grep -q .; then
	internal="127.0.0.1:echo	stream	tcp	nowait	root	internal"
fi

# Line numbers matter below: 3 is the bad line.
cat > "$IC" <<INETD
# inetd.conf for superd's inetd-compat test
127.0.0.1:$((P+1))	stream	tcp	nowait	$U	/bin/cat	cat
this line is bad
127.0.0.1:$((P+3))	stream	tcp	nowait	$U	/bin/cat	cat
127.0.0.1:$((P+4))	stream	tcp	nowait	$U	/bin/cat	cat
#<off># 127.0.0.1:$((P+6))	stream	tcp	nowait	$U	/bin/cat	cat
$internal
INETD

# --- 5. superd -t ------------------------------------------------------------
"$SUPERD" -t -c "$T/superd.conf" > "$T/t.out" 2>&1 ||
	{ cat "$T/t.out" >&2; fail "superd -t failed on an inetd.conf with a bad line"; }
grep -q "inetd.conf:3: .*fields" "$T/t.out" || { cat "$T/t.out" >&2; fail "superd -t did not report inetd.conf:3"; }
grep -q "configuration OK" "$T/t.out" || fail "superd -t did not pass"
ok "superd -t reports inetd.conf:3 and passes"

start_superd

# --- 1. served ---------------------------------------------------------------
[ "$($SDCLIENT -s hello 127.0.0.1 $((P+1)))" = hello ] || fail "inetd.conf /bin/cat line not served"
ok "nowait tcp line for /bin/cat served"
if [ -n "$internal" ]; then
	[ "$($SDCLIENT -s ping 127.0.0.1 7)" = ping ] || fail "internal echo line not served"
	ok "internal echo line served"
else
	echo "SKIP part: internal echo needs root and a free port 7 on 127.0.0.1"
fi

# --- 2. bad line -------------------------------------------------------------
grep -q "inetd.conf:3: 4 fields where inetd.conf needs" "$T/log" || fail "bad line not logged with its line number"
ok "bad line logged as inetd.conf:3"

# --- 3. clashes --------------------------------------------------------------
grep -q "inetd.conf:5: service \"$((P+4))\"/tcp is defined in .*superd.conf:[0-9]* too; superd.conf wins" "$T/log" ||
	fail "name clash not logged"
$SDCLIENT -s x 127.0.0.1 $((P+4)) | grep -q '[0-9]:[0-9][0-9]:[0-9]' || fail "name clash: superd.conf's daytime does not answer"
ok "name clash: superd.conf wins, logged"
grep -q "inetd.conf:4: .*port $((P+3))/tcp is taken by service \"taken\".*superd.conf wins" "$T/log" ||
	fail "port clash not logged"
$SDCLIENT -s x 127.0.0.1 $((P+3)) | grep -q '[0-9]:[0-9][0-9]:[0-9]' || fail "port clash: superd.conf's daytime does not answer"
ok "port clash: superd.conf wins, logged"

# --- 4. disabled -------------------------------------------------------------
$SDCLIENT -t 500 -s x 127.0.0.1 $((P+6)) >/dev/null && fail "#<off># line served"
ok "#<off># line not served"

# --- 6. replaced by rename, no signal ----------------------------------------
# wait_port PORT DATA: up to 10 s for the port to echo DATA.
wait_port() {
	for _ in $(seq 100); do
		[ "$($SDCLIENT -t 500 -s "$2" 127.0.0.1 "$1" 2>/dev/null)" = "$2" ] && return 0
		sleep 0.1
	done
	return 1
}
# wait_closed PORT: up to 10 s for the port to refuse.
wait_closed() {
	for _ in $(seq 100); do
		$SDCLIENT -t 500 -s x 127.0.0.1 "$1" >/dev/null 2>&1 || return 0
		sleep 0.1
	done
	return 1
}
reloads=$(count_log "reloaded")
cp "$IC" "$T/inetd.conf.new"
printf '127.0.0.1:%d\tstream\ttcp\tnowait\t%s\t/bin/cat\tcat\n' $((P+2)) "$U" >> "$T/inetd.conf.new"
mv "$T/inetd.conf.new" "$IC"
wait_port $((P+2)) added || fail "line added by rename not served (no reload on change?)"
# The new port is served before the reload is logged (the log has its own
# writer), so wait for the line rather than read the log once.
for _ in $(seq 50); do
	[ "$(count_log "reloaded")" -gt "$reloads" ] && break
	sleep 0.1
done
[ "$(count_log "reloaded")" -gt "$reloads" ] || fail "no reload logged"
[ "$($SDCLIENT -s still 127.0.0.1 $((P+1)))" = still ] || fail "first line no longer served"
ok "line added by rename served without a signal"
grep -v "^127.0.0.1:$((P+2))	" "$IC" > "$T/inetd.conf.new"
mv "$T/inetd.conf.new" "$IC"
wait_closed $((P+2)) || fail "line removed by rename still served"
ok "line removed by rename no longer served"

# --- 7. update-inetd -----------------------------------------------------------
if command -v update-inetd >/dev/null 2>&1; then
	# UPDATE_INETD_FAKE_IT: do not restart or signal any real inetd.
	UPDATE_INETD_FAKE_IT=1 update-inetd --file "$IC" --add \
	    "127.0.0.1:$((P+5))\tstream\ttcp\tnowait\t$U\t/bin/cat\tcat" \
	    >>"$T/update-inetd.log" 2>&1 || fail "update-inetd --add failed"
	wait_port $((P+5)) upd || fail "update-inetd --add: line not served"
	ok "update-inetd --add: served without a signal"
	UPDATE_INETD_FAKE_IT=1 update-inetd --file "$IC" --remove \
	    "127.0.0.1:$((P+5))" >>"$T/update-inetd.log" 2>&1 ||
	    fail "update-inetd --remove failed"
	wait_closed $((P+5)) || fail "update-inetd --remove: line still served"
	ok "update-inetd --remove: no longer served"
else
	echo "SKIP part: update-inetd is not installed (apt-get install update-inetd)"
fi
kill -0 "$SPID" || fail "superd died"
exit 0
