#include "server/auth/server_certificates.h"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "base/read_file.h"
#include "base/status_macros.h"

namespace sprout::auth {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using Bio = std::unique_ptr<BIO, BioFree>;
using Cert = std::unique_ptr<X509, X509Free>;
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;

absl::Status Refused(absl::string_view flag, absl::string_view path, absl::string_view what) {
  return absl::FailedPreconditionError(absl::StrCat(flag, ": ", path, ": ", what));
}

// Every certificate in a PEM text, in order.
std::vector<Cert> ReadCertificates(const std::string& pem) {
  std::vector<Cert> certs;
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  while (X509* x = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) certs.emplace_back(x);
  return certs;
}

std::string SubjectOf(X509* cert) {
  Bio bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), X509_get_subject_name(cert), 0, XN_FLAG_ONELINE);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

std::string FingerprintOf(X509* cert) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  X509_digest(cert, EVP_sha256(), digest, &size);
  return absl::StrCat("sha256:", absl::BytesToHexString(absl::string_view(
                                     reinterpret_cast<const char*>(digest), size)));
}

absl::Time NotAfterOf(X509* cert) {
  int days = 0;
  int seconds = 0;
  ASN1_TIME_diff(&days, &seconds, nullptr, X509_get0_notAfter(cert));
  return absl::Now() + absl::Hours(24) * days + absl::Seconds(seconds);
}

// Writes `text` into a new memory file and puts it in place of `fd`.
absl::Status ReplaceMemoryFile(int fd, const std::string& text) {
  const int next = memfd_create("sprout-tls", MFD_CLOEXEC);
  if (next < 0) return absl::InternalError(absl::StrCat("memfd_create: ", std::strerror(errno)));
  size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = write(next, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      close(next);
      return absl::InternalError(absl::StrCat("staging TLS material: ", std::strerror(errno)));
    }
    written += static_cast<size_t>(n);
  }
  // Atomic: a reader opening /proc/self/fd/{fd} gets the old file or the new.
  const int placed = dup3(next, fd, O_CLOEXEC);
  close(next);
  if (placed < 0) return absl::InternalError(absl::StrCat("dup3: ", std::strerror(errno)));
  return absl::OkStatus();
}

}  // namespace

// The three files as read, and what checking them found.
struct ServerCertificates::Material {
  std::string chain;
  std::string key;
  std::string client_ca;
  CertificateSummary summary;
};

ServerCertificates::ServerCertificates(CertificatePaths sources, CertificatePaths flags)
    : sources_(std::move(sources)), flags_(std::move(flags)) {}

ServerCertificates::~ServerCertificates() {
  for (int fd : fds_) {
    if (fd >= 0) close(fd);
  }
}

absl::StatusOr<std::unique_ptr<ServerCertificates>> ServerCertificates::Create(
    CertificatePaths sources, CertificatePaths flags) {
  std::unique_ptr<ServerCertificates> certs(
      new ServerCertificates(std::move(sources), std::move(flags)));
  for (int& fd : certs->fds_) {
    fd = memfd_create("sprout-tls", MFD_CLOEXEC);
    if (fd < 0) return absl::InternalError(absl::StrCat("memfd_create: ", std::strerror(errno)));
  }
  SPROUT_RETURN_IF_ERROR(certs->Reload().status());
  return certs;
}

CertificatePaths ServerCertificates::staged() const {
  auto path = [](int fd) { return absl::StrCat("/proc/self/fd/", fd); };
  return CertificatePaths{path(fds_[0]), path(fds_[1]), path(fds_[2])};
}

CertificateSummary ServerCertificates::current() const {
  absl::MutexLock lock(&mu_);
  return current_;
}

absl::StatusOr<CertificateSummary> ServerCertificates::Reload() {
  Material m;
  auto read = [](const std::string& flag, const std::string& path) -> absl::StatusOr<std::string> {
    absl::StatusOr<std::string> text = ReadFileToString(path);
    if (!text.ok()) {
      return absl::Status(text.status().code(), absl::StrCat(flag, ": ", text.status().message()));
    }
    return text;
  };
  SPROUT_ASSIGN_OR_RETURN(m.chain, read(flags_.cert_chain, sources_.cert_chain));
  SPROUT_ASSIGN_OR_RETURN(m.key, read(flags_.private_key, sources_.private_key));
  SPROUT_ASSIGN_OR_RETURN(m.client_ca, read(flags_.client_ca, sources_.client_ca));

  std::vector<Cert> chain = ReadCertificates(m.chain);
  if (chain.empty()) {
    return Refused(flags_.cert_chain, sources_.cert_chain, "holds no PEM certificate");
  }
  X509* leaf = chain.front().get();
  Bio key_bio(BIO_new_mem_buf(m.key.data(), static_cast<int>(m.key.size())));
  Key key(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  if (key == nullptr) {
    return Refused(flags_.private_key, sources_.private_key, "holds no PEM private key");
  }
  if (X509_check_private_key(leaf, key.get()) != 1) {
    return Refused(flags_.private_key, sources_.private_key,
                   absl::StrCat("is not the key of the certificate in ", sources_.cert_chain,
                                " (replace both together)"));
  }
  if (X509_cmp_current_time(X509_get0_notBefore(leaf)) > 0) {
    return Refused(flags_.cert_chain, sources_.cert_chain, "the certificate is not valid yet");
  }
  if (X509_cmp_current_time(X509_get0_notAfter(leaf)) < 0) {
    return Refused(flags_.cert_chain, sources_.cert_chain, "the certificate has expired");
  }
  const std::vector<Cert> cas = ReadCertificates(m.client_ca);
  if (cas.empty()) {
    return Refused(flags_.client_ca, sources_.client_ca, "holds no PEM certificate");
  }
  m.summary.subject = SubjectOf(leaf);
  m.summary.fingerprint = FingerprintOf(leaf);
  m.summary.not_after = NotAfterOf(leaf);
  m.summary.chain_length = static_cast<int>(chain.size());
  m.summary.client_cas = static_cast<int>(cas.size());

  absl::MutexLock lock(&mu_);
  std::string text =
      absl::StrCat(m.chain.size(), ":", m.chain, m.key.size(), ":", m.key, m.client_ca);
  m.summary.changed = text != staged_text_;
  if (m.summary.changed) {
    SPROUT_RETURN_IF_ERROR(Stage(m));
    staged_text_ = std::move(text);
  }
  current_ = m.summary;
  return m.summary;
}

absl::Status ServerCertificates::Stage(const Material& m) {
  // The key and chain go in together as far as a reader can tell: gRPC
  // ignores a key and certificate that do not match until its next read.
  SPROUT_RETURN_IF_ERROR(ReplaceMemoryFile(fds_[0], m.chain));
  SPROUT_RETURN_IF_ERROR(ReplaceMemoryFile(fds_[1], m.key));
  return ReplaceMemoryFile(fds_[2], m.client_ca);
}

}  // namespace sprout::auth
