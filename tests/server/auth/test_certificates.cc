#include "tests/server/auth/test_certificates.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <fstream>
#include <memory>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/read_file.h"

namespace sprout::testing {
namespace {

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using Key = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using Cert = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using Bio = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;

std::string BioText(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(size));
}

absl::Status AddExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (ext == nullptr) return absl::InternalError(absl::StrCat("bad extension ", value));
  const int ok = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  return ok == 1 ? absl::OkStatus() : absl::InternalError("X509_add_ext failed");
}

}  // namespace

absl::StatusOr<Certificate> MintCertificate(const CertificateSpec& spec,
                                            const std::string& issuer_cert_pem,
                                            const std::string& issuer_key_pem) {
  Key key(EVP_EC_gen("P-256"));
  if (key == nullptr) return absl::InternalError("EC key generation failed");
  Cert issuer;
  Key issuer_key;
  if (!issuer_cert_pem.empty()) {
    Bio cb(BIO_new_mem_buf(issuer_cert_pem.data(), static_cast<int>(issuer_cert_pem.size())));
    issuer.reset(PEM_read_bio_X509(cb.get(), nullptr, nullptr, nullptr));
    Bio kb(BIO_new_mem_buf(issuer_key_pem.data(), static_cast<int>(issuer_key_pem.size())));
    issuer_key.reset(PEM_read_bio_PrivateKey(kb.get(), nullptr, nullptr, nullptr));
    if (issuer == nullptr || issuer_key == nullptr) {
      return absl::InvalidArgumentError("issuer certificate or key is not PEM");
    }
  }
  Cert cert(X509_new());
  X509_set_version(cert.get(), 2);
  static long serial = 1000;
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), ++serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), spec.not_before_seconds);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), spec.not_after_seconds);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(spec.common_name.c_str()), -1,
                             -1, 0);
  X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer.get()) : name);
  X509* signer = issuer ? issuer.get() : cert.get();

  absl::Status s = AddExtension(cert.get(), signer, NID_basic_constraints, "critical,CA:FALSE");
  if (s.ok()) {
    s = AddExtension(cert.get(), signer, NID_key_usage, "critical,digitalSignature");
  }
  const char* eku = nullptr;
  switch (spec.usage) {
    case KeyUsage::kClientAuth:
      eku = "clientAuth";
      break;
    case KeyUsage::kServerAuth:
      eku = "serverAuth";
      break;
    case KeyUsage::kClientAndServerAuth:
      eku = "serverAuth,clientAuth";
      break;
    case KeyUsage::kNone:
      break;
  }
  if (s.ok() && eku != nullptr) s = AddExtension(cert.get(), signer, NID_ext_key_usage, eku);
  if (s.ok() && !spec.san_uris.empty()) {
    std::vector<std::string> entries;
    for (const std::string& uri : spec.san_uris) entries.push_back(absl::StrCat("URI:", uri));
    s = AddExtension(cert.get(), signer, NID_subject_alt_name, absl::StrJoin(entries, ","));
  }
  if (!s.ok()) return s;
  if (X509_sign(cert.get(), issuer_key ? issuer_key.get() : key.get(), EVP_sha256()) <= 0) {
    return absl::InternalError("X509_sign failed");
  }

  Certificate out;
  Bio cert_bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(cert_bio.get(), cert.get());
  out.cert_pem = BioText(cert_bio.get());
  Bio key_bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  out.key_pem = BioText(key_bio.get());
  return out;
}

absl::Status MintCertificateFiles(const CertificateSpec& spec, const std::string& certs_dir,
                                  const std::string& name) {
  absl::StatusOr<std::string> ca = ReadFileToString(certs_dir + "/ca.pem");
  if (!ca.ok()) return ca.status();
  absl::StatusOr<std::string> ca_key = ReadFileToString(certs_dir + "/ca.key");
  if (!ca_key.ok()) return ca_key.status();
  absl::StatusOr<Certificate> cert = MintCertificate(spec, *ca, *ca_key);
  if (!cert.ok()) return cert.status();
  for (const auto& [suffix, text] :
       {std::pair<const char*, const std::string&>{".pem", cert->cert_pem},
        {".key", cert->key_pem}}) {
    const std::string path = certs_dir + "/" + name + suffix;
    std::ofstream out(path, std::ios::trunc);
    out << text;
    if (!out.flush()) return absl::InternalError(absl::StrCat("cannot write ", path));
  }
  return absl::OkStatus();
}

}  // namespace sprout::testing
