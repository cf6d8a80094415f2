#!/bin/sh
# The bash completions in contrib/bash-completion: commands and options,
# and service, session and directory names asked from a running superd.
. "${top_srcdir}/tests/integration/lib.sh"
command -v bash >/dev/null || skip "bash needed"
P=$BASE
CTL=$top_builddir/superdctl
[ -x "$CTL" ] || fail "superdctl not built"
{ conf_globals; cat <<CONF
on-exit = terminate
service alpha { type = builtin  address = "127.0.0.1"  port = $((P+1))  server = echo }
service beta { address = "127.0.0.1"  port = $((P+2))  server = "/bin/sleep"  args = {"30"} }
service gamma { address = "127.0.0.1"  port = 0  server = "/bin/true" }
CONF
} > "$T/superd.conf"
start_superd
# A session of beta, for "interrupt <TAB>": a connection held open for
# at most 20 s (and ended with the test; on-exit = terminate ends beta).
bash -c "exec 3<>/dev/tcp/127.0.0.1/$((P+2)) && sleep 20" &
HOLD=$!
trap 'kill $HOLD 2>/dev/null; cleanup' EXIT
for _ in $(seq 50); do
	"$CTL" -S "$T/control.sock" sessions 2>/dev/null | grep -q beta && break
	sleep 0.1
done
SID=$("$CTL" -S "$T/control.sock" sessions | awk '$2 == "beta" { print $1 }')
[ -n "$SID" ] || fail "no session of beta to complete"

# comp LINE: what bash completes for LINE (the last word is the one
# being completed; a trailing space means a new empty word).
cat > "$T/comp.bash" <<'EOF'
for f in "$top_srcdir"/contrib/bash-completion/*; do . "$f"; done
PATH=$top_builddir:$PATH
line=$1
read -r -a COMP_WORDS <<< "$line"
[[ $line == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
COMP_LINE=$line
COMP_POINT=${#line}
fn=$(complete -p "${COMP_WORDS[0]}" | sed 's/.*-F \([^ ]*\).*/\1/')
"$fn" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' '
EOF
comp() { bash "$T/comp.bash" "$1"; }
expect() {
	_got=$(comp "$1")
	[ "$_got" = "$2" ] || fail "completing '$1': got '$_got', want '$2'"
}

expect "superdctl sta" "status "
expect "superdctl se" "service services sessions "
expect "superdctl services --js" "--json "
expect "superdctl -S $T/control.sock disable " "alpha beta gamma "
expect "superdctl disable -S $T/control.sock a" "alpha "
expect "superdctl -c $T/superd.conf enable g" "gamma "
expect "superdctl -S $T/control.sock interrupt " "$SID "
expect "superdctl -S $T/control.sock interrupt $SID K" "KILL "
ok "superdctl: commands, options, services and sessions from the live superd"

expect "superd-lookup -S $T/directory.sock g" "gamma "
expect "superd-lookup -c $T/superd.conf " "alpha beta gamma "
expect "superd-lookup -P u" "udp unix "
expect "superd-lookup --register x " "tcp udp unix "
ok "superd-lookup: options and names from the live directory"

expect "superd -" "-V -c -d -f -h -t "
expect "superd-convert -" "-R -i -x "
ok "superd and superd-convert: options"
