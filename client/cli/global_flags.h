// sproutctl's global flags and how they become ClientOptions.
#ifndef SPROUT_CLIENT_CLI_GLOBAL_FLAGS_H_
#define SPROUT_CLIENT_CLI_GLOBAL_FLAGS_H_

#include <string>

#include "absl/status/statusor.h"
#include "client/client_options.h"

namespace sprout::client::cli {

struct GlobalFlags {
  std::string server = "127.0.0.1:50051";  // --server
  std::string ca;                          // --ca (default <certs_dir>/ca.pem)
  std::string cert;                        // --cert
  std::string key;                         // --key
  std::string as;                          // --as NAME: <certs_dir>/NAME.pem and .key
  std::string principal;                   // --principal URI (with --insecure)
  std::string certs_dir = "certs/out";     // --certs-dir
  bool insecure = false;                   // --insecure
  std::string deadline = "10s";            // --deadline, e.g. "10s", "500ms", "2m"
  bool json = false;                       // --json
};

// ResolveClientOptions()
//
// ClientOptions for `flags`:
//   --insecure: plaintext, no files; the dev principal is --principal, or
//   the URI of the demo identity --as NAME (DemoPrincipalUri), or none.
//   otherwise: ca = --ca or <certs_dir>/ca.pem; the client certificate and key
//   are --cert/--key, or <certs_dir>/<as>.pem/.key for --as NAME (explicit
//   --cert/--key win over --as).
// Does not read any file (CreateChannel does).
// Errors (all usage errors): an unparsable or non-positive --deadline; TLS
// with no client identity (neither --as nor --cert/--key); only one of
// --cert/--key; an --as name that is not [A-Za-z0-9_-]+.
absl::StatusOr<ClientOptions> ResolveClientOptions(const GlobalFlags& flags);

// DemoPrincipalUri()
//
// The SAN URI certs/make-dev-certs puts in certs/out/NAME.pem for the demo
// identities (gp, police, housing, self, linkworker, admin), or "" for any
// other name. Keep in step with certs/make-dev-certs and certs/README.md.
std::string DemoPrincipalUri(const std::string& name);

}  // namespace sprout::client::cli

#endif  // SPROUT_CLIENT_CLI_GLOBAL_FLAGS_H_
