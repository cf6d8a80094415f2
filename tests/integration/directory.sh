#!/bin/sh
# The endpoint directory against the real superd, over its real socket:
# socket mode; a port = 0 service reachable at the port looked up; TTL
# expiry; a connection-bound lease gone when its registrant is killed;
# another uid can neither remove nor hijack (as root); garbage, empty and
# oversized requests refused while superd keeps serving; 10 000
# registrations and lookups (timing printed; needs socat).
# Exit: 0 pass, 1 fail, 77 skip (superd does not serve a directory).
. "${top_srcdir}/tests/integration/lib.sh"
P=$BASE
D=$T/directory.sock
{ conf_globals; cat <<CONF
directory-ttl-min = 1
directory-max-entries = 20000
directory-max-per-uid = 20000
service echo { type = builtin  address = "127.0.0.1"  port = 0  server = echo }
CONF
} > "$T/superd.conf"
start_superd
for _ in $(seq 50); do [ -S "$D" ] && break; sleep 0.1; done
[ -S "$D" ] || skip "superd does not serve the directory here"

# req LINE: one request on its own connection; prints the reply.
req() { $SDCLIENT -t 3000 -U "$D" -s "$1
"; }
# field KEY: the value of KEY= in the first line of stdin that has it.
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" | head -n1; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

[ "$(stat -c %a "$D")" = 666 ] || fail "socket mode $(stat -c %a "$D")"
ok "socket mode 0666"
r=$(req "hello v=1")
[ "$r" = "OK 0 v=1 uid=$(id -u)" ] || fail "hello: $r"
ok "hello tells our uid"

# --- a port = 0 service, at the port the directory reports -----------------
r=$(req "lookup name=echo")
echo "$r" | grep -q "^EP name=echo proto=tcp addr=127.0.0.1 port=[1-9][0-9]* source=dynamic state=listening " ||
    fail "lookup echo: $r"
port=$(echo "$r" | field port)
[ "$($SDCLIENT -s hi 127.0.0.1 "$port")" = hi ] || fail "echo at port $port"
ok "port = 0 service reachable at looked-up port $port"

# --- TTL leases expire ---------------------------------------------------------
r=$(req "register name=brief proto=tcp addr=127.0.0.1 port=$((P+10)) ttl=1")
echo "$r" | grep -q '^OK 0 id=L[0-9]* ttl=1$' || fail "register ttl=1: $r"
req "lookup name=brief" | grep -q "port=$((P+10)) source=registered state=live" ||
    fail "fresh lease not found"
sleep 2
r=$(req "lookup name=brief")
[ "$r" = "ERR ENOENT no endpoint named brief" ] || fail "expired lease: $r"
ok "a TTL lease is gone after its TTL"

# --- a connection-bound lease dies with its registrant ---------------------------
$SDCLIENT -t 60000 -U "$D" -w 60000 -s "register name=held proto=tcp addr=127.0.0.1 port=$((P+11))
" >/dev/null &
HOLDER=$!
for _ in $(seq 50); do
	req "lookup name=held" | grep -q "^EP .*expires=-" && break
	sleep 0.1
done
req "lookup name=held" | grep -q "^EP .*expires=-" || fail "bound lease not registered"
t0=$(now_ms)
kill -KILL "$HOLDER"
wait "$HOLDER" 2>/dev/null
for _ in $(seq 100); do
	[ "$(req "lookup name=held")" = "ERR ENOENT no endpoint named held" ] && break
	sleep 0.01
done
[ "$(req "lookup name=held")" = "ERR ENOENT no endpoint named held" ] ||
    fail "bound lease survived kill -9 of its registrant"
ok "kill -9 of the registrant removes its bound lease ($(($(now_ms) - t0)) ms)"

# --- garbage while serving --------------------------------------------------------
r=$(req "GET / HTTP/1.0")
[ "$r" = "ERR EBADREQ command is not a lower-case word" ] || fail "http: $r"
r=$($SDCLIENT -t 3000 -U "$D" -s "
")
[ "$r" = "ERR EBADREQ empty request" ] || fail "empty: $r"
r=$($SDCLIENT -t 3000 -U "$D" -s "$(printf 'hello v=1\001\002')
")
[ "$r" = "ERR EBADREQ control or non-ASCII byte in request" ] || fail "ctrl: $r"
big=$(head -c 5000 /dev/zero | tr '\0' a)
r=$($SDCLIENT -t 3000 -U "$D" -s "lookup name=$big
hello v=1
")
[ "$r" = "ERR ETOOBIG request line longer than 1024 bytes" ] || fail "big: $r"
r=$(req "register name=echo proto=tcp addr=127.0.0.1 port=$((P+12)) ttl=5")
[ "$r" = "ERR EPERM name belongs to a configured service" ] || fail "squat echo: $r"
[ "$(req "hello v=1")" = "OK 0 v=1 uid=$(id -u)" ] || fail "not serving after garbage"
[ "$($SDCLIENT -s still 127.0.0.1 "$port")" = still ] || fail "echo after garbage"
ok "garbage, empty, control bytes, 5000-byte line and squatting refused; still serving"

# --- another uid can neither remove nor hijack (root only) ------------------------
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1; then
	chmod 711 "$T"
	as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
	r=$(req "register name=mine proto=tcp addr=127.0.0.1 port=$((P+13)) ttl=60")
	id=$(echo "$r" | field id)
	[ -n "$id" ] || fail "root register: $r"
	r=$(as_nobody $SDCLIENT -t 3000 -U "$D" -s "hello v=1
unregister id=$id
renew id=$id
register name=mine proto=tcp addr=127.0.0.1 port=$((P+14)) ttl=60
register name=mine proto=tcp addr=127.0.0.1 port=$((P+13)) ttl=60
")
	[ "$r" = "OK 0 v=1 uid=65534
ERR EPERM lease belongs to another user
ERR EPERM lease belongs to another user
ERR EPERM name is registered by another user
ERR EPERM name is registered by another user" ] || fail "nobody vs root: $r"
	req "lookup name=mine" | grep -q "port=$((P+13)) .*uid=0 " || fail "root's lease changed"
	ok "another uid cannot unregister, renew, add to or take over a lease"
else
	echo "skip - other-uid checks need root and setpriv"
fi

# --- 10 000 registrations and lookups ----------------------------------------------
if command -v socat >/dev/null 2>&1; then
	i=0
	while [ $i -lt 10000 ]; do
		echo "register name=b$((i % 5000)) proto=tcp addr=127.0.0.1 port=$((1000 + i)) ttl=600"
		i=$((i + 1))
	done > "$T/reg.txt"
	sed 's/^register name=\(b[0-9]*\) .*/lookup name=\1/' "$T/reg.txt" > "$T/look.txt"
	t0=$(now_ms)
	socat -t 20 - "UNIX-CONNECT:$D" < "$T/reg.txt" > "$T/reg.out"
	t1=$(now_ms)
	n=$(grep -c '^OK 0 id=L' "$T/reg.out")
	[ "$n" -eq 10000 ] || fail "10000 registers: $n OK ($(grep -v '^OK' "$T/reg.out" | sort | uniq -c | head -3))"
	socat -t 20 - "UNIX-CONNECT:$D" < "$T/look.txt" > "$T/look.out"
	t2=$(now_ms)
	n=$(grep -c '^OK 2$' "$T/look.out")
	[ "$n" -eq 10000 ] || fail "10000 lookups: $n with both replicas"
	ok "10000 registrations in $((t1 - t0)) ms, 10000 lookups (20000 records) in $((t2 - t1)) ms"
	r=$(req "list limit=200")
	echo "$r" | tail -n1 | grep -q '^OK 200 next=' || fail "list page: $(echo "$r" | tail -n1)"
	ok "list pages a 10000-entry directory"
else
	echo "skip - 10000-entry timing needs socat"
fi

kill -0 "$SPID" || fail "superd died"
