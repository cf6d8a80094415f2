#!/bin/sh
# The runtime directory and how the clients find superd: the README's
# quick start (the shipped superd.conf, no socket flags) as root and as an
# unprivileged user, a runtime directory whose parents do not exist, the
# /tmp fallback refused when it is not ours, superdctl -c FILE, options
# after the command, and the notice for drop-ins skipped for their name.
. "${top_srcdir}/tests/integration/lib.sh"
CTL=$top_builddir/superdctl
LOOKUP=$top_builddir/superd-lookup
[ -x "$CTL" ] && [ -x "$LOOKUP" ] || fail "superdctl or superd-lookup not built"
unset SUPERD_CONTROL_SOCKET SUPERD_DIRECTORY XDG_RUNTIME_DIR

# The clients also read the default superd.conf; one that names the
# sockets elsewhere would hide what this test checks.
SYSCONF=$("$CTL" -h | sed -n 's/.*-c, --config FILE.*(default \(.*\))$/\1/p')
if [ -n "$SYSCONF" ] &&
    grep -qs '^[[:space:]]*\(control\|directory\)-socket' "$SYSCONF"; then
	skip "$SYSCONF sets the socket paths"
fi

# The shipped example, moved onto this test's ports (17NNN -> BASE+NNN%100).
quickstart_conf() {
	sed -e "s/port = 17\([0-9]\)\([0-9][0-9]\)/port = $((BASE / 100))\2/" \
	    -e "s|^# include-dir = .*|include-dir = \"$1/superd.d\"|" \
	    "$top_srcdir/conf/superd.conf" > "$1/superd.conf"
	mkdir -p "$1/superd.d"
	grep -q '^[[:space:]]*\(control\|directory\)-socket' "$1/superd.conf" &&
	    fail "conf/superd.conf sets the socket paths: the defaults must do"
	return 0
}

# run_quick DIR [runner...]: superd -f -c DIR/superd.conf as the runner,
# until "started" is in DIR/log.
run_quick() {
	_d=$1; shift
	"$@" "$SUPERD" -f -c "$_d/superd.conf" 2>>"$_d/log" &
	SPID=$!
	for _ in $(seq 50); do
		grep -q started "$_d/log" 2>/dev/null && return 0
		kill -0 "$SPID" 2>/dev/null || break
		sleep 0.1
	done
	cat "$_d/log" >&2
	fail "superd did not start with the quick-start config"
}

# check_status DIR [runner...]: superdctl status, no flags, as the runner.
check_status() {
	_d=$1; shift
	"$@" "$CTL" status > "$_d/st" 2>&1 ||
	    fail "superdctl status (no flags): $(cat "$_d/st")"
	grep -q "^pid  *$SPID\$" "$_d/st" || fail "status of another superd: $(cat "$_d/st")"
	"$@" "$CTL" services --json > "$_d/sv" 2>&1 ||
	    fail "superdctl services --json: $(cat "$_d/sv")"
	grep -q '^{"ok":true,"services":\[{' "$_d/sv" ||
	    fail "services --json: $(head -c 200 "$_d/sv")"
	"$@" "$LOOKUP" -p hello > "$_d/port" 2>&1 ||
	    fail "superd-lookup -p hello (no flags): $(cat "$_d/port")"
}

# ---- 1. Options after the command, -c FILE, the environment.
cat > "$T/superd.conf" <<CONF
$(conf_globals)
service echo { type = builtin  address = "127.0.0.1"  port = $((BASE+50))  server = echo }
CONF
mkdir -p "$T/superd.d"
: > "$T/superd.d/old.conf.bak"
: > "$T/superd.d/new.conf"
start_superd
grep -q "old.conf.bak: skipped: only \*.conf files in $T/superd.d are read" "$T/log" ||
    fail "no notice for the drop-in skipped for its name: $(cat "$T/log")"
grep -q "new.conf: skipped" "$T/log" && fail "a *.conf drop-in was reported skipped"
ok "a drop-in skipped for its name gets a notice"

"$CTL" -S "$T/control.sock" services --json > "$T/out" 2>&1 ||
    fail "superdctl -S ... services --json: $(cat "$T/out")"
grep -q '"name":"echo"' "$T/out" || fail "services --json: $(cat "$T/out")"
"$CTL" services -S "$T/control.sock" -j > "$T/out" 2>&1 ||
    fail "superdctl services -S ... -j: $(cat "$T/out")"
ok "options after the command"

"$CTL" -c "$T/superd.conf" status > "$T/out" 2>&1 ||
    fail "superdctl -c FILE status: $(cat "$T/out")"
grep -q "^pid  *$SPID\$" "$T/out" || fail "-c status: $(cat "$T/out")"
"$CTL" status -c "$T/superd.conf" >/dev/null 2>&1 || fail "superdctl status -c FILE"
"$LOOKUP" -c "$T/superd.conf" echo > "$T/out" 2>&1 ||
    fail "superd-lookup -c FILE echo: $(cat "$T/out")"
grep -q "127.0.0.1:$((BASE+50))/tcp" "$T/out" || fail "lookup -c: $(cat "$T/out")"
SUPERD_CONTROL_SOCKET=$T/control.sock "$CTL" status >/dev/null 2>&1 ||
    fail "SUPERD_CONTROL_SOCKET is not used"
ok "superdctl -c FILE, superd-lookup -c FILE and SUPERD_CONTROL_SOCKET"

printf 'control-socket = "%s/none.sock"\n' "$T" > "$T/other.conf"
"$CTL" -c "$T/other.conf" status > "$T/out" 2>&1 && fail "-c other.conf reached superd"
grep -q "no control socket at $T/none.sock, from $T/other.conf:1" "$T/out" ||
    fail "the error does not say where the path came from: $(cat "$T/out")"
"$CTL" -c "$T/missing.conf" status > "$T/out" 2>&1 && fail "-c of a missing file"
grep -q "$T/missing.conf: No such file" "$T/out" || fail "missing -c: $(cat "$T/out")"
printf 'control-socket = \n' > "$T/bad.conf"
"$CTL" -c "$T/bad.conf" status > "$T/out" 2>&1 && fail "-c of a broken file"
grep -q "$T/bad.conf:[0-9]" "$T/out" || fail "broken -c, no file:line: $(cat "$T/out")"
ok "-c errors name the file (and line)"
stop_superd

# ---- 2. The quick start as root: /run/superd, in a private /run.
if [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
	mkdir "$T/root"
	quickstart_conf "$T/root"
	cat > "$T/root/run.sh" <<EOF
mount -t tmpfs -o mode=0755 tmpfs /run || exit 3
[ -e /run/superd ] && exit 4
"$SUPERD" -f -c "$T/root/superd.conf" 2>>"$T/root/log" &
pid=\$!
for i in \$(seq 50); do grep -q started "$T/root/log" && break; sleep 0.1; done
"$CTL" status > "$T/root/st" 2>&1; echo \$? > "$T/root/st.rc"
"$CTL" services --json > "$T/root/sv" 2>&1
"$LOOKUP" -p hello > "$T/root/port" 2>&1; echo \$? > "$T/root/port.rc"
stat -c %a /run/superd > "$T/root/mode"
kill \$pid; wait \$pid; exit 0
EOF
	unshare -m sh "$T/root/run.sh" || fail "the private /run (status $?)"
	[ "$(cat "$T/root/st.rc")" = 0 ] ||
	    fail "root: superdctl status (no flags): $(cat "$T/root/st") $(cat "$T/root/log")"
	grep -q "^config  *$T/root/superd.conf\$" "$T/root/st" ||
	    fail "root: status of another superd: $(cat "$T/root/st")"
	grep -q '^{"ok":true,"services":\[{' "$T/root/sv" ||
	    fail "root: services --json: $(head -c 200 "$T/root/sv")"
	[ "$(cat "$T/root/port.rc")" = 0 ] ||
	    fail "root: superd-lookup -p hello: $(cat "$T/root/port")"
	[ "$(cat "$T/root/mode")" = 755 ] || fail "/run/superd mode $(cat "$T/root/mode")"
	grep -q "control socket /run/superd/control.sock" "$T/root/log" ||
	    fail "root: control socket not in /run/superd: $(cat "$T/root/log")"
	ok "quick start as root: /run/superd created 0755, superdctl status with no flags"
else
	echo "skip - the root quick start needs root and unshare -m"
fi

# ---- 3. As an unprivileged user.
if [ "$(id -u)" != 0 ]; then
	echo "skip - the unprivileged-user runs need root (to become nobody)"
	exit 0
fi
command -v setpriv >/dev/null || skip "setpriv (util-linux) needed for the user runs"
id nobody >/dev/null 2>&1 || skip "no user nobody"
NUID=$(id -u nobody)
# A command word list, not a function: run in the background, a function
# would leave a shell between $! and superd.
ASUSER="setpriv --reuid=$NUID --regid=$(id -g nobody) --clear-groups"
chmod 755 "$T"
$ASUSER test -x "$SUPERD" || skip "user nobody cannot run $SUPERD (a private path)"

# 3a. $XDG_RUNTIME_DIR whose parents do not exist: superd makes them.
mkdir "$T/xdg" && chown nobody "$T/xdg"
quickstart_conf "$T/xdg"
chown nobody "$T/xdg/superd.conf"
X=$T/xdg/no/such/parents
run_quick "$T/xdg" $ASUSER env XDG_RUNTIME_DIR="$X"
[ -d "$X/superd" ] || fail "$X/superd not created: $(cat "$T/xdg/log")"
[ -S "$X/superd/control.sock" ] || fail "no control socket in $X/superd: $(cat "$T/xdg/log")"
[ -S "$X/superd/directory.sock" ] || fail "no directory socket in $X/superd"
check_status "$T/xdg" $ASUSER env XDG_RUNTIME_DIR="$X"
stop_superd
ok "user with XDG_RUNTIME_DIR: runtime dir and its parents created, status with no flags"

# 3b. No XDG_RUNTIME_DIR: /tmp/superd-UID, in a private /tmp.
if ! unshare -m true 2>/dev/null; then
	echo "skip - the /tmp fallback runs need unshare -m"
	exit 0
fi
mkdir -m 1777 "$T/tmp"
quickstart_conf "$T/tmp"
# The build tree may be under /tmp too: take the programs along.
mkdir -m 755 "$T/tmp/bin" && cp "$SUPERD" "$CTL" "$T/tmp/bin/"
cat > "$T/tmp/run.sh" <<EOF
# $T/tmp is /tmp in here; its files are reached under /tmp.  /run is
# private too, so that no system superd answers.
mount --bind "$T/tmp" /tmp || exit 3
mount -t tmpfs -o mode=0755 tmpfs /run || exit 3
as="setpriv --reuid=$NUID --regid=$(id -g nobody) --clear-groups"
sed -i "s|$T/tmp|/tmp|" /tmp/superd.conf
# A fallback that is not ours is refused (bounded: a superd that runs
# anyway is stopped after 10 s, and the test fails).
mkdir -m 0777 /tmp/superd-$NUID
\$as timeout 10 /tmp/bin/superd -f -c /tmp/superd.conf 2>/tmp/refused.log
echo \$? > /tmp/refused.rc
rmdir /tmp/superd-$NUID
ln -s /tmp/elsewhere /tmp/superd-$NUID
\$as timeout 10 /tmp/bin/superd -f -c /tmp/superd.conf 2>/tmp/symlink.log
echo \$? > /tmp/symlink.rc
rm /tmp/superd-$NUID
\$as /tmp/bin/superd -f -c /tmp/superd.conf 2>>/tmp/log &
pid=\$!
for i in \$(seq 50); do grep -q started /tmp/log && break; sleep 0.1; done
stat -c '%a %U' /tmp/superd-$NUID > /tmp/mode
\$as /tmp/bin/superdctl status > /tmp/st 2>&1; echo \$? > /tmp/st.rc
\$as /tmp/bin/superdctl services --json > /tmp/sv 2>&1
# The same live socket is not trusted once someone else owns its dir.
chown root /tmp/superd-$NUID
\$as /tmp/bin/superdctl status > /tmp/foreign 2>&1; echo \$? > /tmp/foreign.rc
chown $NUID /tmp/superd-$NUID
kill \$pid; wait \$pid; exit 0
EOF
unshare -m sh "$T/tmp/run.sh" || fail "the private /tmp (status $?)"
[ "$(cat "$T/tmp/refused.rc")" != 0 ] || fail "superd ran in a /tmp/superd-$NUID it does not own"
grep -q "superd-$NUID belongs to uid 0.*refused" "$T/tmp/refused.log" ||
    fail "no refusal message: $(cat "$T/tmp/refused.log")"
[ "$(cat "$T/tmp/symlink.rc")" != 0 ] || fail "superd ran in a symlinked /tmp/superd-$NUID"
grep -q "symlink.*refused" "$T/tmp/symlink.log" ||
    fail "no refusal message for the symlink: $(cat "$T/tmp/symlink.log")"
ok "a /tmp/superd-UID that is not ours, or a symlink, is refused"
[ "$(cat "$T/tmp/mode")" = "700 nobody" ] || fail "/tmp/superd-$NUID is $(cat "$T/tmp/mode")"
[ "$(cat "$T/tmp/st.rc")" = 0 ] ||
    fail "user: superdctl status (no flags): $(cat "$T/tmp/st") $(cat "$T/tmp/log")"
grep -q '^{"ok":true,"services":\[{' "$T/tmp/sv" ||
    fail "user: services --json: $(head -c 200 "$T/tmp/sv")"
ok "user without XDG_RUNTIME_DIR: /tmp/superd-UID 0700, status with no flags"
[ "$(cat "$T/tmp/foreign.rc")" != 0 ] || fail "superdctl used a socket in a foreign-owned dir"
grep -q "/run/superd/control.sock" "$T/tmp/foreign" ||
    fail "superdctl did not fall back to /run/superd: $(cat "$T/tmp/foreign")"
ok "the clients do not trust a /tmp/superd-UID owned by someone else"
