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

# The watcher runs as the link worker; its output comes through a pipe and
# each expected line is awaited as it is written.
watch_out="$SCRATCH/watch_queue.out"
watch_pipe="$SCRATCH/watch_queue.pipe"
rm -f "$watch_pipe" && mkfifo "$watch_pipe"
(cd "$SRC" && SPROUT_CERT="$CERTS/linkworker.pem" SPROUT_KEY="$CERTS/linkworker.key" \
  SPROUT_WATCH_SECONDS=120 exec node "$SCRATCH/watch_queue.js" pcns/U99001) >"$watch_pipe" 2>&1 &
watcher=$!
track_pid "$watcher"
exec {watch_fd}<"$watch_pipe"
added='^[0-9]+ QUEUE_EVENT_TYPE_ADDED queueItems/'
# The two referrals the client above left waiting arrive first: the watch is open.
for item in first second; do
  await_line "$watch_fd" "$added" 60 "$watch_out" ||
    fail "watch_queue.js did not list the $item waiting item: $(cat "$watch_out")"
done

export SPROUT_CERT="$CERTS/gp.pem" SPROUT_KEY="$CERTS/gp.key"
# The GP example referral's person already has an episode, so a third referral
# for them joins it and keeps its PCN.
out=$(cd "$SRC" && node "$SCRATCH/submit.js") || fail "submit.js exited $? on the GP example"
echo "$out"
grep -qE '^referrals/[^ ]+ REFERRAL_STATE_QUEUED -> pcns/U99001 ' <<<"$out" ||
  fail "submit.js did not report a queued referral routed to pcns/U99001"
referral=$(awk '{print $1; exit}' <<<"$out")
await_line "$watch_fd" "${added}[^ ]+ ${referral}\$" 60 "$watch_out" ||
  fail "watch_queue.js did not show $referral arriving while it watched: $(cat "$watch_out")"
cat "$watch_out"
kill -TERM "$watcher" 2>/dev/null || true
exec {watch_fd}<&-

# A wrong NHS number check digit: refused, exit 2, the field and the reason
# printed, and no patient data.
check_refused_example submit.js node "$SCRATCH/submit.js"

step "stopping sproutd"
stop_sproutd
echo "node_client_interop: passed"
