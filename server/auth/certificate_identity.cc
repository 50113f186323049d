#include "server/auth/certificate_identity.h"

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/common/errors.h"

namespace sprout::auth {
namespace {

constexpr absl::string_view kSproutUriPrefix = "urn:sprout:org:";

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct GeneralNamesFree {
  void operator()(GENERAL_NAMES* n) const { GENERAL_NAMES_free(n); }
};

absl::Status Refused(absl::string_view why) {
  return ErrorWithInfo(absl::StatusCode::kUnauthenticated, "BAD_CLIENT_CERTIFICATE",
                       absl::StrCat("client certificate refused: ", why));
}

std::unique_ptr<X509, X509Free> ParsePem(absl::string_view pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  if (bio == nullptr) return nullptr;
  return std::unique_ptr<X509, X509Free>(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

bool AllowsClientAuth(X509* cert) {
  // X509_get_extension_flags() also caches the parsed extensions.
  const uint32_t flags = X509_get_extension_flags(cert);
  if ((flags & EXFLAG_INVALID) != 0) return false;
  if ((flags & EXFLAG_XKUSAGE) == 0) return false;  // no extendedKeyUsage at all
  return (X509_get_extended_key_usage(cert) & XKU_SSL_CLIENT) != 0;
}

// The SAN URIs that start with kSproutUriPrefix, in certificate order.
std::vector<std::string> SproutUris(X509* cert) {
  std::vector<std::string> uris;
  std::unique_ptr<GENERAL_NAMES, GeneralNamesFree> names(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
  if (names == nullptr) return uris;
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    if (name->type != GEN_URI) continue;
    const ASN1_IA5STRING* uri = name->d.uniformResourceIdentifier;
    absl::string_view text(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)),
                           static_cast<size_t>(ASN1_STRING_length(uri)));
    if (absl::StartsWith(text, kSproutUriPrefix)) uris.emplace_back(text);
  }
  return uris;
}

}  // namespace

absl::StatusOr<Principal> PrincipalFromCertificate(absl::string_view pem) {
  std::unique_ptr<X509, X509Free> cert = ParsePem(pem);
  if (cert == nullptr) return Refused("it is not a PEM X.509 certificate");
  if (!AllowsClientAuth(cert.get())) {
    return Refused("its extended key usage must include clientAuth");
  }
  const std::vector<std::string> uris = SproutUris(cert.get());
  if (uris.empty()) return Refused("it has no urn:sprout:org: subjectAltName URI");
  if (uris.size() > 1) {
    return Refused(absl::StrCat("it has ", uris.size(),
                                " urn:sprout:org: subjectAltName URIs; exactly one is allowed"));
  }
  absl::StatusOr<Principal> principal = ParsePrincipalUri(uris[0]);
  if (!principal.ok()) return Refused(principal.status().message());
  return principal;
}

}  // namespace sprout::auth
