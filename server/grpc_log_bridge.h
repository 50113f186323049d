// gRPC's own log lines, written through sproutd's logger so that they share
// its format and level (and any sink it is given), with the TLS handshake
// refusals gRPC reports turned into one line that says why and from where.
#ifndef SPROUT_SERVER_GRPC_LOG_BRIDGE_H_
#define SPROUT_SERVER_GRPC_LOG_BRIDGE_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace sprout {

// Routes gRPC core's logging (gpr_log) to spdlog from now on. Call once, at
// start-up, before the server is built. gRPC still filters by GRPC_VERBOSITY
// (default ERROR) before sproutd sees a line.
void RouteGrpcLogsToSpdlog();

// The reason for a gRPC log message, or empty when it is not about a refused
// handshake: "certificate verify failed", or, for an OpenSSL verification
// code, its name ("code 23" becomes "certificate revoked (X509 verification
// error 23)"). Exposed for tests.
std::string HandshakeRefusalReason(absl::string_view grpc_message);

// Joins what gRPC says of one refused handshake into one line with the peer's
// address. gRPC 1.51 reports a refusal in log lines that carry no address (a
// verification code, then "Handshake failed"), and then, on the same thread,
// shuts the connection's socket down. So the reasons of a thread's refusal are
// held here until that shutdown, which names the socket and so the peer.
// One per thread; not thread-safe.
class PendingHandshakeRefusal {
 public:
  // Takes a gRPC log message. Returns a line to log now, without a peer, when
  // this message begins a new refusal while an earlier one was never followed
  // by a shutdown (so nothing said is ever lost); otherwise nothing.
  std::optional<std::string> Note(absl::string_view grpc_message);

  // The line for the held refusal, from `peer`, and forgets it; nothing when
  // none is held. The first, most specific reason is the one given.
  std::optional<std::string> TakeForPeer(absl::string_view peer);

  bool holding() const { return !reason_.empty(); }

 private:
  std::string reason_;
  bool handshake_failed_ = false;  // gRPC's closing "Handshake failed" line seen
};

// "TLS handshake refused from {peer}: {reason}".
std::string HandshakeRefusalLine(absl::string_view reason, absl::string_view peer);

}  // namespace sprout

#endif  // SPROUT_SERVER_GRPC_LOG_BRIDGE_H_
