// Builds the one gRPC channel a client uses.
#ifndef SPROUT_CLIENT_CHANNEL_H_
#define SPROUT_CLIENT_CHANNEL_H_

#include <memory>

#include "absl/status/statusor.h"
#include "client/client_options.h"
#include "grpcpp/channel.h"

namespace sprout::client {

// CreateChannel()
//
// A channel to options.target: plaintext when options.insecure, otherwise TLS
// trusting options.ca_file and, when cert_file/key_file are set, presenting
// that client certificate (mutual TLS). The channel connects lazily, so an
// unreachable server shows up on the first call as UNAVAILABLE.
//
// Errors: INVALID_ARGUMENT when the target is empty, TLS is asked for without
// a CA file, or only one of cert_file/key_file is set; NOT_FOUND when a file
// cannot be read (the message names the file).
absl::StatusOr<std::shared_ptr<grpc::Channel>> CreateChannel(const ClientOptions& options);

}  // namespace sprout::client

#endif  // SPROUT_CLIENT_CHANNEL_H_
