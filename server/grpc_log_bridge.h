// gRPC's own log lines, written through sproutd's logger so that they share
// its format and level (and any sink it is given), with the TLS handshake
// refusals gRPC reports turned into one line that says why.
#ifndef SPROUT_SERVER_GRPC_LOG_BRIDGE_H_
#define SPROUT_SERVER_GRPC_LOG_BRIDGE_H_

#include <string>

#include "absl/strings/string_view.h"

namespace sprout {

// Routes gRPC core's logging (gpr_log) to spdlog from now on. Call once, at
// start-up, before the server is built. gRPC still filters by GRPC_VERBOSITY
// (default ERROR) before sproutd sees a line.
void RouteGrpcLogsToSpdlog();

// The sproutd line for a gRPC log message, or empty when it is not about a
// refused handshake: "TLS handshake refused: {reason}", where an OpenSSL
// verification code is named ("code 23" becomes "certificate revoked (X509
// verification error 23)"). gRPC does not give the peer's address with it.
// Exposed for tests.
std::string HandshakeRefusal(absl::string_view grpc_message);

}  // namespace sprout

#endif  // SPROUT_SERVER_GRPC_LOG_BRIDGE_H_
