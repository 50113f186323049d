#!/usr/bin/env bash
# Builds deploy/docker/Dockerfile and starts the image read-only as its
# non-root user far enough to print its version of --help, where a container
# engine runs. Skipped (exit 77) where none does: `docker --version` alone
# answers without an engine behind it. tests/deploy/manifests_test.py checks
# the rest of the image without one.
# Usage: container_build_test.sh SOURCE_DIR
set -euo pipefail
src=$1
engine=""
for candidate in docker podman; do
  if command -v "$candidate" >/dev/null && "$candidate" info >/dev/null 2>&1; then
    engine=$candidate
    break
  fi
done
if [[ -z "$engine" ]]; then
  echo "SKIP: no container engine runs here (docker info / podman info fail)"
  exit 77
fi
tag="sprout:test-$$"
"$engine" build -f "$src/deploy/docker/Dockerfile" -t "$tag" "$src"
trap '"$engine" rmi -f "$tag" >/dev/null 2>&1 || true' EXIT
[[ "$("$engine" run --rm --read-only --entrypoint id "$tag" -u)" == "10001" ]] ||
  { echo "FAIL: the image does not run as uid 10001"; exit 1; }
"$engine" run --rm --read-only "$tag" --help | grep -q -- "--metrics_listen" ||
  { echo "FAIL: sproutd in the image does not start"; exit 1; }
echo "PASS: image built with $engine; runs read-only as uid 10001"
