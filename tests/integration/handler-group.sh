#!/bin/sh
# A handler leads a process group of its own inside superd's session, not
# a session of its own: setsid(2) gives every caller a scheduler autogroup
# of its own on Linux, made and freed with each handler (exec nowait at
# c=16 lost 8-11 % of its rate and had a 25-45 % longer p99 tail).  It
# still never shares a controlling terminal: superd in the foreground of
# a terminal lets go of it, and a superd that leads the terminal's
# session gives each handler a session of its own.
. "${top_srcdir}/tests/integration/lib.sh"
P=$BASE
cat > "$T/whoami" <<'SH'
#!/bin/sh
read -r line < /proc/$$/stat
set -- $line
ag=$(cut -d' ' -f1 /proc/$$/autogroup 2>/dev/null)
if (: < /dev/tty) 2>/dev/null; then tty=yes; else tty=no; fi
echo "pid=$1 pgrp=$5 sid=$6 ag=${ag:-none} tty=$tty"
SH
chmod +x "$T/whoami"
{ conf_globals; cat <<CONF
service whoami { address = "127.0.0.1"  port = $((P+1))  server = "$T/whoami" }
CONF
} > "$T/superd.conf"

# field N of /proc/PID/stat (superd's name has no blanks)
stat_field() { awk -v n="$2" '{ print $n }' "/proc/$1/stat"; }
# value KEY LINE
value() { printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

start_superd
out=$($SDCLIENT 127.0.0.1 $((P+1)))
pid=$(value pid "$out")
[ -n "$pid" ] || fail "no answer from the handler: '$out'"
[ "$(value pgrp "$out")" = "$pid" ] ||
	fail "handler is not the leader of its process group: $out"
ssid=$(stat_field "$SPID" 6)
[ "$(value sid "$out")" = "$ssid" ] ||
	fail "handler is not in superd's session $ssid (its own session costs an autogroup): $out"
# The file reads empty for a process in the kernel's default autogroup
# (nobody in its line of parents called setsid since boot, as in some
# containers): the handler script prints "none" for that.
if [ -r "/proc/$SPID/autogroup" ]; then
	sag=$(cut -d' ' -f1 "/proc/$SPID/autogroup")
	sag=${sag:-none}
	[ "$(value ag "$out")" = "$sag" ] ||
		fail "handler has a scheduler autogroup of its own, not superd's $sag: $out"
fi
[ "$(value tty "$out")" = no ] || fail "handler has a controlling terminal: $out"
ok "a handler leads its process group in superd's session: $out"
stop_superd

# On a terminal: script(1) gives the command a pty as its controlling
# terminal, in a session the shell leads ("; :" keeps sh from exec'ing).
command -v script >/dev/null 2>&1 || skip "script(1) not installed: the terminal cases need it"
on_pty() {
	: > "$T/log"
	script -qfec "$1" /dev/null < /dev/null > "$T/pty.out" 2>&1 &
	SCRIPT_PID=$!
	for _ in $(seq 100); do
		SPID=$(pgrep -f -- "^$SUPERD -f -c $T/superd.conf" | head -1)
		[ -n "$SPID" ] && grep -q " started with " "$T/log" && return 0
		sleep 0.1
	done
	fail "superd did not start on a terminal: $(cat "$T/pty.out")"
}
on_pty "$SUPERD -f -c $T/superd.conf 2>>$T/log; :"
[ "$(stat_field "$SPID" 7)" = 0 ] ||
	fail "superd kept its controlling terminal (tty_nr $(stat_field "$SPID" 7))"
out=$($SDCLIENT 127.0.0.1 $((P+1)))
pid=$(value pid "$out")
[ "$(value pgrp "$out")" = "$pid" ] && [ "$(value sid "$out")" = "$(stat_field "$SPID" 6)" ] ||
	fail "foreground on a terminal: handler not in its group in superd's session: $out"
[ "$(value tty "$out")" = no ] || fail "foreground on a terminal: the handler can open it: $out"
ok "superd in the foreground of a terminal lets go of it; its handlers cannot open it"
stop_superd; wait "$SCRIPT_PID" 2>/dev/null

on_pty "exec $SUPERD -f -c $T/superd.conf 2>>$T/log"
[ "$(stat_field "$SPID" 6)" = "$SPID" ] || skip "superd does not lead the terminal's session here"
out=$($SDCLIENT 127.0.0.1 $((P+1)))
pid=$(value pid "$out")
[ "$(value sid "$out")" = "$pid" ] ||
	fail "superd leads a terminal's session: the handler shares it: $out"
[ "$(value tty "$out")" = no ] || fail "superd leads a terminal's session: the handler can open it: $out"
ok "superd leading a terminal's session gives each handler a session of its own"
stop_superd; wait "$SCRIPT_PID" 2>/dev/null
