#include "server/fhir/operation_outcome.h"

#include "gtest/gtest.h"
#include "server/common/errors.h"

namespace sprout::fhir {
namespace {

TEST(OutcomeOfStatusTest, EachViolationIsAnIssueAtItsFhirPath) {
  FieldOrigins origins;
  origins.Record("referral.patient", "Bundle.entry[2].resource");
  origins.Record("referral.patient.nhs_number", "Bundle.entry[2].resource.identifier[0].value");
  const absl::Status status = InvalidArgumentWithViolations(
      {{"referral.patient.nhs_number", "the check digit is wrong"},
       {"referral.patient.address.postcode", "the postcode is missing; send it"}});
  const FhirAnswer answer = OutcomeOfStatus(status, &origins);
  EXPECT_EQ(answer.http_status, 422);
  ASSERT_EQ(answer.body["issue"].size(), 2u);
  EXPECT_EQ(answer.body["issue"][0]["code"], "value");
  EXPECT_EQ(answer.body["issue"][0]["expression"][0],
            "Bundle.entry[2].resource.identifier[0].value");
  EXPECT_EQ(answer.body["issue"][0]["details"]["coding"][0]["code"], "REC_UNPROCESSABLE_ENTITY");
  EXPECT_EQ(answer.body["issue"][1]["code"], "required");
  EXPECT_EQ(answer.body["issue"][1]["expression"][0],
            "Bundle.entry[2].resource.address.postalCode");
}

TEST(OutcomeOfStatusTest, ARateRefusalSaysWhenToRetry) {
  const absl::Status status =
      ResourceExhaustedWithRetry("AGENCY_RATE_LIMITED", "over the rate", absl::Milliseconds(1500));
  const FhirAnswer answer = OutcomeOfStatus(status, nullptr);
  EXPECT_EQ(answer.http_status, 429);
  EXPECT_EQ(answer.retry_after_seconds, 2);
  EXPECT_EQ(answer.body["issue"][0]["code"], "throttled");
  EXPECT_FALSE(answer.body["issue"][0].contains("details"));
  EXPECT_EQ(answer.body["issue"][0]["diagnostics"], "over the rate");
}

TEST(OutcomeOfStatusTest, CodesMapToBarsStatuses) {
  struct Case {
    absl::Status status;
    int http;
    const char* bars;
  };
  const Case cases[] = {
      {absl::AlreadyExistsError("x"), 409, "REC_CONFLICT"},
      {absl::UnavailableError("x"), 503, "REC_SERVICE_UNAVAILABLE"},
      {absl::UnauthenticatedError("x"), 401, "REC_UNAUTHORIZED"},
      {absl::PermissionDeniedError("x"), 403, "REC_FORBIDDEN"},
      {absl::InternalError("x"), 500, "REC_SERVER_ERROR"},
  };
  for (const Case& c : cases) {
    const FhirAnswer answer = OutcomeOfStatus(c.status, nullptr);
    EXPECT_EQ(answer.http_status, c.http) << c.status;
    EXPECT_EQ(answer.body["issue"][0]["details"]["coding"][0]["code"], c.bars) << c.status;
  }
}

}  // namespace
}  // namespace sprout::fhir
