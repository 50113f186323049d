// The standard gRPC health check (grpc.health.v1.Health/Check) without the
// generated code: Debian ships no health.proto, and the two messages are one
// field each, so they are encoded by hand and sent through grpc::GenericStub.
#ifndef SPROUT_CLIENT_HEALTH_CHECK_H_
#define SPROUT_CLIENT_HEALTH_CHECK_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "grpcpp/channel.h"

namespace sprout::client {

// grpc.health.v1.HealthCheckResponse.ServingStatus, same numbers.
enum class ServingStatus {
  kUnknown = 0,
  kServing = 1,
  kNotServing = 2,
  kServiceUnknown = 3,
};

// "SERVING", "NOT_SERVING", ... as in health.proto.
absl::string_view ServingStatusName(ServingStatus status);

// HealthCheckRequest { string service = 1; } in wire format.
std::string EncodeHealthCheckRequest(absl::string_view service);

// Parses HealthCheckResponse { ServingStatus status = 1; }. Unknown fields are
// skipped. Errors: DATA_LOSS when the bytes are not a valid message.
absl::StatusOr<ServingStatus> DecodeHealthCheckResponse(absl::string_view bytes);

// CheckHealth()
//
// Calls /grpc.health.v1.Health/Check for `service` ("" = the whole server)
// with the given deadline (and `dev_principal` as x-sprout-principal when
// non-empty, as SproutClient does in insecure mode). Errors: the call's status (via
// FromGrpcStatus), e.g. UNAVAILABLE when the server cannot be reached, NOT_FOUND for an unknown
// service.
absl::StatusOr<ServingStatus> CheckHealth(grpc::Channel& channel, absl::string_view service,
                                          absl::Duration deadline,
                                          const std::string& dev_principal = "");

}  // namespace sprout::client

#endif  // SPROUT_CLIENT_HEALTH_CHECK_H_
