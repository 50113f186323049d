// File: rpc/status_conversion.h
//
// The one place where grpc::Status and absl::Status meet (STYLE.md E5).
//
// Sprout's server sends canonical codes plus a google.rpc.Status in the
// `grpc-status-details-bin` trailer (grpc::Status::error_details()). Each
// google.protobuf.Any detail in it (ErrorInfo, BadRequest, PreconditionFailure,
// RetryInfo, ...) becomes one absl::Status payload keyed by the Any's type URL
// ("type.googleapis.com/google.rpc.BadRequest") holding the serialized message,
// so callers never parse trailers themselves:
//
//   absl::Status s = FromGrpcStatus(stub->SubmitReferral(&ctx, req, &resp));
//   if (auto bad = GetStatusDetail<google::rpc::BadRequest>(s)) {
//     for (const auto& v : bad->field_violations()) ...
//   }
//
// ToGrpcStatus is the inverse; the server adapter (server/api/grpc_status.h)
// adds Sprout's ErrorInfo and then uses it. Both the server and the client
// library use this pair, so the wire format is defined once.
#ifndef SPROUT_RPC_STATUS_CONVERSION_H_
#define SPROUT_RPC_STATUS_CONVERSION_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "grpcpp/support/status.h"

namespace sprout::rpc {

// The prefix of every detail's type URL.
inline constexpr absl::string_view kTypeUrlPrefix = "type.googleapis.com/";

// FromGrpcStatus()
//
// Returns OkStatus() for an OK status. Otherwise an absl::Status with the same
// code and message, and one payload per detail found in error_details() (see
// above). When the trailer's google.rpc.Status carries a message and the gRPC
// message is empty, that message is used. A trailer that does not parse is
// ignored (the code and message still arrive).
absl::Status FromGrpcStatus(const grpc::Status& status);

// ToGrpcStatus()
//
// The inverse: code and message, and when the status has payloads, a
// serialized google.rpc.Status with each payload as an Any (type URL = payload
// key, value = payload bytes) in error_details().
grpc::Status ToGrpcStatus(const absl::Status& status);

// TypeUrlOf()
//
// "type.googleapis.com/" + the message's full name, e.g.
// "type.googleapis.com/google.rpc.BadRequest".
std::string TypeUrlOf(const google::protobuf::Descriptor& descriptor);

// SetStatusDetail()
//
// Attaches `detail` to `status` as a payload under its type URL (replacing any
// earlier one of the same type). No effect on an OK status.
void SetStatusDetail(absl::Status& status, const google::protobuf::Message& detail);

// GetStatusDetail<T>()
//
// The detail of type T carried by `status`, or nullopt when there is none or
// its bytes do not parse as T.
template <typename T>
std::optional<T> GetStatusDetail(const absl::Status& status) {
  auto payload = status.GetPayload(TypeUrlOf(*T::descriptor()));
  if (!payload.has_value()) return std::nullopt;
  T detail;
  if (!detail.ParseFromString(std::string(*payload))) return std::nullopt;
  return detail;
}

}  // namespace sprout::rpc

#endif  // SPROUT_RPC_STATUS_CONVERSION_H_
