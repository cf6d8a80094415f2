#!/bin/sh
# checksec for the built superd: configure's hardening flags made it in.
# PIE (ELF type DYN), full RELRO (a GNU_RELRO segment and BIND_NOW, or
# NOW in FLAGS_1) and the stack protector (__stack_chk_fail imported).
# Skipped for --enable-asan builds, which configure leaves unhardened.
set -u
: "${SUPERD:?run through make check}"
command -v readelf >/dev/null 2>&1 || { echo "SKIP: readelf is missing (binutils)"; exit 77; }
[ -f "$SUPERD" ] || { echo "FAIL: $SUPERD not built" >&2; exit 1; }
if readelf -d -W "$SUPERD" | grep -q 'NEEDED.*libasan' ||
    readelf --dyn-syms -W "$SUPERD" | grep -q '__asan_init'; then
	echo "SKIP: built with --enable-asan (no hardening flags then)"
	exit 77
fi
bad=0
check() {	# check WHAT COMMAND...: report one property
	_what=$1; shift
	if "$@"; then echo "ok - $_what"; else echo "FAIL: not $_what" >&2; bad=1; fi
}
is_pie() { readelf -h -W "$SUPERD" | grep -q 'Type:[[:space:]]*DYN'; }
has_relro() { readelf -l -W "$SUPERD" | grep -q 'GNU_RELRO'; }
binds_now() {
	readelf -d -W "$SUPERD" | grep -Eq '\(BIND_NOW\)|\(FLAGS\).*BIND_NOW|\(FLAGS_1\).*NOW'
}
has_ssp() { readelf --dyn-syms -W "$SUPERD" | grep -q '__stack_chk_fail'; }
check "PIE (ELF type DYN)" is_pie
check "RELRO (GNU_RELRO segment)" has_relro
check "full RELRO (BIND_NOW)" binds_now
check "stack protector (__stack_chk_fail imported)" has_ssp
exit $bad
