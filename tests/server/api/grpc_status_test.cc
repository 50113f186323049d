#include "server/api/grpc_status.h"

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "server/common/errors.h"

namespace sprout::api {
namespace {

google::rpc::Status DetailsOf(const grpc::Status& status) {
  google::rpc::Status details;
  EXPECT_TRUE(details.ParseFromString(status.error_details()));
  return details;
}

TEST(GrpcStatusTest, OkIsOkWithoutDetails) {
  grpc::Status s = ToGrpcStatus(absl::OkStatus());
  EXPECT_TRUE(s.ok());
  EXPECT_TRUE(s.error_details().empty());
}

TEST(GrpcStatusTest, BadRequestTravelsInTheTrailerAfterErrorInfo) {
  absl::Status domain = InvalidArgumentWithViolations(
      {{"referral.patient.nhs_number", "the check digit is wrong"}}, "INVALID_REFERRAL");
  grpc::Status s = ToGrpcStatus(domain);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "referral.patient.nhs_number: the check digit is wrong");
  google::rpc::Status details = DetailsOf(s);
  EXPECT_EQ(details.code(), 3);
  ASSERT_EQ(details.details_size(), 2);
  google::rpc::ErrorInfo info;
  ASSERT_TRUE(details.details(0).UnpackTo(&info));
  EXPECT_EQ(info.reason(), "INVALID_REFERRAL");
  EXPECT_EQ(info.domain(), "sprout");
  google::rpc::BadRequest bad_request;
  ASSERT_TRUE(details.details(1).UnpackTo(&bad_request));
  ASSERT_EQ(bad_request.field_violations_size(), 1);
  EXPECT_EQ(bad_request.field_violations(0).field(), "referral.patient.nhs_number");
}

TEST(GrpcStatusTest, PlainErrorGetsErrorInfoNamedAfterItsCode) {
  grpc::Status s = ToGrpcStatus(absl::UnavailableError("disk gone"));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);
  google::rpc::Status details = DetailsOf(s);
  ASSERT_EQ(details.details_size(), 1);
  google::rpc::ErrorInfo info;
  ASSERT_TRUE(details.details(0).UnpackTo(&info));
  EXPECT_EQ(info.reason(), "UNAVAILABLE");
}

}  // namespace
}  // namespace sprout::api
