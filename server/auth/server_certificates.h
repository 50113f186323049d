// The server's TLS material (its certificate chain, its private key and the CA
// bundle that issues client certificates), checked before gRPC may use it and
// replaced only when asked: at start-up, on SIGHUP, by
// AdminService.ReloadDirectory, or on a timer.
//
// gRPC reads TLS material through a file watcher that re-reads its files every
// second and uses what it read for new handshakes. The operator's own files
// are never given to it: a certificate half-copied into place, a key that
// does not match the certificate or an expired certificate would be picked up
// as soon as it appeared. Instead the checked material is staged in memory
// files (memfd, reached as /proc/self/fd/N), each replaced atomically (dup3
// onto the same descriptor), and gRPC watches those: new connections use a
// reload within a second of it, connections already open keep theirs, and
// nothing of the key is written to disk.
#ifndef SPROUT_SERVER_AUTH_SERVER_CERTIFICATES_H_
#define SPROUT_SERVER_AUTH_SERVER_CERTIFICATES_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace sprout::auth {

// Paths of the three PEM files.
struct CertificatePaths {
  std::string cert_chain;
  std::string private_key;
  std::string client_ca;
};

// What is being served, for logs and the admin reload's answer. No secret.
struct CertificateSummary {
  std::string subject;      // the leaf certificate's subject, one line
  std::string fingerprint;  // "sha256:" and the leaf's DER digest, hex
  absl::Time not_after;     // when the leaf expires
  int chain_length = 0;     // certificates in the chain file
  int client_cas = 0;       // certificates in the client CA bundle
  bool changed = false;     // whether this reload replaced what was served
};

class ServerCertificates {
 public:
  // Reads and checks the operator's files (each names its flag in an error:
  // `flags` gives the flag names in the same fields) and stages them.
  // FAILED_PRECONDITION or NOT_FOUND naming the flag and the fault when a file
  // cannot be read or is not PEM, the key does not match the certificate, or
  // the certificate is not valid now.
  static absl::StatusOr<std::unique_ptr<ServerCertificates>> Create(CertificatePaths sources,
                                                                    CertificatePaths flags);

  ServerCertificates(const ServerCertificates&) = delete;
  ServerCertificates& operator=(const ServerCertificates&) = delete;
  ~ServerCertificates();

  // Where gRPC's file watcher reads the staged material.
  CertificatePaths staged() const;

  // Re-reads and checks the operator's files; when they pass and differ from
  // what is staged, stages them. On error nothing changes and the previous
  // material stays in use. Thread-safe.
  absl::StatusOr<CertificateSummary> Reload();

  // What is staged now.
  CertificateSummary current() const;

 private:
  struct Material;
  ServerCertificates(CertificatePaths sources, CertificatePaths flags);
  absl::Status Stage(const Material& material);

  const CertificatePaths sources_;
  const CertificatePaths flags_;
  mutable absl::Mutex mu_;
  // Descriptors of the memory files: chain, key, client CA.
  int fds_[3] = {-1, -1, -1};
  std::string staged_text_ ABSL_GUARDED_BY(mu_);  // the three files, for change detection
  CertificateSummary current_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sprout::auth

#endif  // SPROUT_SERVER_AUTH_SERVER_CERTIFICATES_H_
