// File: server/fhir/tls_material.h
//
// What one FHIR handshake presents and trusts: the server certificate, its
// chain and key, and the store that verifies client certificates (the client
// CA bundle and any CRLs). Loaded whole and swapped whole, so a reload is
// taken up by the next handshake and never half-applied; connections already
// open keep what they had. Thread-safe.
#ifndef SPROUT_SERVER_FHIR_TLS_MATERIAL_H_
#define SPROUT_SERVER_FHIR_TLS_MATERIAL_H_

#include <openssl/ssl.h>

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

namespace sprout::fhir {

struct TlsFiles {
  std::string cert_chain;  // PEM: the server certificate, then its chain
  std::string private_key;
  std::string client_ca;
  std::string crl_dir;  // CRLs named as `openssl rehash` names them; empty: none
};

class TlsMaterial {
 public:
  // FAILED_PRECONDITION saying which file could not be used.
  static absl::StatusOr<std::shared_ptr<const TlsMaterial>> Load(const TlsFiles& files);
  ~TlsMaterial();
  TlsMaterial(const TlsMaterial&) = delete;
  TlsMaterial& operator=(const TlsMaterial&) = delete;

  // Makes `ssl` present this certificate and verify clients against this
  // store. Returns false if OpenSSL refuses.
  bool ApplyTo(SSL* ssl) const;

 private:
  TlsMaterial() = default;
  X509* leaf_ = nullptr;
  STACK_OF(X509) * chain_ = nullptr;
  EVP_PKEY* key_ = nullptr;
  X509_STORE* client_store_ = nullptr;
};

// The material new handshakes use.
class ServedTlsMaterial {
 public:
  explicit ServedTlsMaterial(std::shared_ptr<const TlsMaterial> initial)
      : current_(std::move(initial)) {}
  std::shared_ptr<const TlsMaterial> Current() const {
    absl::MutexLock lock(&mu_);
    return current_;
  }
  void Replace(std::shared_ptr<const TlsMaterial> next) {
    absl::MutexLock lock(&mu_);
    current_ = std::move(next);
  }

 private:
  mutable absl::Mutex mu_;
  std::shared_ptr<const TlsMaterial> current_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sprout::fhir

#endif  // SPROUT_SERVER_FHIR_TLS_MATERIAL_H_
