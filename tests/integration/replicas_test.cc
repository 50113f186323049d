// Two sproutd replicas on one PostgreSQL database: referrals submitted to
// both reach watchers on both, each exactly once, as soon as they commit
// (LISTEN/NOTIFY wakes the other replica); and when link workers race to
// claim the same items through different replicas, each item is granted once.
#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "sprout/v1/queue_service.grpc.pb.h"
#include "sprout/v1/referral_service.grpc.pb.h"
#include "tests/integration/queue_watch_client.h"
#include "tests/integration/sproutd_process.h"
#include "tests/integration/test_backends.h"
#include "tests/integration/test_referrals.h"

namespace sprout {
namespace {

using sprout::v1::QueueEvent;

constexpr int kReferrals = 120;
constexpr int kSubmitters = 4;

std::unique_ptr<grpc::ClientContext> Context() {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  return context;
}

// How many ADDED events each queue item got.
std::map<std::string, int> AddedCounts(const std::vector<QueueEvent>& events) {
  std::map<std::string, int> counts;
  for (const QueueEvent& e : events) {
    if (e.type() == sprout::v1::QUEUE_EVENT_TYPE_ADDED) ++counts[e.item().name()];
  }
  return counts;
}

class ReplicasTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (testing::PostgresDsnFromEnv().empty()) {
      GTEST_SKIP() << "SPROUT_TEST_PG_DSN is unset; deploy/test starts a PostgreSQL and sets it";
    }
    absl::StatusOr<std::vector<std::string>> flags =
        testing::StoreFlags(testing::Backend::kPostgres, "sprout_replicas_test");
    ASSERT_TRUE(flags.ok()) << flags.status();
    flags->push_back("--agency_rate_per_second=0");  // one practice submits everything
    absl::StatusOr<std::vector<std::unique_ptr<testing::SproutdProcess>>> replicas =
        testing::StartReplicas(::testing::TempDir() + "/replica", 2, *flags);
    ASSERT_TRUE(replicas.ok()) << replicas.status();
    replicas_ = *std::move(replicas);
  }

  void TearDown() override {
    for (auto& replica : replicas_) EXPECT_EQ(replica->Stop(), 0);
  }

  std::vector<std::unique_ptr<testing::SproutdProcess>> replicas_;
};

TEST_F(ReplicasTest, WatchersOnBothReplicasSeeEveryItemOnceAndEachClaimIsGrantedOnce) {
  testing::Watch watch_a(replicas_[0]->Channel("linkworker"), "pcns/U99001", 0);
  testing::Watch watch_b(replicas_[1]->Channel("linkworker"), "pcns/U99001", 0);

  // Submit through both replicas at once.
  std::atomic<int> next{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> submitters;
  for (int s = 0; s < kSubmitters; ++s) {
    submitters.emplace_back([&, s] {
      auto stub = sprout::v1::ReferralService::NewStub(replicas_[s % 2]->Channel("gp"));
      for (int n = next.fetch_add(1); n < kReferrals; n = next.fetch_add(1)) {
        sprout::v1::SubmitReferralRequest request;
        request.set_request_id(absl::StrCat("replicas-", n));
        *request.mutable_referral() = testing::GpReferral(testing::TestNhsNumber(50000 + n));
        sprout::v1::SubmitReferralResponse response;
        if (!stub->SubmitReferral(Context().get(), request, &response).ok()) failures.fetch_add(1);
      }
    });
  }
  for (std::thread& t : submitters) t.join();
  ASSERT_EQ(failures.load(), 0);

  auto all_added = [](const std::vector<QueueEvent>& events) {
    return static_cast<int>(AddedCounts(events).size()) >= kReferrals;
  };
  ASSERT_TRUE(watch_a.WaitUntil(all_added, 30)) << "replica A's watcher missed items";
  ASSERT_TRUE(watch_b.WaitUntil(all_added, 30)) << "replica B's watcher missed items";
  const std::map<std::string, int> added_a = AddedCounts(watch_a.events());
  const std::map<std::string, int> added_b = AddedCounts(watch_b.events());
  EXPECT_EQ(added_a.size(), static_cast<size_t>(kReferrals));
  for (const auto& [item, count] : added_a) EXPECT_EQ(count, 1) << item << " on replica A";
  for (const auto& [item, count] : added_b) EXPECT_EQ(count, 1) << item << " on replica B";
  std::set<std::string> items_a, items_b;
  for (const auto& [item, count] : added_a) items_a.insert(item);
  for (const auto& [item, count] : added_b) items_b.insert(item);
  EXPECT_EQ(items_a, items_b);

  // Two claimants race for every item, each through a different replica.
  std::vector<std::string> items(items_a.begin(), items_a.end());
  std::vector<std::atomic<int>> granted(items.size());
  std::vector<std::thread> claimants;
  const std::pair<int, const char*> who[] = {{0, "linkworker"}, {1, "admin"}};
  for (const auto& [replica, identity] : who) {
    claimants.emplace_back([&, replica = replica, identity = identity] {
      auto stub = sprout::v1::QueueService::NewStub(replicas_[replica]->Channel(identity));
      for (size_t i = 0; i < items.size(); ++i) {
        sprout::v1::ClaimReferralRequest request;
        request.set_name(items[i]);
        sprout::v1::QueueItem claimed;
        grpc::Status status = stub->ClaimReferral(Context().get(), request, &claimed);
        if (status.ok()) {
          granted[i].fetch_add(1);
        } else {
          EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION)
              << status.error_message();
        }
      }
    });
  }
  for (std::thread& t : claimants) t.join();
  for (size_t i = 0; i < items.size(); ++i) EXPECT_EQ(granted[i].load(), 1) << items[i];

  // And both watchers see every claim.
  auto all_claimed = [&](const std::vector<QueueEvent>& events) {
    std::set<std::string> updated;
    for (const QueueEvent& e : events) {
      if (e.type() == sprout::v1::QUEUE_EVENT_TYPE_UPDATED) updated.insert(e.item().name());
    }
    return updated.size() >= items.size();
  };
  EXPECT_TRUE(watch_a.WaitUntil(all_claimed, 30));
  EXPECT_TRUE(watch_b.WaitUntil(all_claimed, 30));
}

}  // namespace
}  // namespace sprout
