#!/bin/sh
# The UDP echo builtin answers the whole datagram: 1400 bytes (one
# Ethernet frame) and 65000 bytes (near the UDP maximum) come back
# byte for byte.  It used to answer 512 bytes of any request.  chargen
# keeps RFC 864's 0..512 characters.
. "${top_srcdir}/tests/integration/lib.sh"
P=$BASE
{ conf_globals; cat <<CONF
service uecho { type = builtin  server = echo  protocol = udp  address = "127.0.0.1"  port = $((P+1)) }
service ucg { type = builtin  server = chargen  protocol = udp  address = "127.0.0.1"  port = $((P+2)) }
CONF
} > "$T/superd.conf"
start_superd

cat > "$T/udp.py" <<'PY'
import socket, sys
port, size = int(sys.argv[1]), int(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
s.settimeout(3)
data = bytes((i * 7 + 3) % 256 for i in range(size))
s.sendto(data, ("127.0.0.1", port))
r = s.recv(70000)
print(len(r), "same" if r == data else "different")
PY
for size in 1400 65000; do
	r=$(python3 "$T/udp.py" $((P+1)) $size 2>&1)
	[ "$r" = "$size same" ] ||
		fail "UDP echo of $size bytes: expected '$size same', got '$r'"
done
ok "UDP echo returns 1400 and 65000 bytes whole"
r=$(python3 "$T/udp.py" $((P+2)) 3000 2>&1)
n=${r%% *}
[ "$n" -le 512 ] 2>/dev/null || fail "UDP chargen answered '$r' (over 512)"
ok "UDP chargen stays within 512 characters"
kill -0 "$SPID" || fail "superd died"

