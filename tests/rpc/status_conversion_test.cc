#include "rpc/status_conversion.h"

#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"

namespace sprout::rpc {
namespace {

using ::testing::Eq;
using ::testing::Optional;

google::rpc::BadRequest TwoViolations() {
  google::rpc::BadRequest bad;
  auto* v = bad.add_field_violations();
  v->set_field("referral.patient.nhs_number");
  v->set_description("check digit is wrong");
  v = bad.add_field_violations();
  v->set_field("referral.reasons[0].snomed_code");
  v->set_description("not in the release");
  return bad;
}

// What sproutd puts on the wire: a code, a message and a google.rpc.Status in
// the grpc-status-details-bin trailer.
grpc::Status ServerStatusWith(const google::protobuf::Message& detail) {
  google::rpc::Status details;
  details.set_code(3);
  details.set_message("the referral is invalid");
  details.add_details()->PackFrom(detail);
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "the referral is invalid",
                      details.SerializeAsString());
}

TEST(StatusConversionTest, OkBecomesOk) { EXPECT_TRUE(FromGrpcStatus(grpc::Status::OK).ok()); }

TEST(StatusConversionTest, CodeAndMessageSurvive) {
  absl::Status s = FromGrpcStatus(grpc::Status(grpc::StatusCode::NOT_FOUND, "no such referral"));
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "no such referral");
}

TEST(StatusConversionTest, EveryCanonicalCodeMapsToTheSameNumber) {
  for (int code = 1; code <= 16; ++code) {
    absl::Status s = FromGrpcStatus(grpc::Status(static_cast<grpc::StatusCode>(code), "x"));
    EXPECT_EQ(static_cast<int>(s.code()), code);
  }
}

TEST(StatusConversionTest, BadRequestFromTrailerBecomesPayload) {
  absl::Status s = FromGrpcStatus(ServerStatusWith(TwoViolations()));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(s.GetPayload("type.googleapis.com/google.rpc.BadRequest").has_value());
  auto bad = GetStatusDetail<google::rpc::BadRequest>(s);
  ASSERT_TRUE(bad.has_value());
  ASSERT_EQ(bad->field_violations_size(), 2);
  EXPECT_EQ(bad->field_violations(0).field(), "referral.patient.nhs_number");
  EXPECT_EQ(bad->field_violations(1).description(), "not in the release");
}

TEST(StatusConversionTest, BadRequestRoundTripsThroughGrpcStatus) {
  absl::Status original = absl::InvalidArgumentError("the referral is invalid");
  SetStatusDetail(original, TwoViolations());
  google::rpc::ErrorInfo info;
  info.set_reason("REFERRAL_INVALID");
  info.set_domain("sprout");
  SetStatusDetail(original, info);

  grpc::Status wire = ToGrpcStatus(original);
  EXPECT_EQ(wire.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_FALSE(wire.error_details().empty());
  absl::Status back = FromGrpcStatus(wire);

  EXPECT_EQ(back, original);  // absl::Status equality compares payloads too
  auto bad = GetStatusDetail<google::rpc::BadRequest>(back);
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->SerializeAsString(), TwoViolations().SerializeAsString());
  auto back_info = GetStatusDetail<google::rpc::ErrorInfo>(back);
  ASSERT_TRUE(back_info.has_value());
  EXPECT_EQ(back_info->reason(), "REFERRAL_INVALID");
}

TEST(StatusConversionTest, StatusWithoutPayloadsSendsNoTrailer) {
  grpc::Status wire = ToGrpcStatus(absl::NotFoundError("gone"));
  EXPECT_EQ(wire.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(wire.error_details().empty());
}

TEST(StatusConversionTest, UnparsableTrailerKeepsCodeAndMessage) {
  absl::Status s = FromGrpcStatus(
      grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "already accepted", "\xff\xff\xff"));
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(), "already accepted");
}

TEST(StatusConversionTest, TrailerMessageFillsAnEmptyGrpcMessage) {
  google::rpc::Status details;
  details.set_code(14);
  details.set_message("draining");
  absl::Status s =
      FromGrpcStatus(grpc::Status(grpc::StatusCode::UNAVAILABLE, "", details.SerializeAsString()));
  EXPECT_EQ(s.message(), "draining");
}

TEST(StatusConversionTest, MissingDetailIsNullopt) {
  absl::Status s = FromGrpcStatus(ServerStatusWith(TwoViolations()));
  EXPECT_FALSE(GetStatusDetail<google::rpc::RetryInfo>(s).has_value());
}

TEST(StatusConversionTest, TypeUrlUsesGoogleApisPrefix) {
  EXPECT_EQ(TypeUrlOf(*google::rpc::PreconditionFailure::descriptor()),
            "type.googleapis.com/google.rpc.PreconditionFailure");
}

}  // namespace
}  // namespace sprout::rpc
