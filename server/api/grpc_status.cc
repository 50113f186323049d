#include "server/api/grpc_status.h"

#include "rpc/status_conversion.h"
#include "server/common/errors.h"

namespace sprout::api {

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  if (status.GetPayload(kErrorInfoTypeUrl).has_value()) return rpc::ToGrpcStatus(status);
  absl::Status with_info = status;
  SetErrorInfo(with_info, absl::StatusCodeToString(status.code()));
  return rpc::ToGrpcStatus(with_info);
}

}  // namespace sprout::api
