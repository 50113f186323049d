#include "server/auth/policy.h"

#include "gtest/gtest.h"

namespace sprout::auth {
namespace {

const Principal kGp{"Y00001", Role::kReferrer, ""};
const Principal kLinkWorker{"U99001", Role::kLinkWorker, "lw-u99001-01"};
const Principal kAdmin{"sprout", Role::kAdmin, ""};

TEST(PolicyTest, ReferrersSubmitButDoNotReadTheRoutingLog) {
  EXPECT_TRUE(AuthorizeMethod(kGp, "SubmitReferral").ok());
  absl::Status denied = AuthorizeMethod(kGp, "QueryRoutingLog");
  EXPECT_EQ(denied.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(denied.message(), "role referrer of Y00001 may not call QueryRoutingLog");
}

TEST(PolicyTest, LinkWorkersWorkQueuesButDoNotSubmit) {
  EXPECT_TRUE(AuthorizeMethod(kLinkWorker, "ListQueueItems").ok());
  EXPECT_FALSE(AuthorizeMethod(kLinkWorker, "SubmitReferral").ok());
}

TEST(PolicyTest, UnknownMethodIsDenied) {
  EXPECT_FALSE(AuthorizeMethod(kAdmin, "DropDatabase").ok());
}

TEST(PolicyTest, ReferrerReadsOnlyOwnOrganisation) {
  EXPECT_TRUE(AuthorizeReferralRead(kGp, "Y00001").ok());
  EXPECT_FALSE(AuthorizeReferralRead(kGp, "Y00002").ok());
  EXPECT_TRUE(AuthorizeReferralRead(kAdmin, "Y00002").ok());
}

TEST(PolicyTest, LinkWorkerSeesOnlyOwnPcnQueues) {
  EXPECT_TRUE(AuthorizeQueue(kLinkWorker, "pcns/U99001").ok());
  EXPECT_TRUE(AuthorizeQueue(kLinkWorker, "pcns/U99001/linkWorkers/lw-u99001-02").ok());
  EXPECT_FALSE(AuthorizeQueue(kLinkWorker, "pcns/U99002").ok());
  EXPECT_FALSE(AuthorizeQueue(kLinkWorker, "pcns/U990010").ok());  // prefix is not enough
  EXPECT_FALSE(AuthorizeQueue(kLinkWorker, "triageQueues/99A").ok());
  EXPECT_TRUE(AuthorizeQueue(kAdmin, "triageQueues/99A").ok());
  EXPECT_FALSE(AuthorizeQueue(kGp, "pcns/U99001").ok());
}

}  // namespace
}  // namespace sprout::auth
