#include "client/status_format.h"

#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"
#include "rpc/status_conversion.h"

namespace sprout::client {
namespace {

TEST(StatusFormatTest, OkIsOneWord) { EXPECT_EQ(FormatStatus(absl::OkStatus()), "OK\n"); }

TEST(StatusFormatTest, PlainErrorIsCodeAndMessage) {
  EXPECT_EQ(FormatStatus(absl::NotFoundError("referrals/r1 not found")),
            "NOT_FOUND: referrals/r1 not found\n");
}

TEST(StatusFormatTest, BadRequestPrintsOneLinePerViolation) {
  absl::Status s = absl::InvalidArgumentError("2 problems in the referral");
  google::rpc::BadRequest bad;
  auto* v = bad.add_field_violations();
  v->set_field("referral.patient.nhs_number");
  v->set_description("the check digit is wrong; NHS numbers have 10 digits and a modulus 11 check");
  v = bad.add_field_violations();
  v->set_field("referral.consent.referral_agreed");
  v->set_description("must be true: the person must agree to the referral");
  rpc::SetStatusDetail(s, bad);

  EXPECT_EQ(FormatStatus(s),
            "INVALID_ARGUMENT: 2 problems in the referral\n"
            "  referral.patient.nhs_number: the check digit is wrong; NHS numbers have 10 digits "
            "and a modulus 11 check\n"
            "  referral.consent.referral_agreed: must be true: the person must agree to the "
            "referral\n");
}

TEST(StatusFormatTest, PreconditionFailureShowsTypeAndSubject) {
  absl::Status s = absl::FailedPreconditionError("cannot accept");
  google::rpc::PreconditionFailure failure;
  auto* v = failure.add_violations();
  v->set_type("STATE");
  v->set_subject("referrals/r1");
  v->set_description("is WITHDRAWN; only QUEUED referrals can be accepted");
  rpc::SetStatusDetail(s, failure);
  EXPECT_EQ(FormatStatus(s),
            "FAILED_PRECONDITION: cannot accept\n"
            "  STATE referrals/r1: is WITHDRAWN; only QUEUED referrals can be accepted\n");
}

TEST(StatusFormatTest, RetryInfoAndErrorInfoAreReadable) {
  absl::Status s = absl::ResourceExhaustedError("overloaded");
  google::rpc::RetryInfo retry;
  retry.mutable_retry_delay()->set_seconds(2);
  retry.mutable_retry_delay()->set_nanos(500000000);
  rpc::SetStatusDetail(s, retry);
  google::rpc::ErrorInfo info;
  info.set_reason("OVERLOADED");
  info.set_domain("sprout");
  (*info.mutable_metadata())["queue_depth"] = "4096";
  (*info.mutable_metadata())["method"] = "SubmitReferral";
  rpc::SetStatusDetail(s, info);
  EXPECT_EQ(FormatStatus(s),
            "RESOURCE_EXHAUSTED: overloaded\n"
            "  retry after 2.5s\n"
            "  reason: OVERLOADED (sprout)\n"
            "    method=SubmitReferral\n"
            "    queue_depth=4096\n");
}

TEST(StatusFormatTest, UnknownDetailIsNamed) {
  absl::Status s = absl::InternalError("boom");
  s.SetPayload("type.googleapis.com/example.Other", absl::Cord("x"));
  EXPECT_EQ(FormatStatus(s), "INTERNAL: boom\n  detail: type.googleapis.com/example.Other\n");
}

}  // namespace
}  // namespace sprout::client
