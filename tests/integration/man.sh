#!/bin/sh
# man.sh: the manual pages and the shipped example configurations.
#  1. every man/*.[1-8] page is clean under "mandoc -Tlint -W warning";
#  2. superd.conf(5) documents exactly the keys daemon/conf.c accepts, the
#     global ones under "Global keys", the service ones after "Service
#     sections";
#  3. every example between '.\" begin example' and '.\" end example' in
#     superd.conf(5) passes "superd -t";
#  4. conf/superd.conf (as shipped and as "make install" writes it) and
#     each conf/superd.d/*.conf.example pass "superd -t".
# A server that is not installed here is checked as /bin/true (noted);
# without root, user and group lines are dropped (superd could not switch),
# and so are lines marked "# needs root" (namespaces, bounding sets).
# Exit: 0 pass, 1 fail, 77 if mandoc is missing and nothing else failed.
set -u
: "${SUPERD:?run through make check}"
: "${top_srcdir:?run through make check}"
T=$(mktemp -d /tmp/superd-man.XXXXXX)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1

PAGE=$top_srcdir/man/superd.conf.5
CONFC=$top_srcdir/daemon/conf.c
failed=0
fail() { echo "FAIL: $*" >&2; failed=1; }
ok() { echo "ok - $*"; }

# --- 1. lint ------------------------------------------------------------
have_mandoc=0
if command -v mandoc >/dev/null 2>&1; then
	have_mandoc=1
	for m in "$top_srcdir"/man/*.[1-8]; do
		[ -f "$m" ] || continue
		if out=$(mandoc -Tlint -W warning "$m" 2>&1) && [ -z "$out" ]
		then
			ok "mandoc -Tlint -W warning ${m##*/}"
		else
			fail "mandoc -Tlint -W warning ${m##*/}:"
			printf '%s\n' "$out" >&2
		fi
	done
else
	echo "SKIP: mandoc is not installed; pages not linted"
fi

# --- 2. keys --------------------------------------------------------------
# conf_keys TABLE: the keys of the X-macro table "#define TABLE(X)" in
# conf.c, one "X(TYPE, "key" ...)" each (sections aside).
conf_keys() {
	sed -n "/^#define $1(X)/,/[^\\\\]\$/p" "$CONFC" |
	    sed -n 's/^[[:space:]]*X(\([A-Z]*\),[[:space:]]*"\([^"]*\)".*/\1 \2/p' |
	    awk '$1 != "SEC" { print $2 }' | LC_ALL=C sort -u
}
# man_keys FROM TO: ".It Cm KEY Ns =" (or "Ns (") between two .Ss lines.
man_keys() {
	sed -n "/^\\.Ss $1\$/,/^\\.S[sh] $2/p" "$PAGE" |
	    sed -n 's/^\.It Cm \([a-z0-9-]*\) Ns [=(].*/\1/p' | LC_ALL=C sort -u
}
# compare WHAT PARSER-LIST MAN-LIST
compare() {
	printf '%s\n' "$2" > parser.keys
	printf '%s\n' "$3" > man.keys
	if [ -z "$2" ] || [ -z "$3" ]; then
		fail "$1: no keys found (did the layout of conf.c or the page change?)"
		return
	fi
	missing=$(LC_ALL=C comm -23 parser.keys man.keys)
	extra=$(LC_ALL=C comm -13 parser.keys man.keys)
	[ -z "$missing" ] || fail "$1 accepted by conf.c but not documented:" $missing
	[ -z "$extra" ] || fail "$1 documented but not accepted by conf.c:" $extra
	[ -n "$missing$extra" ] ||
	    ok "$1: superd.conf(5) and conf.c agree ($(wc -l < parser.keys) keys)"
}
compare "global keys" "$(conf_keys GLOBAL_KEYS)" \
    "$(man_keys 'Global keys' 'The defaults section')"
compare "service keys" "$( (conf_keys SERVICE_KEYS; conf_keys RESCTL_KEYS;
    conf_keys SOCKOPT_KEYS) |
    LC_ALL=C sort -u)" \
    "$(man_keys 'Service sections' 'INETD COMPATIBILITY')"
all_doc=$(sed -n 's/^\.It Cm \([a-z0-9-]*\) Ns [=(].*/\1/p' "$PAGE" | sort | uniq -d)
[ -z "$all_doc" ] || fail "keys documented twice:" $all_doc

# --- helpers for 3 and 4 -------------------------------------------------
# localize FILE: make a config checkable on this host (see the header).
localize() {
	for s in $(sed -n 's/^[[:space:]]*server = "\{0,1\}\(\/[^" ]*\).*/\1/p' "$1"); do
		[ -x "$s" ] && continue
		echo "   note: $s is not installed here; checked as /bin/true"
		sed "s|\"$s\"|\"/bin/true\"|; s|= $s\$|= /bin/true|" "$1" > "$1.tmp" &&
		    mv "$1.tmp" "$1"
	done
	for p in $(sed -n 's/^[[:space:]]*port = "\{0,1\}\([a-z][a-z0-9-]*\).*/\1/p' "$1"); do
		getent services "$p" >/dev/null 2>&1 && continue
		echo "   note: port $p is not in /etc/services here; checked as 1"
		sed "s/port = \"\{0,1\}$p\"\{0,1\}/port = 1/" "$1" > "$1.tmp" &&
		    mv "$1.tmp" "$1"
	done
	if [ "$(id -u)" != 0 ]; then
		sed -e '/^[[:space:]]*\(user\|group\) = /d' \
		    -e '/# needs root$/d' "$1" > "$1.tmp" &&
		    mv "$1.tmp" "$1"
	fi
}
# check_t DESC FILE: superd -t must accept FILE.
check_t() {
	if out=$("$SUPERD" -t -c "$2" 2>&1); then
		ok "$1 passes superd -t"
	else
		fail "$1 does not pass superd -t:"
		printf '%s\n' "$out" >&2
	fi
}

# --- 3. examples of superd.conf(5) ----------------------------------------
awk '
/^\.\\" begin example/ { n++; f = sprintf("example%d.conf", n); inex = 1; next }
/^\.\\" end example/ { inex = 0; close(f); next }
inex && !/^\./ { gsub(/\\e/, "\\"); gsub(/\\&/, ""); print > f }
' "$PAGE"
n=0
for f in example*.conf; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	mkdir "ex$n" && mv "$f" "ex$n/superd.conf"
	localize "ex$n/superd.conf"
	check_t "superd.conf(5) example $n" "$T/ex$n/superd.conf"
done
[ "$n" -gt 0 ] || fail "no '.\\\" begin example' blocks in superd.conf(5)"

# --- 4. shipped configurations ------------------------------------------
mkdir shipped && cp "$top_srcdir/conf/superd.conf" shipped/superd.conf
localize shipped/superd.conf
check_t "conf/superd.conf" "$T/shipped/superd.conf"
mkdir installed
# As "make install" writes it (conf/conf.am): the #root# lines switched on.
sed -e 's/^#root#//' "$top_srcdir/conf/superd.conf" > installed/superd.conf
grep -q '^control-socket' installed/superd.conf &&
    fail "the installed superd.conf sets control-socket"
if [ "$(id -u)" = 0 ]; then
	localize installed/superd.conf
	check_t "conf/superd.conf as installed" "$T/installed/superd.conf"
else
	echo "# not root: the installed superd.conf (root-only keys) not checked"
fi
for e in "$top_srcdir"/conf/superd.d/*.conf.example; do
	[ -f "$e" ] || continue
	name=$(basename "$e" .example)
	d=dropin-${name%.conf}
	mkdir -p "$d/superd.d"
	: > "$d/superd.conf"
	cp "$e" "$d/superd.d/$name"
	localize "$d/superd.d/$name"
	check_t "conf/superd.d/$name" "$T/$d/superd.conf"
	"$SUPERD" -t -c "$T/$d/superd.conf" 2>/dev/null | grep -q '(1 services)' ||
	    fail "conf/superd.d/$name: the drop-in was not read"
done

[ "$failed" -eq 0 ] || exit 1
[ "$have_mandoc" -eq 1 ] || exit 77
exit 0
