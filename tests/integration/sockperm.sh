#!/bin/sh
# A unix socket in a directory its socket-owner can write: the owner
# swaps each new socket file for a symbolic link to a root-only file
# while superd re-binds it on every reload.  superd must never chown or
# chmod through the link: the root-only file stays root's, mode 0600.
. "${top_srcdir}/tests/integration/lib.sh"
SWAP=$top_builddir/tests/integration/sockswap
RELOADS=${SOCKPERM_RELOADS:-300}
MAXSECS=150
[ "$(id -u)" = 0 ] || skip "needs root (creates a user, chowns sockets)"
command -v useradd >/dev/null && command -v userdel >/dev/null ||
	skip "needs useradd and userdel (passwd)"
command -v setpriv >/dev/null || skip "needs setpriv (util-linux)"
[ -x "$SWAP" ] || fail "sockswap not built ($SWAP)"

U=sdsp$$
SW=
useradd -M -N -d /nonexistent -s /usr/sbin/nologin "$U" ||
	skip "cannot create a user with useradd"
trap 'cleanup; [ -n "$SW" ] && kill "$SW" 2>/dev/null; userdel "$U" 2>/dev/null' EXIT
UID_=$(id -u "$U")
GID_=$(id -g "$U")

# The user may pass through $T (root's, 0700 by mktemp) to its own dir.
chmod 0711 "$T"
mkdir "$T/u"
chown "$U" "$T/u"
cp "$SWAP" "$T/sockswap"
chmod 0755 "$T/sockswap"
printf 'root only\n' > "$T/secret"
chmod 0600 "$T/secret"

conf() {
	conf_globals; cat <<CONF
service app {
	type = builtin
	protocol = unix
	address = "$T/u/$1.sock"
	server = echo
	socket-owner = $U
	socket-mode = "0666"
}
CONF
}
LOGLEVEL=info
CONF_A=$(conf a)
CONF_B=$(conf b)
printf '%s\n' "$CONF_A" > "$T/superd.conf"
start_superd
[ "$($SDCLIENT -U "$T/u/a.sock" -s hi)" = hi ] || fail "unix echo before the race"
[ "$(stat -c %U "$T/u/a.sock")" = "$U" ] || fail "socket-owner not applied"
ok "socket $T/u/a.sock owned by $U"

setpriv --reuid="$UID_" --regid="$GID_" --clear-groups \
	"$T/sockswap" $((MAXSECS + 60)) "$T/secret" "$T/u/a.sock" "$T/u/b.sock" \
	> "$T/swaps" 2>&1 &
SW=$!

secret_safe() {
	[ "$(stat -c '%u %a' "$T/secret")" = "0 600" ]
}
# wait_reloaded: read the log (fd 3) up to the next "reloaded" line.
# Forks are slow on small machines: only sleep(1) forks, about once.
part=
wait_reloaded() {
	_t=0
	while [ $_t -lt 300 ]; do
		while IFS= read -r _l <&3 || { part=$part$_l; false; }; do
			_l=$part$_l
			part=
			case $_l in *"reloaded $T"*) return 0;; esac
		done
		_t=$((_t + 1))
		sleep 0.01
	done
	return 1
}
exec 3<"$T/log"
while IFS= read -r _l <&3; do :; done	# the start-up lines

# Each reload moves the socket, so superd binds a fresh one every time.
i=0
end=$(($(date +%s) + MAXSECS))
while [ $i -lt "$RELOADS" ]; do
	i=$((i + 1))
	if [ $((i % 2)) = 1 ]; then c=$CONF_B; else c=$CONF_A; fi
	printf '%s\n' "$c" > "$T/superd.conf"
	kill -HUP "$SPID" || fail "superd died"
	wait_reloaded || fail "reload $i not done"
	[ $((i % 10)) = 0 ] || continue
	secret_safe || break
	[ "$(date +%s)" -lt $end ] || break	# a slow machine: fewer rounds
done
kill "$SW" 2>/dev/null
wait "$SW" 2>/dev/null
SW=
secret_safe || fail "after $i reloads $T/secret is $(stat -c '%U %a' "$T/secret")" \
	"(chown/chmod followed the user's symbolic link)"
ok "$i reloads, $(cat "$T/swaps") sockets swapped by $U: $T/secret still root's, 0600"
echo "superd found the socket path replaced" \
	"$(count_log 'socket path was replaced') times"
kill -0 "$SPID" || fail "superd died"
exit 0
