#include "client/health_check.h"

#include <string>

#include "gtest/gtest.h"

namespace sprout::client {
namespace {

TEST(HealthCheckTest, EmptyServiceEncodesToNothing) { EXPECT_EQ(EncodeHealthCheckRequest(""), ""); }

TEST(HealthCheckTest, ServiceNameIsFieldOne) {
  EXPECT_EQ(EncodeHealthCheckRequest("sprout.v1.ReferralService"),
            std::string("\x0a\x19sprout.v1.ReferralService"));
}

TEST(HealthCheckTest, LongServiceNameUsesMultiByteLength) {
  const std::string name(200, 'a');
  const std::string encoded = EncodeHealthCheckRequest(name);
  EXPECT_EQ(encoded.substr(0, 3), std::string("\x0a\xc8\x01"));
  EXPECT_EQ(encoded.size(), 203u);
}

TEST(HealthCheckTest, DecodesEachStatus) {
  EXPECT_EQ(*DecodeHealthCheckResponse(""), ServingStatus::kUnknown);
  EXPECT_EQ(*DecodeHealthCheckResponse(std::string("\x08\x01", 2)), ServingStatus::kServing);
  EXPECT_EQ(*DecodeHealthCheckResponse(std::string("\x08\x02", 2)), ServingStatus::kNotServing);
  EXPECT_EQ(*DecodeHealthCheckResponse(std::string("\x08\x03", 2)), ServingStatus::kServiceUnknown);
}

TEST(HealthCheckTest, SkipsUnknownFields) {
  // field 2 (string "x"), then status SERVING.
  EXPECT_EQ(*DecodeHealthCheckResponse(std::string("\x12\x01x\x08\x01", 5)),
            ServingStatus::kServing);
}

TEST(HealthCheckTest, TruncatedMessageIsDataLoss) {
  EXPECT_EQ(DecodeHealthCheckResponse(std::string("\x08", 1)).status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(DecodeHealthCheckResponse(std::string("\x12\x05x", 3)).status().code(),
            absl::StatusCode::kDataLoss);
}

TEST(HealthCheckTest, NamesMatchHealthProto) {
  EXPECT_EQ(ServingStatusName(ServingStatus::kServing), "SERVING");
  EXPECT_EQ(ServingStatusName(ServingStatus::kNotServing), "NOT_SERVING");
}

}  // namespace
}  // namespace sprout::client
