#include "server/common/errors.h"

#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"

namespace sprout {
namespace {

using ::testing::ElementsAre;

TEST(ErrorsTest, ErrorWithInfoCarriesReasonDomainAndMetadata) {
  absl::Status s = ErrorWithInfo(absl::StatusCode::kNotFound, "REFERRAL_NOT_FOUND",
                                 "referrals/x does not exist", {{"referral", "referrals/x"}});
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "referrals/x does not exist");
  google::rpc::ErrorInfo info;
  ASSERT_TRUE(info.ParseFromString(std::string(*s.GetPayload(kErrorInfoTypeUrl))));
  EXPECT_EQ(info.reason(), "REFERRAL_NOT_FOUND");
  EXPECT_EQ(info.domain(), "sprout");
  EXPECT_EQ(info.metadata().at("referral"), "referrals/x");
  EXPECT_EQ(ErrorReasonOf(s), "REFERRAL_NOT_FOUND");
}

TEST(ErrorsTest, ViolationsRoundTripInOrder) {
  absl::Status s =
      InvalidArgumentWithViolations({{"referral.patient.nhs_number", "check digit is wrong"},
                                     {"referral.reasons", "at least one reason is needed"}});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "2 fields are invalid: referral.patient.nhs_number, referral.reasons");
  std::vector<FieldViolation> v = ViolationsOf(s);
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].field, "referral.patient.nhs_number");
  EXPECT_EQ(v[1].description, "at least one reason is needed");
}

TEST(ErrorsTest, SingleViolationMessageNamesFieldAndProblem) {
  absl::Status s = InvalidArgumentWithViolations({{"request_id", "is required"}});
  EXPECT_EQ(s.message(), "request_id: is required");
}

TEST(ErrorsTest, ResourceExhaustedCarriesRetryDelay) {
  absl::Status s =
      ResourceExhaustedWithRetry("QUEUE_FULL", "writer queue full", absl::Milliseconds(1500));
  google::rpc::RetryInfo retry;
  ASSERT_TRUE(retry.ParseFromString(std::string(*s.GetPayload(kRetryInfoTypeUrl))));
  EXPECT_EQ(retry.retry_delay().seconds(), 1);
  EXPECT_EQ(retry.retry_delay().nanos(), 500000000);
}

TEST(ErrorsTest, PreconditionFailureNamesSubject) {
  absl::Status s = FailedPreconditionWithViolation("ILLEGAL_TRANSITION", "STATE", "referrals/x",
                                                   "cannot accept a CLOSED referral");
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  google::rpc::PreconditionFailure failure;
  ASSERT_TRUE(failure.ParseFromString(std::string(*s.GetPayload(kPreconditionFailureTypeUrl))));
  ASSERT_EQ(failure.violations_size(), 1);
  EXPECT_EQ(failure.violations(0).subject(), "referrals/x");
}

TEST(ErrorsTest, PlainStatusHasNoViolationsOrReason) {
  absl::Status s = absl::InternalError("boom");
  EXPECT_TRUE(ViolationsOf(s).empty());
  EXPECT_EQ(ErrorReasonOf(s), "");
}

}  // namespace
}  // namespace sprout
