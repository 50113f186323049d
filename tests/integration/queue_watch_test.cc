// WatchQueue and ClaimReferral through the real sproutd: a watcher sees a new
// referral arrive and its claim, resumes from a sequence without repeats, and
// a claimed item cannot be claimed again by someone else.
#include <filesystem>
#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "sprout/v1/queue_service.grpc.pb.h"
#include "sprout/v1/referral_service.grpc.pb.h"
#include "tests/integration/queue_watch_client.h"
#include "tests/integration/sproutd_suite.h"
#include "tests/integration/test_referrals.h"

namespace sprout {
namespace {

using sprout::v1::QueueEvent;
using testing::Watch;

class QueueWatchTest : public testing::SproutdSuite<QueueWatchTest> {
 protected:
  static void SetUpTestSuite() { StartServer("queue_watch"); }

  static std::string Submit(const std::string& request_id, int64_t person) {
    auto referrals = sprout::v1::ReferralService::NewStub(server_->Channel("gp"));
    sprout::v1::SubmitReferralRequest request;
    request.set_request_id(request_id);
    *request.mutable_referral() = testing::GpReferral(testing::TestNhsNumber(person));
    sprout::v1::SubmitReferralResponse response;
    grpc::Status status = referrals->SubmitReferral(Context().get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.referral().name();
  }

  static grpc::Status Claim(const std::string& identity, const std::string& item,
                            sprout::v1::QueueItem* claimed, int lease_seconds = 0) {
    auto queues = sprout::v1::QueueService::NewStub(server_->Channel(identity));
    sprout::v1::ClaimReferralRequest request;
    request.set_name(item);
    if (lease_seconds != 0) request.mutable_lease_duration()->set_seconds(lease_seconds);
    return queues->ClaimReferral(Context().get(), request, claimed);
  }
};

TEST_F(QueueWatchTest, AWatcherSeesArrivalAndClaimAndAClaimIsGrantedOnce) {
  Watch watch(server_->Channel("linkworker"), "pcns/U99001", 0);
  const std::string referral = Submit("qw-1", 101);
  QueueEvent added = watch.WaitFor([&](const QueueEvent& e) {
    return e.item().referral() == referral && e.type() == sprout::v1::QUEUE_EVENT_TYPE_ADDED;
  });
  ASSERT_EQ(added.item().referral(), referral) << "no ADDED event for the new referral";
  EXPECT_EQ(added.sequence(), added.item().sequence());
  EXPECT_EQ(added.item().state(), sprout::v1::QUEUE_ITEM_STATE_WAITING);

  sprout::v1::QueueItem claimed;
  grpc::Status status = Claim("linkworker", added.item().name(), &claimed);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(claimed.state(), sprout::v1::QUEUE_ITEM_STATE_CLAIMED);
  EXPECT_EQ(claimed.claimed_by(), "pcns/U99001/linkWorkers/lw-u99001-01");
  EXPECT_GT(claimed.sequence(), added.sequence());

  QueueEvent updated = watch.WaitFor([&](const QueueEvent& e) {
    return e.item().name() == added.item().name() &&
           e.type() == sprout::v1::QUEUE_EVENT_TYPE_UPDATED;
  });
  EXPECT_EQ(updated.sequence(), claimed.sequence());
  EXPECT_EQ(updated.item().claimed_by(), claimed.claimed_by());

  // Nobody else gets it while the lease lives; the refusal says why.
  sprout::v1::QueueItem again;
  status = Claim("admin", added.item().name(), &again);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  google::rpc::Status details;
  ASSERT_TRUE(details.ParseFromString(status.error_details()));
  google::rpc::PreconditionFailure failure;
  bool has_failure = false;
  for (const auto& any : details.details()) has_failure |= any.UnpackTo(&failure);
  ASSERT_TRUE(has_failure);
  ASSERT_EQ(failure.violations_size(), 1);
  EXPECT_EQ(failure.violations(0).subject(), added.item().name());
}

TEST_F(QueueWatchTest, AResumedWatchStartsAfterItsSequence) {
  int64_t last = 0;
  {
    Watch first(server_->Channel("linkworker"), "pcns/U99001", 0);
    const std::string referral = Submit("qw-2", 102);
    last = first.WaitFor([&](const QueueEvent& e) { return e.item().referral() == referral; })
               .sequence();
    ASSERT_GT(last, 0);
  }
  const std::string later = Submit("qw-3", 103);
  Watch resumed(server_->Channel("linkworker"), "pcns/U99001", last);
  QueueEvent next =
      resumed.WaitFor([&](const QueueEvent& e) { return e.item().referral() == later; });
  ASSERT_EQ(next.item().referral(), later);
  for (const QueueEvent& e : resumed.events()) EXPECT_GT(e.sequence(), last);
}

TEST_F(QueueWatchTest, WatchesAndClaimsAreConfinedToTheCallersPcn) {
  Watch referrer(server_->Channel("gp"), "pcns/U99001", 0);
  EXPECT_EQ(referrer.Status().error_code(), grpc::StatusCode::PERMISSION_DENIED);
  Watch other_pcn(server_->Channel("linkworker"), "pcns/U99002", 0);
  EXPECT_EQ(other_pcn.Status().error_code(), grpc::StatusCode::PERMISSION_DENIED);
  Watch bad(server_->Channel("linkworker"), "queues/U99001", 0);
  EXPECT_EQ(bad.Status().error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  sprout::v1::QueueItem claimed;
  grpc::Status too_long = Claim("linkworker", "queueItems/anything", &claimed, 9 * 3600);
  EXPECT_EQ(too_long.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(too_long.error_message(), ::testing::HasSubstr("lease_duration"));
  grpc::Status missing = Claim("linkworker", "queueItems/no-such-item", &claimed);
  EXPECT_EQ(missing.error_code(), grpc::StatusCode::NOT_FOUND);
}

}  // namespace
}  // namespace sprout
