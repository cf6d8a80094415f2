#!/bin/sh
# superd-lookup against the real directory: a port = 0 service is listed,
# reachable at the port it reports; -p, -l, --json, -P; exit codes 0/1/2.
. "${top_srcdir}/tests/integration/lib.sh"
LOOKUP=${SUPERD_LOOKUP:-$top_builddir/superd-lookup}
[ -x "$LOOKUP" ] || fail "superd-lookup not built ($LOOKUP)"
P=$BASE
{ conf_globals; cat <<CONF
directory-listen = "127.0.0.1:$((P+50))"
service echo { type = builtin  address = "127.0.0.1"  port = 0  server = echo }
service fixed { type = builtin  address = "127.0.0.1"  port = $((P+1))  server = echo }
service uecho { type = builtin  protocol = unix  address = "$T/echo.sock"  server = echo }
CONF
} > "$T/superd.conf"
start_superd
for _ in $(seq 30); do [ -S "$T/directory.sock" ] && break; sleep 0.1; done
[ -S "$T/directory.sock" ] || skip "this superd has no directory socket"
SUPERD_DIRECTORY=$T/directory.sock; export SUPERD_DIRECTORY

out=$("$LOOKUP" echo) || fail "lookup echo: exit $?"
echo "$out" | grep -Eq '^127\.0\.0\.1:[0-9]+/tcp$' || fail "lookup echo printed: $out"
port=$("$LOOKUP" -p echo) || fail "lookup -p echo: exit $?"
[ "$port" -gt 0 ] 2>/dev/null || fail "-p printed: $port"
[ "$out" = "127.0.0.1:$port/tcp" ] || fail "-p and plain disagree: $out, $port"
ok "port = 0 service found at 127.0.0.1:$port"
grep -q "service echo: listening on 127.0.0.1 port $port (dynamic)" "$T/log" \
	|| fail "the dynamic port is not in the log"
ok "the dynamic port is logged"
[ "$($SDCLIENT -s hello 127.0.0.1 "$port")" = hello ] || fail "echo at looked-up port"
ok "reachable at the looked-up port"

[ "$("$LOOKUP" -p fixed)" = $((P+1)) ] || fail "static port"
[ "$("$LOOKUP" uecho)" = "unix:$T/echo.sock" ] || fail "unix endpoint: $("$LOOKUP" uecho)"
ok "static and unix endpoints"

"$LOOKUP" -l >"$T/table" || fail "-l: exit $?"
head -n1 "$T/table" | grep -Eq '^NAME +PROTO +ADDRESS +PORT +SOURCE +OWNER +EXPIRES +STATE$' \
	|| fail "table header: $(head -n1 "$T/table")"
grep -Eq "^echo +tcp +127\.0\.0\.1 +$port +dynamic " "$T/table" || fail "table row: $(cat "$T/table")"
grep -Eq "^fixed +tcp .* static " "$T/table" || fail "static row"
[ "$("$LOOKUP" | wc -l)" -eq "$(wc -l <"$T/table")" ] || fail "no name is not -l"
ok "table"

"$LOOKUP" --json echo >"$T/json" || fail "--json: exit $?"
if command -v python3 >/dev/null 2>&1; then
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); e=d["entries"][0]; assert d["v"]==1 and e["name"]=="echo" and e["port"]==int(sys.argv[2]) and e["source"]=="dynamic"' \
	    "$T/json" "$port" || fail "json: $(cat "$T/json")"
else
	grep -q "\"port\":$port" "$T/json" || fail "json: $(cat "$T/json")"
fi
ok "--json"
[ -z "$("$LOOKUP" -P udp -l | sed 1d)" ] || fail "-P udp listed something"
ok "-P filter"

"$LOOKUP" nosuch 2>"$T/err"; rc=$?
[ $rc -eq 2 ] || fail "not found gave exit $rc"
grep -q nosuch "$T/err" || fail "no message for not found"
"$LOOKUP" -S "$T/none.sock" echo 2>"$T/err"; rc=$?
[ $rc -eq 1 ] || fail "no daemon gave exit $rc"
grep -q "$T/none.sock" "$T/err" || fail "message does not name the socket: $(cat "$T/err")"
"$LOOKUP" -p 2>/dev/null; rc=$?
[ $rc -eq 1 ] || fail "bad arguments gave exit $rc"
[ "$("$LOOKUP" --version)" = "superd-lookup $("$SUPERD" -V | sed 's/^superd //')" ] || fail "--version"
ok "exit status 0, 2, 1; --version"

# The read-only remote directory over TCP (directory-listen).
out=$("$LOOKUP" -H 127.0.0.1:$((P+50)) echo) || fail "remote lookup: exit $?"
[ "$out" = "127.0.0.1:$port/tcp" ] || fail "remote lookup printed: $out"
"$LOOKUP" -H 127.0.0.1:$((P+51)) echo 2>/dev/null; rc=$?
[ $rc -eq 1 ] || fail "remote lookup without a directory gave exit $rc"
ok "remote lookup over directory-listen"

# The port survives a reload when the section is unchanged.
kill -HUP "$SPID"
sleep 1
[ "$("$LOOKUP" -p echo)" = "$port" ] || fail "port changed across SIGHUP"
ok "dynamic port kept across SIGHUP"
kill -0 "$SPID" || fail "superd died"
