#include "server/common/errors.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/rpc/error_details.pb.h"

namespace sprout {

void SetErrorInfo(absl::Status& status, absl::string_view reason,
                  const std::map<std::string, std::string>& metadata) {
  google::rpc::ErrorInfo info;
  info.set_reason(std::string(reason));
  info.set_domain(std::string(kErrorDomain));
  for (const auto& [key, value] : metadata) (*info.mutable_metadata())[key] = value;
  status.SetPayload(kErrorInfoTypeUrl, absl::Cord(info.SerializeAsString()));
}

absl::Status ErrorWithInfo(absl::StatusCode code, absl::string_view reason,
                           absl::string_view message,
                           const std::map<std::string, std::string>& metadata) {
  absl::Status status(code, message);
  SetErrorInfo(status, reason, metadata);
  return status;
}

absl::Status InvalidArgumentWithViolations(const std::vector<FieldViolation>& violations,
                                           absl::string_view reason) {
  google::rpc::BadRequest bad_request;
  std::vector<absl::string_view> fields;
  for (const FieldViolation& v : violations) {
    auto* fv = bad_request.add_field_violations();
    fv->set_field(v.field);
    fv->set_description(v.description);
    fields.push_back(v.field);
  }
  std::string message =
      violations.size() == 1
          ? absl::StrCat(violations[0].field, ": ", violations[0].description)
          : absl::StrCat(violations.size(), " fields are invalid: ", absl::StrJoin(fields, ", "));
  absl::Status status = ErrorWithInfo(absl::StatusCode::kInvalidArgument, reason, message,
                                      {{"violations", absl::StrCat(violations.size())}});
  status.SetPayload(kBadRequestTypeUrl, absl::Cord(bad_request.SerializeAsString()));
  return status;
}

absl::Status FailedPreconditionWithViolation(absl::string_view reason, absl::string_view type,
                                             absl::string_view subject,
                                             absl::string_view description) {
  google::rpc::PreconditionFailure failure;
  auto* v = failure.add_violations();
  v->set_type(std::string(type));
  v->set_subject(std::string(subject));
  v->set_description(std::string(description));
  absl::Status status = ErrorWithInfo(absl::StatusCode::kFailedPrecondition, reason,
                                      absl::StrCat(subject, ": ", description));
  status.SetPayload(kPreconditionFailureTypeUrl, absl::Cord(failure.SerializeAsString()));
  return status;
}

absl::Status ResourceExhaustedWithRetry(absl::string_view reason, absl::string_view message,
                                        absl::Duration retry_after) {
  google::rpc::RetryInfo retry;
  const int64_t millis = absl::ToInt64Milliseconds(retry_after);
  retry.mutable_retry_delay()->set_seconds(millis / 1000);
  retry.mutable_retry_delay()->set_nanos(static_cast<int32_t>((millis % 1000) * 1000000));
  absl::Status status = ErrorWithInfo(absl::StatusCode::kResourceExhausted, reason, message);
  status.SetPayload(kRetryInfoTypeUrl, absl::Cord(retry.SerializeAsString()));
  return status;
}

std::vector<FieldViolation> ViolationsOf(const absl::Status& status) {
  std::vector<FieldViolation> out;
  auto payload = status.GetPayload(kBadRequestTypeUrl);
  google::rpc::BadRequest bad_request;
  if (!payload || !bad_request.ParseFromString(std::string(*payload))) return out;
  for (const auto& fv : bad_request.field_violations()) {
    out.push_back({fv.field(), fv.description()});
  }
  return out;
}

std::string ErrorReasonOf(const absl::Status& status) {
  auto payload = status.GetPayload(kErrorInfoTypeUrl);
  google::rpc::ErrorInfo info;
  if (!payload || !info.ParseFromString(std::string(*payload))) return "";
  return info.reason();
}

absl::Status WithMessage(const absl::Status& status, absl::string_view message) {
  absl::Status out(status.code(), message);
  status.ForEachPayload(
      [&out](absl::string_view url, const absl::Cord& payload) { out.SetPayload(url, payload); });
  return out;
}

}  // namespace sprout
