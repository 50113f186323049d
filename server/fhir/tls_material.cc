#include "server/fhir/tls_material.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>

#include "absl/strings/str_cat.h"

namespace sprout::fhir {
namespace {

absl::Status Unusable(const std::string& what, const std::string& path) {
  return absl::FailedPreconditionError(absl::StrCat(what, " ", path, " could not be loaded"));
}

}  // namespace

absl::StatusOr<std::shared_ptr<const TlsMaterial>> TlsMaterial::Load(const TlsFiles& files) {
  std::shared_ptr<TlsMaterial> material(new TlsMaterial());
  BIO* chain = BIO_new_file(files.cert_chain.c_str(), "r");
  if (chain == nullptr) return Unusable("the server certificate", files.cert_chain);
  material->leaf_ = PEM_read_bio_X509(chain, nullptr, nullptr, nullptr);
  material->chain_ = sk_X509_new_null();
  while (X509* next = PEM_read_bio_X509(chain, nullptr, nullptr, nullptr)) {
    sk_X509_push(material->chain_, next);
  }
  BIO_free(chain);
  ERR_clear_error();  // the end of the file reads as an error
  if (material->leaf_ == nullptr) return Unusable("the server certificate", files.cert_chain);
  BIO* key = BIO_new_file(files.private_key.c_str(), "r");
  if (key != nullptr) {
    material->key_ = PEM_read_bio_PrivateKey(key, nullptr, nullptr, nullptr);
    BIO_free(key);
  }
  if (material->key_ == nullptr || X509_check_private_key(material->leaf_, material->key_) != 1) {
    return Unusable("the server key (or it does not match the certificate)", files.private_key);
  }
  material->client_store_ = X509_STORE_new();
  if (X509_STORE_load_file(material->client_store_, files.client_ca.c_str()) != 1) {
    return Unusable("the client CA bundle", files.client_ca);
  }
  if (!files.crl_dir.empty()) {
    X509_LOOKUP* lookup = X509_STORE_add_lookup(material->client_store_, X509_LOOKUP_hash_dir());
    if (lookup == nullptr ||
        X509_LOOKUP_add_dir(lookup, files.crl_dir.c_str(), X509_FILETYPE_PEM) != 1) {
      return Unusable("the CRL folder", files.crl_dir);
    }
    X509_STORE_set_flags(material->client_store_, X509_V_FLAG_CRL_CHECK);
  }
  return std::shared_ptr<const TlsMaterial>(std::move(material));
}

TlsMaterial::~TlsMaterial() {
  X509_free(leaf_);
  sk_X509_pop_free(chain_, X509_free);
  EVP_PKEY_free(key_);
  X509_STORE_free(client_store_);
}

bool TlsMaterial::ApplyTo(SSL* ssl) const {
  // Both calls take their own references, so the SSL keeps what it was
  // given after a reload drops this material.
  return SSL_use_cert_and_key(ssl, leaf_, key_, chain_, /*override=*/1) == 1 &&
         SSL_set1_verify_cert_store(ssl, client_store_) == 1;
}

}  // namespace sprout::fhir
