#!/usr/bin/env bash
# deploy/systemd/sproutd.service, checked three ways:
#  1. `systemd-analyze verify` accepts it as it is in the repository;
#  2. `systemd-analyze security --offline` rates its exposure at most 2.0
#     ("OK"): the hardening stays in;
#  3. Type=notify holds: the real sproutd, given a NOTIFY_SOCKET as systemd
#     would, says READY=1 once it serves, RELOADING=1 then READY=1 around a
#     SIGHUP reload, and STOPPING=1 on SIGTERM.
# Usage: systemd_unit_test.sh SPROUTD SOURCE_DIR SCRATCH_DIR
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../interop/interop_lib.sh"
interop_setup "$@"
trap on_exit EXIT
command -v systemd-analyze >/dev/null || fail "systemd-analyze not found (deploy/install-deps installs systemd)"

step "systemd-analyze verify"
unit="$SRC/deploy/systemd/sproutd.service"
if ! verify_output=$(systemd-analyze verify "$unit" 2>&1) || [[ -n "$verify_output" ]]; then
  fail "systemd-analyze verify: $verify_output"
fi

step "systemd-analyze security (exposure at most 2.0)"
systemd-analyze security --offline=yes --threshold=20 "$unit" >"$SCRATCH/security.txt" 2>&1 ||
  fail "exposure above 2.0: $(tail -n 3 "$SCRATCH/security.txt")"
grep -E "Overall exposure level" "$SCRATCH/security.txt"

step "Type=notify: READY, RELOADING, STOPPING"
socket="$SCRATCH/notify.sock"
messages="$SCRATCH/notify.txt"
: >"$messages"
# The listener prints "listening" once bound, then each message line as it
# arrives; the test reads them as they come (await_line blocks on the read).
exec {notify}< <(python3 -u - "$socket" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(120)
print("listening")
while True:
    for line in s.recv(4096).decode().splitlines():
        print(line)
        if line == "STOPPING=1":
            sys.exit(0)
PY
)
await_notify() {  # extended regex
  await_line "$notify" "$1" 60 "$messages" ||
    fail "no line matching $1 from sproutd; got: $(tr '\n' ' ' <"$messages")"
}
await_notify '^listening$'

export NOTIFY_SOCKET="$socket"
start_sproutd
unset NOTIFY_SOCKET
await_notify '^READY=1$'
await_notify '^STATUS=serving on port [0-9]+$'
kill -HUP "$SPROUTD_PID"
await_notify '^RELOADING=1$'
await_notify '^READY=1$'
stop_sproutd
await_notify '^STOPPING=1$'
echo "PASS: deploy/systemd/sproutd.service verified, exposure OK, notify protocol followed"
