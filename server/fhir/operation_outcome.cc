#include "server/fhir/operation_outcome.h"

#include <cmath>
#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "google/rpc/error_details.pb.h"
#include "server/common/errors.h"

namespace sprout::fhir {
namespace {

struct Mapping {
  int http_status;
  const char* bars_code;  // "" when BaRS has none
  const char* issue_code;
};

Mapping MappingOf(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kInvalidArgument:
      return {422, "REC_UNPROCESSABLE_ENTITY", "invalid"};
    case absl::StatusCode::kFailedPrecondition:
      return {422, "REC_UNPROCESSABLE_ENTITY", "business-rule"};
    case absl::StatusCode::kUnauthenticated:
      return {401, "REC_UNAUTHORIZED", "security"};
    case absl::StatusCode::kPermissionDenied:
      return {403, "REC_FORBIDDEN", "forbidden"};
    case absl::StatusCode::kNotFound:
      return {404, "REC_NOT_FOUND", "not-found"};
    case absl::StatusCode::kAlreadyExists:
      return {409, "REC_CONFLICT", "duplicate"};
    case absl::StatusCode::kAborted:
      return {409, "REC_CONFLICT", "conflict"};
    case absl::StatusCode::kResourceExhausted:
      return {429, "", "throttled"};
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
      return {503, "REC_SERVICE_UNAVAILABLE", "transient"};
    default:
      return {500, "REC_SERVER_ERROR", "exception"};
  }
}

std::optional<int> RetryAfterSeconds(const absl::Status& status) {
  auto payload = status.GetPayload(kRetryInfoTypeUrl);
  if (!payload) return std::nullopt;
  google::rpc::RetryInfo info;
  if (!info.ParseFromString(std::string(*payload))) return std::nullopt;
  const double seconds = static_cast<double>(info.retry_delay().seconds()) +
                         static_cast<double>(info.retry_delay().nanos()) / 1e9;
  return std::max(1, static_cast<int>(std::ceil(seconds)));
}

}  // namespace

FhirAnswer OutcomeOf(int http_status, absl::string_view bars_code,
                     const std::vector<FhirIssue>& issues) {
  nlohmann::json outcome = {{"resourceType", "OperationOutcome"},
                            {"issue", nlohmann::json::array()}};
  for (const FhirIssue& issue : issues) {
    nlohmann::json entry = {{"severity", "error"}, {"code", issue.code}};
    if (!bars_code.empty()) {
      entry["details"] = {
          {"coding", {{{"system", kBarsErrorCodeSystem}, {"code", std::string(bars_code)}}}}};
    }
    entry["diagnostics"] = issue.diagnostics;
    if (!issue.expression.empty()) entry["expression"] = {issue.expression};
    outcome["issue"].push_back(std::move(entry));
  }
  FhirAnswer answer;
  answer.http_status = http_status;
  answer.body = std::move(outcome);
  return answer;
}

FhirAnswer OutcomeOfStatus(const absl::Status& status, const FieldOrigins* origins) {
  const Mapping mapping = MappingOf(status.code());
  std::vector<FhirIssue> issues;
  for (const FieldViolation& violation : ViolationsOf(status)) {
    FhirIssue issue;
    issue.code = absl::StrContains(violation.description, "is missing") ||
                         absl::StrContains(violation.description, "required")
                     ? "required"
                     : "value";
    if (origins != nullptr) issue.expression = origins->FhirPathOf(violation.field);
    issue.diagnostics = violation.description;
    issues.push_back(std::move(issue));
  }
  if (issues.empty()) {
    issues.push_back({mapping.issue_code, "", std::string(status.message())});
  }
  FhirAnswer answer = OutcomeOf(mapping.http_status, mapping.bars_code, issues);
  if (mapping.http_status == 429 || mapping.http_status == 503) {
    answer.retry_after_seconds = RetryAfterSeconds(status);
    if (!answer.retry_after_seconds && mapping.http_status == 429) answer.retry_after_seconds = 1;
  }
  return answer;
}

}  // namespace sprout::fhir
