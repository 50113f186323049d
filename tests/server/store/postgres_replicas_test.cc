// Two PostgresStore instances on one database behave as two sproutd
// replicas: one queue sequence (committed in order), one audit chain, one
// referral per request_id, one open episode per person, one winner per claim,
// and wake-ups for each other's commits.
#include <atomic>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "server/store/postgres/postgres_store.h"
#include "tests/server/store/pg_test_util.h"
#include "tests/server/store/store_test_util.h"

namespace sprout::store::testing {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1767225600);  // 2026-01-01T00:00:00Z
const char kPcnQueue[] = "pcns/U12345";

class PostgresReplicasTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (TestPgDsn().empty()) GTEST_SKIP() << kNoPgMessage;
    absl::StatusOr<std::unique_ptr<PgTestSchema>> schema = PgTestSchema::Create();
    ASSERT_TRUE(schema.ok()) << schema.status();
    schema_ = *std::move(schema);
    for (auto* replica : {&a_, &b_}) {
      PostgresStoreOptions options;
      options.cipher = ::sprout::store::testing::TestBodyCipher();
      options.conninfo = schema_->conninfo();
      options.pool_size = 2;
      absl::StatusOr<std::unique_ptr<Store>> store = OpenPostgresStore(options);
      ASSERT_TRUE(store.ok()) << store.status();
      *replica = *std::move(store);
    }
  }

  void TearDown() override {
    if (a_ != nullptr) a_->Shutdown();
    if (b_ != nullptr) b_->Shutdown();
  }

  // Submits `first` to A and `second` to B at the same time.
  std::pair<absl::StatusOr<SubmitOutcome>, absl::StatusOr<SubmitOutcome>> Race(Submission first,
                                                                               Submission second) {
    absl::StatusOr<SubmitOutcome> ra = absl::UnknownError("pending");
    absl::StatusOr<SubmitOutcome> rb = absl::UnknownError("pending");
    absl::Notification da, db;
    a_->SubmitAsync(std::move(first), [&](absl::StatusOr<SubmitOutcome> r) {
      ra = std::move(r);
      da.Notify();
    });
    b_->SubmitAsync(std::move(second), [&](absl::StatusOr<SubmitOutcome> r) {
      rb = std::move(r);
      db.Notify();
    });
    da.WaitForNotification();
    db.WaitForNotification();
    return {std::move(ra), std::move(rb)};
  }

  std::unique_ptr<PgTestSchema> schema_;
  std::unique_ptr<Store> a_;
  std::unique_ptr<Store> b_;
};

TEST_F(PostgresReplicasTest, SubmissionsThroughBothShareOneSequenceInCommitOrder) {
  constexpr int kThreadsPerReplica = 2;
  constexpr int kPerThread = 40;
  std::atomic<bool> done{false};
  // A watcher resuming from the highest sequence it has seen, as WatchQueue
  // does: if a lower sequence became visible later it would never see it.
  std::set<std::string> followed;
  std::thread follower([&] {
    int64_t last = 0;
    while (true) {
      const bool finished = done.load();
      absl::StatusOr<std::vector<sprout::v1::QueueItem>> items =
          b_->QueueItemsAfter(kPcnQueue, last, 1000);
      ASSERT_TRUE(items.ok()) << items.status();
      for (const sprout::v1::QueueItem& item : *items) {
        EXPECT_GT(item.sequence(), last);
        last = item.sequence();
        followed.insert(item.referral());
      }
      if (finished && items->empty()) return;
    }
  });
  std::vector<std::thread> threads;
  std::vector<std::vector<int64_t>> sequences(2 * kThreadsPerReplica);
  for (int t = 0; t < 2 * kThreadsPerReplica; ++t) {
    threads.emplace_back([&, t] {
      Store* store = t % 2 == 0 ? a_.get() : b_.get();
      for (int i = 0; i < kPerThread; ++i) {
        absl::StatusOr<SubmitOutcome> out =
            store->Submit(MakeSubmission(Spec(absl::StrCat("t", t, "-", i)).Queue(kPcnQueue)));
        ASSERT_TRUE(out.ok()) << out.status();
        sequences[t].push_back(out->queue_sequence);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  done.store(true);
  follower.join();

  std::set<int64_t> all;
  for (const auto& s : sequences) all.insert(s.begin(), s.end());
  const size_t total = 2 * kThreadsPerReplica * kPerThread;
  EXPECT_EQ(all.size(), total);
  EXPECT_EQ(followed.size(), total);                      // the watcher missed nothing
  EXPECT_EQ(*all.rbegin(), static_cast<int64_t>(total));  // no gaps either

  for (Store* store : {a_.get(), b_.get()}) {
    absl::StatusOr<AuditVerification> v = store->VerifyAuditChain();
    ASSERT_TRUE(v.ok()) << v.status();
    EXPECT_TRUE(v->intact()) << v->message;
    EXPECT_EQ(v->records_checked, static_cast<int64_t>(total));
  }
}

TEST_F(PostgresReplicasTest, SameRequestOnBothReplicasIsStoredOnce) {
  constexpr int kRounds = 15;
  for (int i = 0; i < kRounds; ++i) {
    const std::string id = absl::StrCat("dup", i);
    auto [ra, rb] = Race(MakeSubmission(Spec(id)), MakeSubmission(Spec(id)));
    ASSERT_TRUE(ra.ok()) << ra.status();
    ASSERT_TRUE(rb.ok()) << rb.status();
    EXPECT_NE(ra->replayed, rb->replayed) << id;
    EXPECT_EQ(ra->queue_sequence, rb->queue_sequence) << id;
  }
  absl::StatusOr<Page<sprout::v1::Referral>> page = a_->ListReferrals("A81001", 100, "");
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(page->items.size(), static_cast<size_t>(kRounds));
}

TEST_F(PostgresReplicasTest, SamePersonOnBothReplicasGetsOneOpenEpisode) {
  constexpr int kRounds = 15;
  for (int i = 0; i < kRounds; ++i) {
    const std::string person = absl::StrCat("pk-", i);
    auto [ra, rb] = Race(MakeSubmission(Spec(absl::StrCat("pa", i)).PersonKey(person)),
                         MakeSubmission(Spec(absl::StrCat("pb", i)).PersonKey(person)));
    ASSERT_TRUE(ra.ok()) << ra.status();
    ASSERT_TRUE(rb.ok()) << rb.status();
    EXPECT_NE(ra->referral.linked_to_existing_episode(), rb->referral.linked_to_existing_episode())
        << person;
    EXPECT_EQ(ra->referral.episode(), rb->referral.episode()) << person;
  }
}

TEST_F(PostgresReplicasTest, ConcurrentClaimsAcrossReplicasGrantEachItemOnce) {
  constexpr int kItems = 20;
  constexpr int kClaimants = 4;
  for (int i = 0; i < kItems; ++i) {
    ASSERT_TRUE(a_->Submit(MakeSubmission(Spec(absl::StrCat("c", i)))).ok());
  }
  std::vector<std::vector<int>> granted(kClaimants);
  std::vector<std::thread> threads;
  for (int c = 0; c < kClaimants; ++c) {
    threads.emplace_back([&, c] {
      Store* store = c % 2 == 0 ? a_.get() : b_.get();
      for (int i = 0; i < kItems; ++i) {
        QueueClaim claim;
        claim.queue_item_id = absl::StrCat("q-c", i);
        claim.claimant = absl::StrCat("pcns/U12345/linkWorkers/lw-", c);
        claim.now = kT0;
        claim.lease_expire_time = kT0 + absl::Minutes(15);
        claim.audit = MakeAudit("ClaimReferral", absl::StrCat("queueItems/q-c", i), kT0);
        absl::StatusOr<sprout::v1::QueueItem> got = store->ClaimQueueItem(claim);
        if (got.ok()) {
          granted[c].push_back(i);
        } else {
          EXPECT_EQ(got.status().code(), absl::StatusCode::kFailedPrecondition) << got.status();
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  std::multiset<int> all;
  for (const auto& g : granted) all.insert(g.begin(), g.end());
  EXPECT_EQ(all.size(), static_cast<size_t>(kItems));
  for (int i = 0; i < kItems; ++i) EXPECT_EQ(all.count(i), 1u) << "item " << i;
  absl::StatusOr<AuditVerification> v = b_->VerifyAuditChain();
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_TRUE(v->intact()) << v->message;
  EXPECT_EQ(v->records_checked, 2 * kItems);  // submissions and granted claims
}

// Waits up to 5 s for `count` to pass `above`.
bool WaitAbove(const std::atomic<int>& count, int above) {
  for (int i = 0; i < 500 && count.load() <= above; ++i) absl::SleepFor(absl::Milliseconds(10));
  return count.load() > above;
}

TEST_F(PostgresReplicasTest, SubscribersAreWokenByTheOtherReplicasCommits) {
  std::atomic<int> wakes_a{0}, wakes_b{0};
  std::unique_ptr<QueueSubscription> sub_a = a_->SubscribeQueueChanges([&] { ++wakes_a; });
  std::unique_ptr<QueueSubscription> sub_b = b_->SubscribeQueueChanges([&] { ++wakes_b; });
  absl::SleepFor(absl::Milliseconds(300));  // let the listeners settle
  const int b_before = wakes_b.load();
  absl::StatusOr<SubmitOutcome> out = a_->Submit(MakeSubmission(Spec("w1")));
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(WaitAbove(wakes_b, b_before)) << "B was not woken by A's submission";

  const int a_before = wakes_a.load();
  QueueClaim claim;
  claim.queue_item_id = "q-w1";
  claim.claimant = "pcns/U12345/linkWorkers/lw-1";
  claim.now = kT0;
  claim.lease_expire_time = kT0 + absl::Minutes(15);
  claim.audit = MakeAudit("ClaimReferral", "queueItems/q-w1", kT0);
  ASSERT_TRUE(b_->ClaimQueueItem(claim).ok());
  EXPECT_TRUE(WaitAbove(wakes_a, a_before)) << "A was not woken by B's claim";

  // A write that changes no queue item wakes nobody elsewhere.
  absl::SleepFor(absl::Milliseconds(200));
  const int b_quiet = wakes_b.load();
  ASSERT_TRUE(a_->AppendAudit(MakeAudit("GetReferral", "referrals/w1", kT0)).ok());
  absl::SleepFor(absl::Milliseconds(300));
  EXPECT_EQ(wakes_b.load(), b_quiet);
}

}  // namespace
}  // namespace sprout::store::testing
