// File: server/fhir/operation_outcome.h
//
// What the FHIR edge answers when it refuses: an OperationOutcome with one
// issue per violation, each pointing at the FHIR path of the element at
// fault, under the HTTP status and BaRS error code (system
// https://fhir.nhs.uk/CodeSystem/http-error-codes) the refusal calls for.
#ifndef SPROUT_SERVER_FHIR_OPERATION_OUTCOME_H_
#define SPROUT_SERVER_FHIR_OPERATION_OUTCOME_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "nlohmann/json.hpp"
#include "server/fhir/fhir_issue.h"
#include "server/fhir/message_bundle.h"

namespace sprout::fhir {

struct FhirAnswer {
  int http_status = 200;
  nlohmann::json body;
  std::optional<int> retry_after_seconds;  // for 429 and 503
};

inline constexpr char kBarsErrorCodeSystem[] = "https://fhir.nhs.uk/CodeSystem/http-error-codes";

// An OperationOutcome of `issues` (severity error) under `http_status`,
// each issue's details coded `bars_code` (e.g. "REC_BAD_REQUEST") when given.
FhirAnswer OutcomeOf(int http_status, absl::string_view bars_code,
                     const std::vector<FhirIssue>& issues);

// The answer for a refusal by the pipeline (an absl::Status from intake,
// admission, idempotency or the store). Field violations become one issue
// each, their Referral field paths translated through `origins` (null: the
// paths are left out); the rest become one issue from the status's message:
//
//   INVALID_ARGUMENT / FAILED_PRECONDITION  422 REC_UNPROCESSABLE_ENTITY
//   UNAUTHENTICATED                          401 REC_UNAUTHORIZED
//   PERMISSION_DENIED                        403 REC_FORBIDDEN
//   NOT_FOUND                                404 REC_NOT_FOUND
//   ALREADY_EXISTS / ABORTED                 409 REC_CONFLICT
//   RESOURCE_EXHAUSTED                       429 with Retry-After
//   UNAVAILABLE / DEADLINE_EXCEEDED          503 REC_SERVICE_UNAVAILABLE
//   anything else                            500 REC_SERVER_ERROR
// REQUIRES: !status.ok().
FhirAnswer OutcomeOfStatus(const absl::Status& status, const FieldOrigins* origins);

}  // namespace sprout::fhir

#endif  // SPROUT_SERVER_FHIR_OPERATION_OUTCOME_H_
