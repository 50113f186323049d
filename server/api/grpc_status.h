// The one conversion from domain errors to gRPC statuses (STYLE.md E5).
#ifndef SPROUT_SERVER_API_GRPC_STATUS_H_
#define SPROUT_SERVER_API_GRPC_STATUS_H_

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace sprout::api {

// Converts `status` to a grpc::Status with the same canonical code and
// message. Every non-OK result carries a google.rpc.Status in the
// grpc-status-details-bin trailer holding the status's detail payloads
// (ErrorInfo, BadRequest, PreconditionFailure, RetryInfo, ...); when the
// domain attached no ErrorInfo, one is added with the code's name as reason
// and domain "sprout", so clients can always switch on a reason.
grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace sprout::api

#endif  // SPROUT_SERVER_API_GRPC_STATUS_H_
