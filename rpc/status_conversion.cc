#include "rpc/status_conversion.h"

#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/any.pb.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace sprout::rpc {

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  // The numeric values of grpc::StatusCode and absl::StatusCode are the
  // canonical codes, so a cast is exact.
  const auto code = static_cast<absl::StatusCode>(status.error_code());
  google::rpc::Status details;
  const bool have_details =
      !status.error_details().empty() && details.ParseFromString(status.error_details());
  std::string message = status.error_message();
  if (message.empty() && have_details) message = details.message();
  absl::Status result(code, message);
  if (!have_details) return result;
  for (const google::protobuf::Any& any : details.details()) {
    result.SetPayload(any.type_url(), absl::Cord(any.value()));
  }
  return result;
}

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  const auto code = static_cast<grpc::StatusCode>(status.code());
  const std::string message(status.message());
  google::rpc::Status details;
  // ErrorInfo first: clients that read only details[0] still get the reason.
  const std::string error_info_url = TypeUrlOf(*google::rpc::ErrorInfo::descriptor());
  auto append = [&details](absl::string_view type_url, const absl::Cord& payload) {
    google::protobuf::Any* any = details.add_details();
    any->set_type_url(std::string(type_url));
    any->set_value(std::string(payload));
  };
  if (auto info = status.GetPayload(error_info_url)) append(error_info_url, *info);
  status.ForEachPayload([&](absl::string_view type_url, const absl::Cord& payload) {
    if (type_url != error_info_url) append(type_url, payload);
  });
  if (details.details_size() == 0) return grpc::Status(code, message);
  details.set_code(static_cast<int>(code));
  details.set_message(message);
  return grpc::Status(code, message, details.SerializeAsString());
}

std::string TypeUrlOf(const google::protobuf::Descriptor& descriptor) {
  return absl::StrCat(kTypeUrlPrefix, descriptor.full_name());
}

void SetStatusDetail(absl::Status& status, const google::protobuf::Message& detail) {
  status.SetPayload(TypeUrlOf(*detail.GetDescriptor()), absl::Cord(detail.SerializeAsString()));
}

}  // namespace sprout::rpc
