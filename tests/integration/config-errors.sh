#!/bin/sh
# Every bad config is refused with file:line, service, key and reason;
# exit status 78 at start-up and with -t; a good config passes -t.
. "${top_srcdir}/tests/integration/lib.sh"
cd "$T" || fail "cd"

# expect FILE-CONTENT MESSAGE: superd -t and superd -f both fail with 78.
expect() {
	printf '%s\n' "$1" > bad.conf
	"$SUPERD" -t -c bad.conf > out 2>&1
	rc=$?
	[ $rc -eq 78 ] || fail "-t exit $rc for: $2"
	grep -qF -- "$2" out || { cat out >&2; fail "message not found: $2"; }
	"$SUPERD" -f -c bad.conf > out2 2>&1
	rc=$?
	[ $rc -eq 78 ] || fail "start exit $rc for: $2"
	grep -qF -- "$2" out2 || fail "start message not found: $2"
	ok "$2"
}

expect 'service tftp {
  protocol = udp
  port = 70000
  server = "/bin/cat"
}' 'bad.conf:3: service "tftp": port 70000 out of range (0-65535)'
expect 'service a {
  port = 7
  bogus = 3
}' "bad.conf:3: service \"a\": no such option 'bogus'"
expect 'service a {
  port = 7
  wait = maybe
}' "bad.conf:3: service \"a\": invalid boolean value for option 'wait'"
expect 'service a {
  port = 7000
  server = "cat"
}' 'bad.conf:3: service "a": server "cat" must be an absolute path'
expect 'service a {
  port = 7000
  server = "/nonexistent/prog"
}' 'bad.conf:3: service "a": server /nonexistent/prog: No such file or directory'
mkdir -p "$T/emptyjail"
expect 'service a {
  port = 7000
  server = "/bin/cat"
  chroot = "'"$T"'/emptyjail"
}' 'bad.conf:3: service "a": server /bin/cat: No such file or directory inside chroot '"$T"'/emptyjail'
expect 'service a {
  type = builtin
  port = 7000
  server = "qotd"
}' 'bad.conf:4: service "a": server "qotd" is not a builtin'
expect 'service a {
  type = builtin
  port = 7000
  server = echo
  wait = yes
}' 'bad.conf:5: service "a": wait = yes makes no sense for a builtin'
expect 'service a {
  port = 7000
  server = "/bin/cat"
  user = "no-such-user-here"
}' 'bad.conf:4: service "a": user "no-such-user-here" does not exist'
expect 'service a {
  protocol = tcp
  socket = dgram
  port = 7000
  server = "/bin/cat"
}' 'bad.conf:3: service "a": socket = dgram does not go with protocol = tcp'
expect 'service a {
  protocol = unix
  server = "/bin/cat"
}' 'service "a": address: a unix service needs address = "/path/to/socket"'
expect 'service a {
  server = "/bin/cat"
}' 'service "a": port: missing'
expect 'service a {
  port = 7000
  server = "/bin/cat"
  only-from = {"10.0.0.0/33"}
}' 'bad.conf:4: service "a": only-from: "10.0.0.0/33": prefix length must be 0-32'
expect 'service a {
  port = 7000
  server = "/bin/cat"
  rate = "fast"
}' 'bad.conf:4: service "a": rate "fast": expected N/s or N/min'
expect 'service a {
  port = 7000
  server = "/bin/cat"
}
service b {
  port = 7000
  server = "/bin/cat"
}' 'address: * port 7000/tcp is already used by service "a"'
expect 'service a {
  port = 7000
  server = "/bin/cat"
}
service a {
  port = 7001
  server = "/bin/cat"
}' "found duplicate title 'a'"
expect 'directory-listen = "127.0.0.1:99999"' 'bad.conf:1: directory-listen port 99999 out of range (0-65535)'
expect 'service a {
  protocol = unix
  address = "/tmp/x.sock"
  server = "/bin/cat"
  oob-port = 0
}' 'bad.conf:5: service "a": oob-port needs an IPv4 or IPv6 service'
expect 'service a {
  port = 7000
  server = "/bin/cat"
  oob-port = 7000
}' 'bad.conf:4: service "a": oob-port 7000 is the service'"'"'s own port'
expect 'service a {
  protocol = udp
  port = 7000
  server = "/bin/cat"
  urgent = interrupt
}' 'bad.conf:5: service "a": urgent = interrupt needs a TCP exec service with wait = no'
expect 'service a {
  port = 7000
  server = "/bin/cat"
  urgent = loud
}' 'bad.conf:4: service "a": urgent "loud" is not one of: ignore, interrupt, pass'
expect 'service a {
  port = 7000
  server = "/bin/cat"
  urgent-signal = FOO
}' 'bad.conf:4: service "a": urgent-signal "FOO" is not a signal name'
expect 'service a {
  port = 7000
  server = "/bin/cat"
  wait = yes
  only-from = {"127.0.0.1"}
}' 'bad.conf:5: service "a": only-from cannot apply with wait = yes on a stream socket'
expect 'service a {
  protocol = unix
  address = "/tmp/a.sock"
  server = "/bin/cat"
  wait = yes
  allow-uids = {"root"}
}' 'service "a": allow-uids/allow-groups need a unix stream socket with wait = no'
expect 'log-level = chatty' 'log-level "chatty" is not one of'
expect 'service a {
  port = 7000
  server = "/bin/cat"
  instances = -1
}' 'bad.conf:4: service "a": instances -1 out of range'

# Several errors in one file are all reported.
printf 'service a {\n port = 70000\n server = "/bin/cat"\n}\nservice b {\n port = 7001\n server = "rel"\n}\n' > multi.conf
"$SUPERD" -t -c multi.conf > out 2>&1
[ "$(grep -c 'multi.conf:[0-9]*: service' out)" -eq 2 ] || { cat out; fail "not every error reported"; }
ok "all errors of a file reported"

"$SUPERD" -t -c "$T/none.conf" > out 2>&1
[ $? -eq 78 ] && grep -q "none.conf: cannot read" out || fail "missing file"
ok "missing file"

printf 'service good {\n port = 7000\n server = "/bin/cat"\n}\n' > good.conf
"$SUPERD" -t -c "$T/good.conf" > out 2>&1 || fail "good config rejected: $(cat out)"
ok "superd -t accepts a good config (absolute path)"

"$SUPERD" -x > out 2>&1
[ $? -eq 64 ] && grep -q "unknown option -x" out || fail "bad option"
ok "bad command-line option: usage, exit 64"

"$SUPERD" -t -c "$top_srcdir/conf/superd.conf" > out 2>&1 || fail "example conf: $(cat out)"
ok "the shipped example conf/superd.conf passes superd -t"
