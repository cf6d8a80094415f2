#!/bin/sh
# What a builtin connection costs in system calls.  A bare epoll server
# registers an accepted socket once and closes it: the close takes it out
# of the epoll set.  superd's builtin connections live in a poll set of
# their own for this reason (services/connpoll.c); through libevent each
# connection also paid an EPOLL_CTL_DEL before its close, one system
# call in seven of an echo connection.  Counted with strace, on the main
# loop and on worker threads (threads = 2).  A lone client's connection
# costs one accept4, not a second one that only says EAGAIN; and a burst
# that comes after lone clients is taken in full.
. "${top_srcdir}/tests/integration/lib.sh"
P=$BASE
N=100
command -v strace >/dev/null 2>&1 || skip "strace is not installed"
{ conf_globals; cat <<CONF
service e { type = builtin  server = echo  address = "127.0.0.1"
  port = $((P+1)) }
service c { type = builtin  server = chargen  address = "127.0.0.1"
  port = $((P+2)) }
service w { type = builtin  server = echo  address = "127.0.0.1"
  port = $((P+3))  threads = 2 }
CONF
} > "$T/superd.conf"
start_superd
strace -f -qq -e trace=epoll_ctl,accept4 -o "$T/trace" -p "$SPID" &
TRACER=$!
trap 'kill $TRACER 2>/dev/null; cleanup' EXIT
# strace prints nothing when it attaches with -qq: let a request show it.
for _ in $(seq 50); do
	$SDCLIENT -q -t 3000 -s a -x a 127.0.0.1 $((P+1)) >/dev/null
	grep -q accept4 "$T/trace" 2>/dev/null && break
	sleep 0.1
done
grep -q accept4 "$T/trace" ||
	skip "strace cannot trace superd here (ptrace not permitted?)"

# chargen PORT: N connections that read 1024 bytes and reset.
chargen() {
	python3 - "$1" $N <<'PY' || fail "chargen did not answer"
import socket, struct, sys
for _ in range(int(sys.argv[2])):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 3)
    got = b""
    while len(got) < 1024:
        b = s.recv(1024 - len(got))
        if not b:
            sys.exit("chargen closed early")
        got += b
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()
PY
}

# count CLIENT ARGS...: N connections; the DEL and ADD calls they made.
count() {
	before=$(wc -l < "$T/trace")
	"$@" || fail "$* did not answer"
	sleep 0.3
	dels=$(tail -n +$((before + 1)) "$T/trace" | grep -c 'EPOLL_CTL_DEL' ||
	    true)
	adds=$(tail -n +$((before + 1)) "$T/trace" | grep -c 'EPOLL_CTL_ADD' ||
	    true)
	accepts=$(tail -n +$((before + 1)) "$T/trace" | grep -c 'accept4(' ||
	    true)
}
count $SDCLIENT -q -n $N -t 3000 -s hello -x hello 127.0.0.1 $((P+1))
[ "$dels" -lt $((N / 10)) ] ||
	fail "echo: $dels EPOLL_CTL_DEL calls for $N connections"
[ "$adds" -ge $N ] || fail "echo: only $adds registrations for $N connections"
ok "echo: $adds registrations and $dels deletions for $N connections"
# One client at a time: each connection wakes the loop alone.
[ "$accepts" -le $((N + N / 4)) ] ||
	fail "echo: $accepts accept4 calls for $N lone connections"
ok "echo: $accepts accept4 calls for $N lone connections"
# Then 40 at once: none is left in the backlog.
python3 - $((P+1)) <<'PY' || fail "a burst after lone clients was not served"
import socket, sys
port = int(sys.argv[1])
socks = [socket.create_connection(("127.0.0.1", port), 3) for _ in range(40)]
for i, s in enumerate(socks):
    s.settimeout(3)
    s.sendall(b"burst %d\n" % i)
for i, s in enumerate(socks):
    want = b"burst %d\n" % i
    got = b""
    while len(got) < len(want):
        b = s.recv(64)
        if not b:
            sys.exit("connection %d closed" % i)
        got += b
    if got != want:
        sys.exit("connection %d: %r" % (i, got))
    s.close()
PY
ok "a burst of 40 connections after lone clients: all answered"
count chargen $((P+2))
[ "$dels" -lt $((N / 10)) ] ||
	fail "chargen: $dels EPOLL_CTL_DEL calls for $N connections"
ok "chargen: $adds registrations and $dels deletions for $N connections"
count $SDCLIENT -q -n $N -t 3000 -s hello -x hello 127.0.0.1 $((P+3))
[ "$dels" -lt $((N / 10)) ] ||
	fail "echo on worker threads: $dels EPOLL_CTL_DEL calls for $N connections"
ok "echo on worker threads: $dels deletions for $N connections"
