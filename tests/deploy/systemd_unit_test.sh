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
python3 - "$socket" "$messages" <<'PY' &
import socket, sys
path, out = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
s.settimeout(120)
with open(out, "a", buffering=1) as f:
    while True:
        for line in s.recv(4096).decode().splitlines():
            f.write(line + "\n")
            if line == "STOPPING=1":
                sys.exit(0)
PY
listener=$!
track_pid "$listener"
# The listener binds before sproutd may send.
for _ in $(seq 100); do [[ -S "$socket" ]] && break; sleep 0.05; done
[[ -S "$socket" ]] || fail "the notify listener did not start"

# Waits until the notify messages hold `count` lines equal to `line`.
await_notify() {
  local line=$1 count=$2 deadline=$((SECONDS + 60))
  while ((SECONDS < deadline)); do
    (($(grep -cx -- "$line" "$messages" || true) >= count)) && return 0
    sleep 0.05
  done
  fail "no $line (count $count) from sproutd; got: $(tr '\n' ' ' <"$messages")"
}

export NOTIFY_SOCKET="$socket"
start_sproutd
unset NOTIFY_SOCKET
await_notify "READY=1" 1
grep -q "^STATUS=serving on port " "$messages" || fail "no STATUS line: $(cat "$messages")"
kill -HUP "$SPROUTD_PID"
await_notify "RELOADING=1" 1
await_notify "READY=1" 2
stop_sproutd
await_notify "STOPPING=1" 1
wait "$listener"
echo "PASS: deploy/systemd/sproutd.service verified, exposure OK, notify protocol followed"
