#include "server/intake/violations.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/types/optional.h"

namespace sprout::intake {
namespace {

template <typename Message>
std::optional<Message> Payload(const absl::Status& status, absl::string_view type_url) {
  absl::optional<absl::Cord> cord = status.GetPayload(type_url);
  if (!cord.has_value()) return std::nullopt;
  Message message;
  if (!message.ParseFromString(std::string(*cord))) return std::nullopt;
  return message;
}

}  // namespace

std::ostream& operator<<(std::ostream& os, const FieldViolation& v) {
  return os << "{" << v.field << ": " << v.description << "}";
}

absl::Status InvalidReferralError(absl::Span<const FieldViolation> violations) {
  google::rpc::BadRequest bad_request;
  bool all_unknown_local = !violations.empty();
  const FieldViolation* first_unknown = nullptr;
  for (const FieldViolation& v : violations) {
    google::rpc::BadRequest::FieldViolation* out = bad_request.add_field_violations();
    out->set_field(v.field);
    out->set_description(v.description);
    if (v.local_system.empty() && v.local_code.empty()) {
      all_unknown_local = false;
    } else if (first_unknown == nullptr) {
      first_unknown = &v;
    }
  }
  google::rpc::ErrorInfo info;
  info.set_domain(std::string(kErrorDomain));
  if (all_unknown_local && first_unknown != nullptr) {
    info.set_reason(std::string(kUnknownLocalCodeReason));
    (*info.mutable_metadata())["system"] = first_unknown->local_system;
    (*info.mutable_metadata())["code"] = first_unknown->local_code;
  } else {
    info.set_reason(std::string(kInvalidReferralReason));
    (*info.mutable_metadata())["violations"] = absl::StrCat(violations.size());
  }
  std::string message = absl::StrCat("referral is invalid: ", violations.size(),
                                     violations.size() == 1 ? " problem" : " problems");
  if (!violations.empty()) {
    absl::StrAppend(&message, "; first: ", violations[0].field, ": ", violations[0].description);
  }
  absl::Status status = absl::InvalidArgumentError(message);
  status.SetPayload(kBadRequestTypeUrl, absl::Cord(bad_request.SerializeAsString()));
  status.SetPayload(kErrorInfoTypeUrl, absl::Cord(info.SerializeAsString()));
  return status;
}

std::optional<google::rpc::BadRequest> GetBadRequest(const absl::Status& status) {
  return Payload<google::rpc::BadRequest>(status, kBadRequestTypeUrl);
}

std::optional<google::rpc::ErrorInfo> GetErrorInfo(const absl::Status& status) {
  return Payload<google::rpc::ErrorInfo>(status, kErrorInfoTypeUrl);
}

std::vector<FieldViolation> ViolationsOf(const absl::Status& status) {
  std::vector<FieldViolation> out;
  std::optional<google::rpc::BadRequest> br = GetBadRequest(status);
  if (!br.has_value()) return out;
  for (const auto& v : br->field_violations()) {
    out.push_back(FieldViolation{v.field(), v.description(), "", ""});
  }
  return out;
}

}  // namespace sprout::intake
