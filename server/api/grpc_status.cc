#include "server/api/grpc_status.h"

#include <string>

#include "absl/strings/cord.h"
#include "google/rpc/status.pb.h"
#include "server/common/errors.h"

namespace sprout::api {

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  absl::Status with_info = status;
  if (!with_info.GetPayload(kErrorInfoTypeUrl).has_value()) {
    SetErrorInfo(with_info, absl::StatusCodeToString(status.code()));
  }
  google::rpc::Status rpc_status;
  rpc_status.set_code(static_cast<int>(status.code()));
  rpc_status.set_message(std::string(status.message()));
  // ErrorInfo first: clients that read only details[0] still get the reason.
  auto append = [&rpc_status](absl::string_view type_url, const absl::Cord& payload) {
    google::protobuf::Any* any = rpc_status.add_details();
    any->set_type_url(std::string(type_url));
    any->set_value(std::string(payload));
  };
  append(kErrorInfoTypeUrl, *with_info.GetPayload(kErrorInfoTypeUrl));
  with_info.ForEachPayload([&](absl::string_view type_url, const absl::Cord& payload) {
    if (type_url != kErrorInfoTypeUrl) append(type_url, payload);
  });
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()),
                      rpc_status.SerializeAsString());
}

}  // namespace sprout::api
