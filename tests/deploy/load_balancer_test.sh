#!/usr/bin/env bash
# deploy/compose/haproxy.cfg with the real HAProxy (Debian's) in front of two
# real sproutd replicas: mutual TLS passes through (a GP's call through the
# load balancer is answered as the GP's), the health checks mark both replicas
# UP, and a replica that stops is marked DOWN while calls keep being answered
# by the other.
# Usage: load_balancer_test.sh SPROUTD SPROUTCTL SOURCE_DIR SCRATCH_DIR
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../interop/interop_lib.sh"
SPROUTCTL=$(realpath -m "$2")
interop_setup "$1" "$3" "$4"
trap on_exit EXIT
command -v haproxy >/dev/null || fail "haproxy not found (deploy/install-deps installs it)"
base=$SCRATCH
cat "$CERTS/probe.pem" "$CERTS/probe.key" >"$CERTS/probe-bundle.pem"

step "two sproutd replicas"
mkdir -p "$base/a" "$base/b"
SCRATCH=$base/a start_sproutd
pid_a=$SPROUTD_PID
server_a=$SPROUT_SERVER
track_pid "$pid_a"
SCRATCH=$base/b start_sproutd
server_b=$SPROUT_SERVER
SCRATCH=$base

step "HAProxy in front"
lb_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
stats="$base/haproxy.stats"
printf 'global\n    stats socket %s mode 600 level admin\n' "$stats" >"$base/test.cfg"
SPROUT_LB_LISTEN="127.0.0.1:$lb_port" SPROUTD_1=$server_a SPROUTD_2=$server_b SPROUT_CERTS=$CERTS \
  haproxy -db -f "$SRC/deploy/compose/haproxy.cfg" -f "$base/test.cfg" >"$base/haproxy.log" 2>&1 &
track_pid $!

# The status HAProxy's health checks give `server` ("UP", "DOWN", ...);
# "UNCHECKED" while it is UP only because no check has run yet.
server_status() {
  python3 - "$stats" "$1" <<'PY'
import socket, sys, csv, io
s = socket.socket(socket.AF_UNIX)
try:
    s.connect(sys.argv[1])
except OSError:
    print("NO-SOCKET"); sys.exit(0)
s.sendall(b"show stat\n")
data = b""
while chunk := s.recv(65536):
    data += chunk
rows = csv.DictReader(io.StringIO(data.decode().lstrip("# ")))
for row in rows:
    if row["pxname"] == "sproutd" and row["svname"] == sys.argv[2]:
        status = row["status"].split()[0]
        checked = row["check_status"].startswith("L7OK")
        print("UNCHECKED" if status == "UP" and not checked else status); break
else:
    print("UNKNOWN")
PY
}
# HAProxy tells a server's state only when asked: ask every 0.2 s, for 30 s.
await_status() {  # server status
  local deadline=$((SECONDS + 30)) now=""
  while ((SECONDS < deadline)); do
    now=$(server_status "$1")
    [[ $now == "$2" ]] && return 0
    sleep 0.2
  done
  fail "$1 is $now, not $2, after 30 s: $(tail -n 5 "$base/haproxy.log")"
}
await_status sproutd-1 UP
await_status sproutd-2 UP

through_lb() { "$SPROUTCTL" --server "127.0.0.1:$lb_port" --certs-dir "$CERTS" "$@"; }
step "a GP's calls through the load balancer are the GP's"
for i in 1 2 3 4; do
  through_lb --as gp referral list >/dev/null || fail "call $i through the load balancer failed"
done
through_lb --as probe health | grep -q SERVING || fail "health through the load balancer"
if through_lb --as probe referral list >/dev/null 2>&1; then
  fail "the probe certificate was answered a Sprout call through the load balancer"
fi

step "a replica stops: marked DOWN, the other answers"
kill -TERM "$pid_a"
wait "$pid_a" || fail "replica a did not exit cleanly"
await_status sproutd-1 DOWN
for i in 1 2 3 4; do
  through_lb --as gp referral list >/dev/null || fail "call $i after a replica stopped failed"
done
stop_sproutd
echo "PASS: HAProxy passes mutual TLS through, health-checks both replicas and drops a stopped one"
