#!/bin/sh
# UDP wait = no keeps the inetd contract: the handler's fd 0 is the UDP
# service socket with the request still queued, so a real inetd-style
# UDP daemon (Debian's atftpd, with the stanza from its own FAQ) reads it
# with recvfrom, learns the client's address and answers; the real
# client (tftp-hpa) gets the file.  (superd used to give the handler a
# private socket pair: recvfrom returned no address and atftpd could
# not answer.)
. "${top_srcdir}/tests/integration/lib.sh"
ATFTPD=/usr/sbin/atftpd
TFTP=$(command -v tftp)
[ -x "$ATFTPD" ] || skip "atftpd is not installed (Debian package atftpd)"
[ -n "$TFTP" ] || skip "tftp is not installed (Debian package tftp-hpa)"
[ "$(id -u)" = 0 ] || skip "atftpd switches to user nobody: needs root"
P=$BASE
mkdir -p "$T/boot"
head -c 100000 /dev/urandom > "$T/boot/image.bin"
echo "small file" > "$T/boot/small.txt"
chmod -R a+rX "$T"
{ conf_globals; cat <<CONF
service tftp { protocol = udp  address = "127.0.0.1"  port = $((P+1))  wait = no
  server = "$ATFTPD"  argv0 = "in.tftpd"
  args = {"--tftpd-timeout", "1", "--no-multicast", "$T/boot"} }
CONF
} > "$T/superd.conf"
start_superd

cd "$T" || fail "cd $T"
timeout 20 "$TFTP" 127.0.0.1 $((P+1)) -m binary -c get small.txt got.txt ||
	fail "tftp get small.txt failed"
cmp -s "$T/boot/small.txt" "$T/got.txt" || fail "small.txt differs"
ok "tftp-hpa gets a file from atftpd started by superd (wait = no)"
timeout 30 "$TFTP" 127.0.0.1 $((P+1)) -m binary -c get image.bin got.bin ||
	fail "tftp get image.bin failed"
cmp -s "$T/boot/image.bin" "$T/got.bin" || fail "image.bin differs"
ok "a 100 kB binary file, byte for byte"
sleep 2	# atftpd leaves after its 1 s idle timeout
timeout 20 "$TFTP" 127.0.0.1 $((P+1)) -m binary -c get small.txt got2.txt ||
	fail "tftp get after the handler left failed"
wait_count "service tftp: session S[0-9]* from" 2
n=$(count_log "service tftp: session S[0-9]* from")
[ "$n" -ge 2 ] || fail "expected a new handler after the first left ($n sessions)"
ok "after the handler leaves, the next request starts a new one"
kill -0 "$SPID" || fail "superd died"
