// Mints X.509 certificates for identity tests: any SAN URIs, any extended key
// usage, signed by a given CA (such as certs/out/ca.pem) or self-signed.
#ifndef SPROUT_TESTS_SERVER_AUTH_TEST_CERTIFICATES_H_
#define SPROUT_TESTS_SERVER_AUTH_TEST_CERTIFICATES_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace sprout::testing {

enum class KeyUsage { kClientAuth, kServerAuth, kClientAndServerAuth, kNone };

struct CertificateSpec {
  std::vector<std::string> san_uris;  // in this order
  KeyUsage usage = KeyUsage::kClientAuth;
  std::string common_name = "test";
};

struct Certificate {
  std::string cert_pem;
  std::string key_pem;  // PKCS#8, ECDSA P-256
};

// A certificate for `spec`, valid from an hour ago for a day, signed by the
// issuer (PEM certificate and key) or self-signed when both are empty.
absl::StatusOr<Certificate> MintCertificate(const CertificateSpec& spec,
                                            const std::string& issuer_cert_pem = "",
                                            const std::string& issuer_key_pem = "");

}  // namespace sprout::testing

#endif  // SPROUT_TESTS_SERVER_AUTH_TEST_CERTIFICATES_H_
