// Mints X.509 certificates for identity tests: any SAN URIs, any extended key
// usage, signed by a given CA (such as certs/out/ca.pem) or self-signed.
#ifndef SPROUT_TESTS_SERVER_AUTH_TEST_CERTIFICATES_H_
#define SPROUT_TESTS_SERVER_AUTH_TEST_CERTIFICATES_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace sprout::testing {

enum class KeyUsage { kClientAuth, kServerAuth, kClientAndServerAuth, kNone };

struct CertificateSpec {
  std::vector<std::string> san_uris;  // in this order
  KeyUsage usage = KeyUsage::kClientAuth;
  std::string common_name = "test";
  // Validity, in seconds from now (an expired certificate: both negative).
  long not_before_seconds = -3600;
  long not_after_seconds = 86400;
};

struct Certificate {
  std::string cert_pem;
  std::string key_pem;  // PKCS#8, ECDSA P-256
};

// A certificate for `spec` (by default valid from an hour ago for a day), signed by the
// issuer (PEM certificate and key) or self-signed when both are empty.
absl::StatusOr<Certificate> MintCertificate(const CertificateSpec& spec,
                                            const std::string& issuer_cert_pem = "",
                                            const std::string& issuer_key_pem = "");

// Mints a certificate for `spec` signed by the CA in `certs_dir` (ca.pem,
// ca.key) and writes it as `certs_dir`/`name`.pem and .key, the layout
// certs/make-dev-certs makes, so a client can present it as `name`.
absl::Status MintCertificateFiles(const CertificateSpec& spec, const std::string& certs_dir,
                                  const std::string& name);

}  // namespace sprout::testing

#endif  // SPROUT_TESTS_SERVER_AUTH_TEST_CERTIFICATES_H_
