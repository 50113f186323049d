#!/usr/bin/env bash
# Tests certs/make-dev-certs in a temporary directory: the files it promises,
# the identity URIs, chains that verify, idempotence, --force, and remaking
# when the asked-for codes change. Exits non-zero on the first failure.
set -euo pipefail

root="${SPROUT_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
script="${root}/certs/make-dev-certs"
out="$(mktemp -d)"
trap 'rm -rf "${out}"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
san() { openssl x509 -in "${out}/$1.pem" -noout -ext subjectAltName | tail -n +2 | sed 's/^ *//'; }

"${script}" --out "${out}" >/dev/null

for f in ca.pem ca.key server.pem server.key; do [[ -s "${out}/${f}" ]] || fail "missing ${f}"; done
for name in gp police housing self linkworker admin; do
  [[ -s "${out}/${name}.pem" && -s "${out}/${name}.key" ]] || fail "missing ${name}.pem/.key"
  openssl verify -CAfile "${out}/ca.pem" "${out}/${name}.pem" >/dev/null || fail "${name} does not chain"
  [[ "$(stat -c %a "${out}/${name}.key")" == "600" ]] || fail "${name}.key is not mode 600"
  openssl x509 -in "${out}/${name}.pem" -noout -text | grep -q "TLS Web Client Authentication" ||
    fail "${name} lacks clientAuth"
done

[[ "$(san gp)" == "URI:urn:sprout:org:Y99001:role:referrer" ]] || fail "gp SAN is $(san gp)"
[[ "$(san police)" == "URI:urn:sprout:org:police:WYP:role:referrer" ]] || fail "police SAN"
[[ "$(san self)" == "URI:urn:sprout:org:portal:self:role:referrer" ]] || fail "self SAN"
[[ "$(san linkworker)" == "URI:urn:sprout:org:U99001:role:link_worker:lw:lw-u99001-01" ]] ||
  fail "linkworker SAN is $(san linkworker)"
[[ "$(san admin)" == "URI:urn:sprout:org:admin:sprout:role:admin" ]] || fail "admin SAN"
openssl x509 -in "${out}/gp.pem" -noout -subject | grep -q "CN = urn:sprout:org:Y99001:role:referrer" ||
  fail "gp CN does not repeat the URI"
[[ "$(san server)" == "DNS:localhost, IP Address:127.0.0.1" ]] || fail "server SAN is $(san server)"
openssl x509 -in "${out}/ca.pem" -noout -text | grep -q "ASN1 OID: prime256v1" || fail "CA is not P-256"

# Idempotent: a second run changes nothing.
before="$(sha256sum "${out}"/*.pem)"
# (Output captured first: grep -q closing the pipe early would fail the script under pipefail.)
said="$("${script}" --out "${out}")"
[[ "${said}" == *already* ]] || fail "second run did not report existing certificates"
[[ "$(sha256sum "${out}"/*.pem)" == "${before}" ]] || fail "second run changed the certificates"

# --force makes a new CA.
"${script}" --out "${out}" --force >/dev/null
[[ "$(sha256sum "${out}/ca.pem")" != "$(echo "${before}" | grep ca.pem)" ]] || fail "--force kept the CA"

# Other codes asked for: remade with them.
"${script}" --out "${out}" --practice Y99005 >/dev/null
[[ "$(san gp)" == "URI:urn:sprout:org:Y99005:role:referrer" ]] || fail "--practice not applied"

# A broken file is noticed and the set remade.
echo "junk" > "${out}/police.pem"
said="$("${script}" --out "${out}" --practice Y99005)"
[[ "${said}" == *wrote* ]] || fail "a corrupt certificate was kept"
openssl verify -CAfile "${out}/ca.pem" "${out}/police.pem" >/dev/null || fail "police not remade"

"${script}" --bogus >/dev/null 2>&1 && fail "an unknown flag was accepted"
echo "make-dev-certs: all checks passed"
