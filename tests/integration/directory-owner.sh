#!/bin/sh
# Who a directory name belongs to, with real users (root only):
# - a squatter's claim ends with its lease: user A registers "webapp"
#   with a short TTL before root; once A's lease has expired neither A
#   nor B may register it (it is root's), and root's endpoint was listed
#   first all along;
# - a lease a group member registered under a directory-allow "@group"
#   name survives SIGHUP with the same config (groups as registered).
. "${top_srcdir}/tests/integration/lib.sh"
[ "$(id -u)" -eq 0 ] || skip "needs root to create temporary users and a group"
for tool in useradd userdel groupadd groupdel setpriv; do
	command -v $tool >/dev/null 2>&1 || skip "$tool is not installed"
done
P=$BASE
UA=sdtest-a$$
UB=sdtest-b$$
G=sdtest-g$$
drop_users() {
	userdel "$UA" 2>/dev/null
	userdel "$UB" 2>/dev/null
	groupdel "$G" 2>/dev/null
	cleanup
}
trap drop_users EXIT
groupadd -r "$G" || skip "groupadd $G failed"
useradd -r -M -N -G "$G" -d /nonexistent -s /bin/false "$UA" || skip "useradd $UA failed"
useradd -r -M -N -d /nonexistent -s /bin/false "$UB" || skip "useradd $UB failed"
cp "$SDCLIENT" "$T/sdclient"
chmod 711 "$T"
chmod 755 "$T/sdclient"
D=$T/directory.sock
# as USER LINE: one directory request as that user, with its groups.
as() {
	setpriv --reuid="$1" --regid="$(id -g "$1")" --init-groups \
	    "$T/sdclient" -t 3000 -U "$D" -s "$2
"
}
req() { $SDCLIENT -t 3000 -U "$D" -s "$1
"; }
{ conf_globals; cat <<CONF
directory-ttl-min = 1
directory-allow = {"build=@$G"}
CONF
} > "$T/superd.conf"
start_superd
for _ in $(seq 50); do [ -S "$D" ] && break; sleep 0.1; done
[ -S "$D" ] || skip "superd does not serve the directory here"

# --- the squatter ------------------------------------------------------------
r=$(as "$UA" "register name=webapp proto=tcp addr=127.0.0.1 port=$((P+10)) ttl=2")
case "$r" in "OK 0 id=L"*) ;; *) fail "user A's short lease: $r";; esac
r=$(req "register name=webapp proto=tcp addr=127.0.0.1 port=$((P+11)) ttl=600")
case "$r" in "OK 0 id=L"*) ;; *) fail "root's lease: $r";; esac
first=$(req "lookup name=webapp" | sed -n 1p)
case "$first" in *"port=$((P+11)) "*"uid=0 "*) ;; *) fail "root's endpoint not listed first: $first";; esac
# Wait for A's lease to end (its TTL is 2 s; bounded at 10 s).
for _ in $(seq 100); do
	req "lookup name=webapp" | grep -q "port=$((P+10)) " || break
	sleep 0.1
done
req "lookup name=webapp" | grep -q "port=$((P+10)) " && fail "user A's lease did not expire"
r=$(as "$UA" "register name=webapp proto=tcp addr=127.0.0.1 port=$((P+12)) ttl=60")
case "$r" in "ERR EPERM "*) ;; *) fail "the squatter registered again after its lease ended: $r";; esac
r=$(as "$UB" "register name=webapp proto=tcp addr=127.0.0.1 port=$((P+13)) ttl=60")
case "$r" in "ERR EPERM "*) ;; *) fail "user B registered root's name: $r";; esac
ok "a squatter's claim ends with its lease; root's endpoints are listed first"

# --- a group reservation across SIGHUP ----------------------------------------
r=$(as "$UB" "register name=build proto=tcp addr=127.0.0.1 port=$((P+20)) ttl=600")
case "$r" in "ERR EPERM "*) ;; *) fail "a non-member registered a group's name: $r";; esac
r=$(as "$UA" "register name=build proto=tcp addr=127.0.0.1 port=$((P+20)) ttl=600")
case "$r" in "OK 0 id=L"*) ;; *) fail "a group member could not register: $r";; esac
n=$(count_log "reloaded")
kill -HUP "$SPID"
for _ in $(seq 50); do [ "$(count_log "reloaded")" -gt "$n" ] && break; sleep 0.1; done
[ "$(count_log "reloaded")" -gt "$n" ] || fail "no reload"
req "lookup name=build" | grep -q "port=$((P+20)) " || fail "a group member's lease vanished on reload"
grep -q "removed: reserved" "$T/log" && fail "misleading 'removed: reserved' logged"
ok "a group member's lease survives a reload with the same config"
kill -0 "$SPID" || fail "superd died"
