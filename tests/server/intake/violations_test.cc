#include "server/intake/violations.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sprout::intake {
namespace {

using ::testing::ElementsAre;

TEST(ViolationsTest, StatusCarriesEveryViolationAsBadRequest) {
  std::vector<FieldViolation> v = {
      {"referral.patient.nhs_number", "the NHS number's check digit is wrong", "", ""},
      {"referral.priority", "the priority is missing; send ROUTINE or URGENT", "", ""}};
  absl::Status s = InvalidReferralError(v);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "referral is invalid: 2 problems; first: referral.patient.nhs_number: the NHS "
            "number's check digit is wrong");
  EXPECT_THAT(ViolationsOf(s), ElementsAre(v[0], v[1]));
  std::optional<google::rpc::ErrorInfo> info = GetErrorInfo(s);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "INVALID_REFERRAL");
  EXPECT_EQ(info->domain(), "sprout");
  EXPECT_EQ(info->metadata().at("violations"), "2");
}

TEST(ViolationsTest, OnlyUnknownLocalCodesGiveUnknownLocalCodeReason) {
  FieldViolation unknown{"referral.reasons[0].local_code.code", "not in the map", "housing-needs",
                         "HN99"};
  std::optional<google::rpc::ErrorInfo> info = GetErrorInfo(InvalidReferralError({unknown}));
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "UNKNOWN_LOCAL_CODE");
  EXPECT_EQ(info->metadata().at("system"), "housing-needs");
  EXPECT_EQ(info->metadata().at("code"), "HN99");

  FieldViolation other{"referral.priority", "missing", "", ""};
  info = GetErrorInfo(InvalidReferralError({unknown, other}));
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "INVALID_REFERRAL");
}

TEST(ViolationsTest, StatusWithoutPayloadHasNoViolations) {
  EXPECT_TRUE(ViolationsOf(absl::InvalidArgumentError("x")).empty());
  EXPECT_FALSE(GetBadRequest(absl::OkStatus()).has_value());
  EXPECT_FALSE(GetErrorInfo(absl::InternalError("x")).has_value());
}

}  // namespace
}  // namespace sprout::intake
