// The walking skeleton, end to end through the real sproutd binary: a referral
// is submitted over mutual TLS, validated, coded, routed, stored in SQLite,
// appears on its PCN's queue and in the routing log; a bad referral is refused
// with a BadRequest and nothing is stored.
#include <filesystem>
#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "sprout/v1/admin_service.grpc.pb.h"
#include "sprout/v1/queue_service.grpc.pb.h"
#include "sprout/v1/referral_service.grpc.pb.h"
#include "tests/integration/sproutd_suite.h"
#include "tests/integration/sqlite_peek.h"
#include "tests/integration/test_referrals.h"

namespace sprout {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Property;

using testing::CountRows;
using testing::GpReferral;

google::rpc::BadRequest BadRequestOf(const grpc::Status& status) {
  google::rpc::Status details;
  google::rpc::BadRequest bad_request;
  EXPECT_TRUE(details.ParseFromString(status.error_details()));
  for (const auto& any : details.details()) {
    if (any.UnpackTo(&bad_request)) break;
  }
  return bad_request;
}

class WalkingSkeletonTest : public testing::SproutdSuite<WalkingSkeletonTest> {
 protected:
  static void SetUpTestSuite() { StartServer("walking_skeleton"); }
};

TEST_F(WalkingSkeletonTest, GpReferralTravelsToItsPcnQueueAndTheRoutingLog) {
  auto referrals = sprout::v1::ReferralService::NewStub(server_->Channel("gp"));
  sprout::v1::SubmitReferralRequest request;
  request.set_request_id("it-gp-0001");
  *request.mutable_referral() = GpReferral();
  sprout::v1::SubmitReferralResponse response;
  grpc::Status status = referrals->SubmitReferral(Context().get(), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();

  const sprout::v1::Referral& stored = response.referral();
  EXPECT_FALSE(response.replayed());
  EXPECT_THAT(stored.name(), HasSubstr("referrals/"));
  EXPECT_EQ(stored.state(), sprout::v1::REFERRAL_STATE_QUEUED);
  EXPECT_EQ(stored.service_code().code(), "871731000000106");
  ASSERT_EQ(stored.coded_reasons_size(), 2);
  EXPECT_EQ(stored.coded_reasons(0).concept().code(), "267076002");
  EXPECT_EQ(stored.coded_reasons(0).method(), sprout::v1::CODING_METHOD_SNOMED);
  EXPECT_EQ(stored.route().pcn(), "pcns/U99001");
  EXPECT_EQ(stored.route().method(), sprout::v1::ROUTING_METHOD_PRACTICE);
  EXPECT_EQ(stored.referrer().organisation_code(), "Y99001");

  // Read back as the referrer.
  sprout::v1::GetReferralRequest get;
  get.set_name(stored.name());
  sprout::v1::Referral fetched;
  ASSERT_TRUE(referrals->GetReferral(Context().get(), get, &fetched).ok());
  EXPECT_EQ(fetched.route().decision(), stored.route().decision());

  // On the PCN's queue, as its link worker sees it.
  auto queues = sprout::v1::QueueService::NewStub(server_->Channel("linkworker"));
  sprout::v1::ListQueueItemsRequest list;
  list.set_parent("pcns/U99001");
  sprout::v1::ListQueueItemsResponse items;
  ASSERT_TRUE(queues->ListQueueItems(Context().get(), list, &items).ok());
  EXPECT_THAT(items.queue_items(),
              Contains(Property(&sprout::v1::QueueItem::referral, stored.name())));

  // In the routing log, found by PCN and by reason subsumption.
  auto admin = sprout::v1::AdminService::NewStub(server_->Channel("admin"));
  sprout::v1::QueryRoutingLogRequest query;
  query.set_filter("pcn = \"U99001\" AND reason << 267076002");
  sprout::v1::QueryRoutingLogResponse log;
  grpc::Status log_status = admin->QueryRoutingLog(Context().get(), query, &log);
  ASSERT_TRUE(log_status.ok()) << log_status.error_message();
  EXPECT_THAT(log.decisions(),
              Contains(Property(&sprout::v1::RoutingDecision::referral, stored.name())));

  // And in the database file itself.
  EXPECT_GE(CountRows(server_->database_file(), "referrals"), 1);

  // The submission and the read are in the audit trail, whose chain is intact.
  sprout::v1::VerifyAuditLogRequest verify;
  sprout::v1::VerifyAuditLogResponse audit;
  ASSERT_TRUE(admin->VerifyAuditLog(Context().get(), verify, &audit).ok());
  EXPECT_TRUE(audit.intact()) << audit.message();
  EXPECT_GE(audit.records_checked(), 2);
}

TEST_F(WalkingSkeletonTest, WrongNhsNumberCheckDigitIsRefusedAndNothingIsStored) {
  const int64_t before = CountRows(server_->database_file(), "referrals");
  auto referrals = sprout::v1::ReferralService::NewStub(server_->Channel("gp"));
  sprout::v1::SubmitReferralRequest request;
  request.set_request_id("it-gp-bad-nhs");
  *request.mutable_referral() = GpReferral();
  request.mutable_referral()->mutable_patient()->set_nhs_number("9434765918");
  sprout::v1::SubmitReferralResponse response;
  grpc::Status status = referrals->SubmitReferral(Context().get(), request, &response);

  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  google::rpc::BadRequest bad_request = BadRequestOf(status);
  ASSERT_GE(bad_request.field_violations_size(), 1);
  EXPECT_EQ(bad_request.field_violations(0).field(), "referral.patient.nhs_number");
  EXPECT_THAT(status.error_message(), Not(HasSubstr("9434765918")));
  EXPECT_EQ(CountRows(server_->database_file(), "referrals"), before);
}

TEST_F(WalkingSkeletonTest, RetryWithTheSameRequestIdReturnsTheSameReferral) {
  auto referrals = sprout::v1::ReferralService::NewStub(server_->Channel("gp"));
  sprout::v1::SubmitReferralRequest request;
  request.set_request_id("it-gp-retry");
  *request.mutable_referral() = GpReferral();
  request.mutable_referral()->mutable_patient()->set_nhs_number("9000000009");
  sprout::v1::SubmitReferralResponse first, second;
  ASSERT_TRUE(referrals->SubmitReferral(Context().get(), request, &first).ok());
  ASSERT_TRUE(referrals->SubmitReferral(Context().get(), request, &second).ok());
  EXPECT_EQ(first.referral().name(), second.referral().name());
  EXPECT_TRUE(second.replayed());

  // The same key with a different referral is refused.
  request.mutable_referral()->set_what_matters_to_me("something else");
  sprout::v1::SubmitReferralResponse third;
  EXPECT_EQ(referrals->SubmitReferral(Context().get(), request, &third).error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
}

TEST_F(WalkingSkeletonTest, WithdrawingAnUnknownReferralAnswersNotFoundNamingIt) {
  auto referrals = sprout::v1::ReferralService::NewStub(server_->Channel("gp"));
  sprout::v1::WithdrawReferralRequest request;
  request.set_name("referrals/x");
  sprout::v1::Referral response;
  grpc::Status status = referrals->WithdrawReferral(Context().get(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  google::rpc::Status details;
  ASSERT_TRUE(details.ParseFromString(status.error_details()));
  google::rpc::ErrorInfo info;
  ASSERT_TRUE(details.details(0).UnpackTo(&info));
  EXPECT_EQ(info.reason(), "REFERRAL_NOT_FOUND");
  EXPECT_EQ(info.metadata().at("resource"), "referrals/x");
}

TEST_F(WalkingSkeletonTest, ReferrerMayNotReadTheRoutingLog) {
  auto admin = sprout::v1::AdminService::NewStub(server_->Channel("gp"));
  sprout::v1::QueryRoutingLogRequest query;
  sprout::v1::QueryRoutingLogResponse log;
  EXPECT_EQ(admin->QueryRoutingLog(Context().get(), query, &log).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

}  // namespace
}  // namespace sprout
