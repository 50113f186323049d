# Sourced by the interop tests (tests/interop/*_client_interop.sh): dev
# certificates, the real sproutd on a free loopback port with a fresh SQLite
# file (the flags tests/integration/sproutd_process.cc uses), and the examples
# of doc/integrating.md cut out of the markdown so they are run as written.
#
#   source interop_lib.sh
#   interop_setup SPROUTD SOURCE_DIR SCRATCH_DIR   # checks, certificates
#   start_sproutd                                  # sets SPROUT_SERVER; stopped on exit
#   extract_example submit.py "$SCRATCH/submit.py"
#   track_pid PID                                  # a background client, ended on exit
#   stop_sproutd                                   # fails unless sproutd exits 0

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

step() { echo "--- $*"; }

interop_setup() {  # sproutd source_dir scratch_dir
  [[ $# -eq 3 ]] || fail "usage: $0 SPROUTD SOURCE_DIR SCRATCH_DIR"
  SPROUTD=$(realpath -m "$1")
  SRC=$(cd "$2" && pwd)
  SCRATCH=$3
  [[ -x "$SPROUTD" ]] || fail "no sproutd at $SPROUTD (cmake --build build --target sproutd)"
  [[ -f "$SRC/proto/sprout/v1/referral_service.proto" ]] || fail "$SRC is not the Sprout source tree"
  # A fresh folder each run: new database, new certificates, no stale port file.
  [[ -n "$SCRATCH" && "$SCRATCH" != "/" && "$(realpath -m "$SCRATCH")" != "$SRC" ]] ||
    fail "refusing to use $SCRATCH as the scratch folder"
  rm -rf "$SCRATCH"
  mkdir -p "$SCRATCH"
  SCRATCH=$(cd "$SCRATCH" && pwd)
  CERTS="$SCRATCH/certs"
  # gp = practice Y99001 (referrer), linkworker = lw-u99001-01 of PCN U99001.
  "$SRC/certs/make-dev-certs" --out "$CERTS" --practice Y99001 --pcn U99001 \
    --link-worker lw-u99001-01 >/dev/null || fail "certs/make-dev-certs failed"
  export SPROUT_CERTS_DIR="$CERTS"
  export SPROUT_CA="$CERTS/ca.pem"
}

SPROUTD_PID=""

# Starts sproutd and waits for the port it chose (written once it serves).
# await_line FD PATTERN SECONDS COPY: reads lines from FD, appending each to
# the file COPY, until one matches the extended regex PATTERN (its groups are
# then in BASH_REMATCH). It blocks on the reads themselves, so it returns as
# soon as the line is written; returns 1 at end of input or after SECONDS.
await_line() {
  local fd=$1 pattern=$2 copy=$4 deadline=$((SECONDS + $3)) line
  while ((SECONDS < deadline)) && IFS= read -r -t "$((deadline - SECONDS))" -u "$fd" line; do
    printf '%s\n' "$line" >>"$copy"
    [[ $line =~ $pattern ]] && return 0
  done
  return 1
}

start_sproutd() {
  local log="$SCRATCH/sproutd.log" fifo="$SCRATCH/sproutd.out"
  (umask 077 && head -c 32 /dev/urandom >"$SCRATCH/pseudonym.key")
  rm -f "$SCRATCH/data.keys"
  "$(dirname "$SPROUTD")/store/sprout-keys" new "$SCRATCH/data.keys" >/dev/null
  trap on_exit EXIT
  rm -f "$fifo" && mkfifo "$fifo" && : >"$log"
  # From the source root, as the C++ integration tests run it; every path is
  # given anyway, so nothing depends on sproutd's relative defaults. Its log
  # comes through a pipe so that start-up is awaited on its SERVING line.
  (cd "$SRC" && exec "$SPROUTD" \
    --listen=127.0.0.1:0 --metrics_listen=127.0.0.1:0 \
    --db="$SCRATCH/sprout.db" \
    --pseudonym_key_file="$SCRATCH/pseudonym.key" --data_key_file="$SCRATCH/data.keys" \
    --audit_anchor_file="$SCRATCH/audit.anchor" \
    --snomed_cache="$SCRATCH/snomed.cache" \
    --snomed_release="$SRC/snomed/data/starter" \
    --directory="$SRC/deploy/demo/directory" \
    --routing_policy="$SRC/deploy/demo/routing_policy.textproto" \
    --codemaps="$SRC/deploy/demo/codemaps" \
    --bindings="$SRC/deploy/demo/bindings.textproto" \
    --tls_cert="$CERTS/server.pem" \
    --tls_key="$CERTS/server.key" \
    --tls_client_ca="$CERTS/ca.pem" \
    --log_level=info) >"$fifo" 2>&1 &
  SPROUTD_PID=$!
  local out
  exec {out}<"$fifo"
  if ! await_line "$out" 'SERVING on 127\.0\.0\.1:([0-9]+)' 60 "$log"; then
    kill -KILL "$SPROUTD_PID" 2>/dev/null || true
    wait "$SPROUTD_PID" || true
    SPROUTD_PID=""
    tail -n 20 "$log" >&2
    fail "sproutd exited or did not start serving within 60 s (log above)"
  fi
  export SPROUT_SERVER="127.0.0.1:${BASH_REMATCH[1]}"
  # The rest of the log keeps flowing to the file (cat ends when sproutd does).
  cat <&"$out" >>"$log" &
  exec {out}<&-
  echo "sproutd (pid $SPROUTD_PID) serving on $SPROUT_SERVER"
}

# SIGTERM and wait; a clean shutdown exits 0 (the integration tests demand the same).
stop_sproutd() {
  [[ -n "$SPROUTD_PID" ]] || return 0
  local pid=$SPROUTD_PID rc=0
  SPROUTD_PID=""
  kill -0 "$pid" 2>/dev/null || fail "sproutd died during the test: $(tail -n 5 "$SCRATCH/sproutd.log")"
  kill -TERM "$pid"
  wait "$pid" || rc=$?
  [[ $rc -eq 0 ]] || fail "sproutd exited $rc on SIGTERM: $(tail -n 5 "$SCRATCH/sproutd.log")"
}

# Other processes a test starts in the background, ended with it.
BACKGROUND_PIDS=()
track_pid() { BACKGROUND_PIDS+=("$1"); }

# On any exit: never leave sproutd (or a client) behind, and say where the log
# is on failure.
on_exit() {
  local rc=$? pid
  for pid in "${BACKGROUND_PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  if [[ -n "$SPROUTD_PID" ]]; then
    kill -KILL "$SPROUTD_PID" 2>/dev/null || true
    wait "$SPROUTD_PID" 2>/dev/null || true
  fi
  if [[ $rc -ne 0 ]]; then
    echo "interop test failed (exit $rc); scratch folder and sproutd.log: $SCRATCH" >&2
  fi
}

# extract_example NAME OUT: the fenced block after `<!-- example: NAME -->` in
# doc/integrating.md, byte for byte, to OUT.
extract_example() {
  local name=$1 out=$2 doc="$SRC/doc/integrating.md"
  awk -v marker="<!-- example: ${name} -->" '
    $0 == marker { armed = 1; next }
    armed && !inside && /^```/ { inside = 1; next }
    inside && /^```[[:space:]]*$/ { found = 1; exit }
    inside { print }
    armed && !inside && NF { exit }   # only blank lines may sit between marker and block
    END { exit found ? 0 : 1 }
  ' "$doc" >"$out" || fail "no fenced block after <!-- example: ${name} --> in doc/integrating.md"
  [[ -s "$out" ]] || fail "the example ${name} in doc/integrating.md is empty"
}

# check_refused_example LABEL COMMAND...: runs the doc's submit example
# (COMMAND, from the source folder) on the GP example with a wrong NHS number
# check digit. It must exit 2, print the field violation and the ErrorInfo
# reason, and print no patient data.
check_refused_example() {
  local label=$1 rc=0 out
  shift
  sed 's/"943 476 5919"/"943 476 5918"/' "$SRC/client/examples/gp-referral.json" >"$SCRATCH/bad-referral.json"
  grep -q '"943 476 5918"' "$SCRATCH/bad-referral.json" || fail "could not make the bad referral"
  out=$(cd "$SRC" && "$@" "$SCRATCH/bad-referral.json") || rc=$?
  echo "$out"
  [[ $rc -eq 2 ]] || fail "$label exited $rc on a refused referral (2 expected)"
  grep -q '^  referral.patient.nhs_number: ' <<<"$out" || fail "$label did not print the field violation"
  grep -q '^  reason: INVALID_REFERRAL (sprout)' <<<"$out" || fail "$label did not print the ErrorInfo reason"
  ! grep -qiE '943 ?476 ?591|quillfeather|hettie' <<<"$out" || fail "$label printed patient data"
}
