#include "client/channel.h"

#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

namespace sprout::client {
namespace {

absl::StatusOr<std::string> ReadPem(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", what, " file ", path));
  std::stringstream contents;
  contents << in.rdbuf();
  if (contents.str().empty()) {
    return absl::InvalidArgumentError(absl::StrCat(what, " file ", path, " is empty"));
  }
  return contents.str();
}

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::Channel>> CreateChannel(const ClientOptions& options) {
  if (options.target.empty()) return absl::InvalidArgumentError("no server address given");
  if (options.insecure) {
    return grpc::CreateChannel(options.target, grpc::InsecureChannelCredentials());
  }
  if (options.ca_file.empty()) {
    return absl::InvalidArgumentError(
        "TLS needs the CA certificate that signed the server's certificate (a CA file)");
  }
  if (options.cert_file.empty() != options.key_file.empty()) {
    return absl::InvalidArgumentError(
        "a client certificate needs both its certificate and its key file");
  }
  grpc::SslCredentialsOptions ssl;
  auto ca = ReadPem(options.ca_file, "CA certificate");
  if (!ca.ok()) return ca.status();
  ssl.pem_root_certs = *std::move(ca);
  if (!options.cert_file.empty()) {
    auto cert = ReadPem(options.cert_file, "client certificate");
    if (!cert.ok()) return cert.status();
    auto key = ReadPem(options.key_file, "client key");
    if (!key.ok()) return key.status();
    ssl.pem_cert_chain = *std::move(cert);
    ssl.pem_private_key = *std::move(key);
  }
  return grpc::CreateChannel(options.target, grpc::SslCredentials(ssl));
}

}  // namespace sprout::client
