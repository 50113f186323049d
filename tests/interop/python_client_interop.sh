#!/usr/bin/env bash
# A Python client generated from proto/ during the test, against the real
# sproutd over mutual TLS (python_client_interop.py says what is checked), then
# the Python example of doc/integrating.md run as written.
#
#   tests/interop/python_client_interop.sh SPROUTD SOURCE_DIR SCRATCH_DIR
#
# Needs Debian's python3-grpcio and python3-protobuf (deploy/install-deps), and
# protoc with grpc_python_plugin (protobuf-compiler, protobuf-compiler-grpc).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/interop_lib.sh"
interop_setup "$@"

# Debian's packages are for Debian's interpreter; a python3 earlier on PATH
# (pyenv, a virtualenv) may not see them. PYTHON overrides.
PYTHON=${PYTHON:-/usr/bin/python3}
[[ -x "$PYTHON" ]] || PYTHON=$(command -v python3) || fail "no python3"
"$PYTHON" -c 'import grpc, google.protobuf' 2>/dev/null ||
  fail "$PYTHON cannot import grpc and google.protobuf (apt-get install python3-grpcio python3-protobuf)"
command -v protoc >/dev/null || fail "no protoc (apt-get install protobuf-compiler)"
PLUGIN=$(command -v grpc_python_plugin) || fail "no grpc_python_plugin (apt-get install protobuf-compiler-grpc)"

step "generating Python code from proto/ (sprout.v1 and google.rpc)"
# Debian 12's python3-grpc-tools bundles protoc 3.5, which predates proto3
# `optional`; Debian's protoc 3.21 with gRPC's Python plugin writes the same
# *_pb2.py and *_pb2_grpc.py that `python3 -m grpc_tools.protoc` would.
GEN="$SCRATCH/gen"
mkdir -p "$GEN"
(cd "$SRC/proto" && protoc -I. --python_out="$GEN" --grpc_python_out="$GEN" \
  --plugin=protoc-gen-grpc_python="$PLUGIN" sprout/v1/*.proto google/rpc/*.proto)
export PYTHONPATH="$GEN"
export PYTHONDONTWRITEBYTECODE=1
export SPROUT_SOURCE_DIR="$SRC"

step "starting sproutd"
start_sproutd

step "generated client: submit, replay, refusal details, queue watch"
"$PYTHON" "$here/python_client_interop.py"

step "doc/integrating.md example submit.py, as written"
extract_example submit.py "$SCRATCH/submit.py"
export SPROUT_CERT="$CERTS/gp.pem" SPROUT_KEY="$CERTS/gp.key"
# From the source root, so its default referral path works as in the doc.
out=$(cd "$SRC" && "$PYTHON" "$SCRATCH/submit.py") || fail "submit.py exited $? on the GP example"
echo "$out"
grep -qE '^referrals/[^ ]+ REFERRAL_STATE_QUEUED -> pcns/U99001 ' <<<"$out" ||
  fail "submit.py did not report a queued referral routed to pcns/U99001"

# The same example with a wrong NHS number check digit: refused, exit 2, the
# field and the reason printed, and no patient data.
check_refused_example submit.py "$PYTHON" "$SCRATCH/submit.py"

step "stopping sproutd"
stop_sproutd
echo "python_client_interop: passed"
