#!/usr/bin/env bash
# A Node client loading proto/ at run time (@grpc/proto-loader, @grpc/grpc-js)
# against the real sproutd over mutual TLS (node_client_interop.js says what is
# checked), then the Node examples of doc/integrating.md run as written.
#
#   tests/interop/node_client_interop.sh SPROUTD SOURCE_DIR SCRATCH_DIR
#
# Needs node and the devDependencies of package.json (npm install).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/interop_lib.sh"
interop_setup "$@"

command -v node >/dev/null || fail "no node (deploy/install-deps installs it)"
for package in @grpc/grpc-js @grpc/proto-loader protobufjs; do
  [[ -f "$SRC/node_modules/$package/package.json" ]] ||
    fail "$package is not installed in $SRC/node_modules (run: npm install --no-audit --no-fund)"
done
# The examples are copied out of the markdown into the scratch folder; they
# find the packages through NODE_PATH, as a copy outside the repository would.
export NODE_PATH="$SRC/node_modules"
export SPROUT_SOURCE_DIR="$SRC"

step "starting sproutd"
start_sproutd

step "proto-loader client: submit, replay, refusal details, queue watch"
node "$here/node_client_interop.js"

step "doc/integrating.md examples watch_queue.js and submit.js, as written"
extract_example submit.js "$SCRATCH/submit.js"
extract_example watch_queue.js "$SCRATCH/watch_queue.js"
# By name, as in production: the server certificate's DNS:localhost is checked
# (with an IP address Node warns that TLS SNI cannot carry it; doc/integrating.md).
export SPROUT_SERVER="localhost:${SPROUT_SERVER##*:}"

# The watcher runs as the link worker for a fixed time and then ends by its
# deadline, which the example treats as a normal end (exit 0).
watch_out="$SCRATCH/watch_queue.out"
(cd "$SRC" && SPROUT_CERT="$CERTS/linkworker.pem" SPROUT_KEY="$CERTS/linkworker.key" \
  SPROUT_WATCH_SECONDS=10 exec node "$SCRATCH/watch_queue.js" pcns/U99001) >"$watch_out" 2>&1 &
watcher=$!
track_pid "$watcher"
# The two referrals the client above left waiting arrive first: the watch is open.
for _ in $(seq 100); do
  [[ $(grep -c ' QUEUE_EVENT_TYPE_ADDED queueItems/' "$watch_out") -ge 2 ]] && break
  kill -0 "$watcher" 2>/dev/null || break
  sleep 0.1
done
[[ $(grep -c ' QUEUE_EVENT_TYPE_ADDED queueItems/' "$watch_out") -ge 2 ]] ||
  fail "watch_queue.js did not list the two waiting items: $(cat "$watch_out")"

export SPROUT_CERT="$CERTS/gp.pem" SPROUT_KEY="$CERTS/gp.key"
# The GP example referral's person already has an episode, so a third referral
# for them joins it and keeps its PCN.
out=$(cd "$SRC" && node "$SCRATCH/submit.js") || fail "submit.js exited $? on the GP example"
echo "$out"
grep -qE '^referrals/[^ ]+ REFERRAL_STATE_QUEUED -> pcns/U99001 ' <<<"$out" ||
  fail "submit.js did not report a queued referral routed to pcns/U99001"
referral=$(awk '{print $1; exit}' <<<"$out")

rc=0
wait "$watcher" || rc=$?
cat "$watch_out"
[[ $rc -eq 0 ]] || fail "watch_queue.js exited $rc (0 expected at the end of its watch)"
grep -qE "^[0-9]+ QUEUE_EVENT_TYPE_ADDED queueItems/[^ ]+ ${referral}\$" "$watch_out" ||
  fail "watch_queue.js did not show $referral arriving while it watched"

# A wrong NHS number check digit: refused, exit 2, the field and the reason
# printed, and no patient data.
check_refused_example submit.js node "$SCRATCH/submit.js"

step "stopping sproutd"
stop_sproutd
echo "node_client_interop: passed"
