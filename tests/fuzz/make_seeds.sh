#!/bin/sh
# Regenerates the binary seeds of corpus/referral from the text-format referrals
# in seeds/*.textproto (protoc --encode). JSON seeds (*.json) are kept as written.
# Usage: tests/fuzz/make_seeds.sh   (from the repository root)
set -eu
cd "$(dirname "$0")/../.."
for f in tests/fuzz/seeds/*.textproto; do
  name=$(basename "$f" .textproto)
  protoc --proto_path=proto --proto_path=/usr/include --encode=sprout.v1.Referral \
    sprout/v1/referral.proto < "$f" > "tests/fuzz/corpus/referral/$name.bin"
done
