// The Store conformance suite, part two (see store_conformance.h): what
// happens to a referral after it is stored. Lifecycle updates with their
// etags, episodes and loads; queue claims under a lease; queue-change
// wake-ups. Part one (store_conformance.cc) covers submissions and reads.
#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "tests/server/store/store_conformance.h"

namespace sprout::store::testing {
namespace {

using ::testing::HasSubstr;

// 2026-01-01T00:00:00Z: in the NHS financial year 2025 (April 2025 to March
// 2026), which LinkWorkerLoads(2025) counts.
const absl::Time kT0 = absl::FromUnixSeconds(1767225600);

ReferralUpdate AcceptUpdate(const SubmitOutcome& out, const std::string& expected_etag,
                            const std::string& new_etag) {
  ReferralUpdate u;
  u.referral = out.referral;
  u.referral.set_state(sprout::v1::REFERRAL_STATE_ACCEPTED);
  u.referral.set_etag(new_etag);
  u.referral.mutable_update_time()->set_seconds(absl::ToUnixSeconds(kT0 + absl::Hours(1)));
  u.expected_etag = expected_etag;
  sprout::v1::QueueItem item;
  item.set_name(absl::StrCat("queueItems/q-", out.referral.name().substr(10)));
  item.set_referral(out.referral.name());
  item.set_queue(out.referral.route().link_worker());
  item.set_priority(out.referral.priority());
  item.set_state(sprout::v1::QUEUE_ITEM_STATE_DONE);
  u.queue_item = item;
  u.audit = MakeAudit("AcceptReferral", out.referral.name(), kT0 + absl::Hours(1));
  u.audit.actor_role = "link_worker";
  return u;
}

QueueClaim ClaimOf(const SubmitOutcome& out, const std::string& claimant, absl::Time now,
                   absl::Duration lease = absl::Minutes(15)) {
  QueueClaim c;
  c.queue_item_id = absl::StrCat("q-", out.referral.name().substr(10));
  c.claimant = claimant;
  c.now = now;
  c.lease_expire_time = now + lease;
  c.audit = MakeAudit("ClaimReferral", absl::StrCat("queueItems/", c.queue_item_id), now);
  return c;
}

}  // namespace

TEST_P(StoreConformanceTest, UpdateCommitsStateQueueItemAndLoads) {
  const std::string lw = "pcns/U12345/linkWorkers/lw-1";
  SubmitOutcome out = MustSubmit(Spec("u1").Queue(lw));
  absl::StatusOr<UpdateOutcome> updated = store_->UpdateReferral(AcceptUpdate(out, "", "e2"));
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->referral.state(), sprout::v1::REFERRAL_STATE_ACCEPTED);
  EXPECT_EQ(updated->referral.episode(), "episodes/e-u1");

  absl::StatusOr<sprout::v1::Referral> got = store_->GetReferral("u1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->state(), sprout::v1::REFERRAL_STATE_ACCEPTED);
  EXPECT_EQ(got->etag(), "e2");
  // No longer waiting; watchers resuming after the submission see the change.
  EXPECT_TRUE(store_->ListQueueItems(lw, 10, "")->items.empty());
  absl::StatusOr<std::vector<sprout::v1::QueueItem>> after =
      store_->QueueItemsAfter(lw, out.queue_sequence, 10);
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->size(), 1u);
  EXPECT_EQ((*after)[0].state(), sprout::v1::QUEUE_ITEM_STATE_DONE);
  EXPECT_GT((*after)[0].sequence(), out.queue_sequence);

  absl::StatusOr<std::vector<LinkWorkerCounts>> loads = store_->LinkWorkerLoads(2025);
  ASSERT_TRUE(loads.ok());
  ASSERT_EQ(loads->size(), 1u);
  EXPECT_EQ((*loads)[0].accepted_this_year, 1);
  EXPECT_EQ((*loads)[0].open_caseload, 1);
  EXPECT_EQ((*loads)[0].waiting, 0);

  absl::StatusOr<AuditVerification> v = store_->VerifyAuditChain();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->intact()) << v->message;
  EXPECT_EQ(v->records_checked, 2);
}

TEST_P(StoreConformanceTest, LifecycleEventsListInOrderAndResume) {
  SubmitOutcome out = MustSubmit(Spec("ev"));
  MustSubmit(Spec("other"));
  ASSERT_TRUE(store_->UpdateReferral(AcceptUpdate(out, "", "e2")).ok());
  absl::StatusOr<std::vector<ReferralEvent>> events = store_->ListReferralEvents("ev", 0);
  ASSERT_TRUE(events.ok()) << events.status();
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[0].state, sprout::v1::REFERRAL_STATE_QUEUED);
  EXPECT_EQ((*events)[0].time, kT0);
  EXPECT_EQ((*events)[1].state, sprout::v1::REFERRAL_STATE_ACCEPTED);
  EXPECT_EQ((*events)[1].time, kT0 + absl::Hours(1));
  EXPECT_LT((*events)[0].sequence, (*events)[1].sequence);
  absl::StatusOr<std::vector<ReferralEvent>> rest =
      store_->ListReferralEvents("ev", (*events)[0].sequence);
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->size(), 1u);
  EXPECT_EQ((*rest)[0].state, sprout::v1::REFERRAL_STATE_ACCEPTED);
  EXPECT_TRUE(store_->ListReferralEvents("nobody", 0)->empty());
}

TEST_P(StoreConformanceTest, UpdateWithAStaleEtagIsAborted) {
  SubmitOutcome out = MustSubmit(Spec("u1"));
  ASSERT_TRUE(store_->UpdateReferral(AcceptUpdate(out, "", "e2")).ok());
  absl::StatusOr<UpdateOutcome> stale = store_->UpdateReferral(AcceptUpdate(out, "e1", "e3"));
  EXPECT_EQ(stale.status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(store_->GetReferral("u1")->etag(), "e2");
  EXPECT_TRUE(store_->UpdateReferral(AcceptUpdate(out, "e2", "e3")).ok());
}

TEST_P(StoreConformanceTest, UpdateOfUnknownReferralOrForeignQueueItemIsNotFound) {
  SubmitOutcome a = MustSubmit(Spec("a"));
  SubmitOutcome b = MustSubmit(Spec("b"));
  SubmitOutcome ghost = a;
  ghost.referral.set_name("referrals/ghost");
  EXPECT_EQ(store_->UpdateReferral(AcceptUpdate(ghost, "", "x")).status().code(),
            absl::StatusCode::kNotFound);
  ReferralUpdate crossed = AcceptUpdate(a, "", "x");
  crossed.queue_item->set_name("queueItems/q-b");  // b's item, not a's
  EXPECT_EQ(store_->UpdateReferral(std::move(crossed)).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->GetReferral("a")->state(), sprout::v1::REFERRAL_STATE_QUEUED);
}

TEST_P(StoreConformanceTest, ClosingTheEpisodeLetsTheNextReferralOpenANewOne) {
  SubmitOutcome first = MustSubmit(Spec("c1").PersonKey("pk-c"));
  ReferralUpdate close = AcceptUpdate(first, "", "e2");
  close.referral.set_state(sprout::v1::REFERRAL_STATE_CLOSED);
  close.close_episode = true;
  ASSERT_TRUE(store_->UpdateReferral(std::move(close)).ok());
  EXPECT_FALSE(store_->FindOpenEpisode("pk-c")->has_value());
  SubmitOutcome second = MustSubmit(Spec("c2").PersonKey("pk-c"));
  EXPECT_FALSE(second.referral.linked_to_existing_episode());
  EXPECT_EQ(second.referral.episode(), "episodes/e-c2");
  absl::StatusOr<std::vector<LinkWorkerCounts>> loads = store_->LinkWorkerLoads(2025);
  ASSERT_TRUE(loads.ok());
  ASSERT_EQ(loads->size(), 1u);
  EXPECT_EQ((*loads)[0].accepted_this_year, 1);  // closed still counts for the year
  EXPECT_EQ((*loads)[0].open_caseload, 0);
  EXPECT_EQ((*loads)[0].waiting, 1);  // c2
}

TEST_P(StoreConformanceTest, DirectoryVersionsAreRecordedOnceNewestFirst) {
  ASSERT_TRUE(store_->RecordDirectoryVersion({"v1", kT0, "first"}).ok());
  ASSERT_TRUE(store_->RecordDirectoryVersion({"v2", kT0 + absl::Hours(1), "second"}).ok());
  ASSERT_TRUE(store_->RecordDirectoryVersion({"v1", kT0 + absl::Hours(2), "again"}).ok());
  EXPECT_EQ(store_->RecordDirectoryVersion({"", kT0, ""}).code(),
            absl::StatusCode::kInvalidArgument);
  absl::StatusOr<std::vector<DirectoryVersion>> versions = store_->ListDirectoryVersions();
  ASSERT_TRUE(versions.ok()) << versions.status();
  ASSERT_EQ(versions->size(), 2u);
  EXPECT_EQ((*versions)[0].version, "v2");
  EXPECT_EQ((*versions)[1].version, "v1");
  EXPECT_EQ((*versions)[1].description, "first");  // the first record is kept
  EXPECT_EQ((*versions)[1].loaded_time, kT0);
}

TEST_P(StoreConformanceTest, ClaimHoldsAnItemForOneClaimant) {
  const std::string lw = "pcns/U12345/linkWorkers/lw-1";
  SubmitOutcome out = MustSubmit(Spec("c1").Queue(lw));
  absl::StatusOr<sprout::v1::QueueItem> claimed =
      store_->ClaimQueueItem(ClaimOf(out, "alice", kT0));
  ASSERT_TRUE(claimed.ok()) << claimed.status();
  EXPECT_EQ(claimed->state(), sprout::v1::QUEUE_ITEM_STATE_CLAIMED);
  EXPECT_EQ(claimed->claimed_by(), "alice");
  EXPECT_EQ(claimed->lease_expire_time().seconds(), absl::ToUnixSeconds(kT0 + absl::Minutes(15)));
  EXPECT_GT(claimed->sequence(), out.queue_sequence);
  EXPECT_FALSE(claimed->etag().empty());

  // Someone else is refused while the lease lives; the holder may extend it.
  absl::StatusOr<sprout::v1::QueueItem> other =
      store_->ClaimQueueItem(ClaimOf(out, "bob", kT0 + absl::Minutes(1)));
  EXPECT_EQ(other.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(other.status().message(), HasSubstr("claimed by someone else"));
  absl::StatusOr<sprout::v1::QueueItem> extended =
      store_->ClaimQueueItem(ClaimOf(out, "alice", kT0 + absl::Minutes(10)));
  ASSERT_TRUE(extended.ok()) << extended.status();
  EXPECT_GT(extended->sequence(), claimed->sequence());
  EXPECT_NE(extended->etag(), claimed->etag());

  // Watchers resuming after the submission see the item once, as it is now.
  absl::StatusOr<std::vector<sprout::v1::QueueItem>> after = store_->QueueItemsAfter(lw, 0, 10);
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->size(), 1u);
  EXPECT_EQ((*after)[0].claimed_by(), "alice");
  // A claimed item is still listed on its queue, as claimed, but no longer
  // counts as waiting.
  absl::StatusOr<Page<sprout::v1::QueueItem>> listed = store_->ListQueueItems(lw, 10, "");
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->items.size(), 1u);
  EXPECT_EQ(listed->items[0].state(), sprout::v1::QUEUE_ITEM_STATE_CLAIMED);
  EXPECT_EQ(listed->items[0].claimed_by(), "alice");
  absl::StatusOr<std::vector<LinkWorkerCounts>> loads = store_->LinkWorkerLoads(2025);
  ASSERT_TRUE(loads.ok());
  ASSERT_EQ(loads->size(), 1u);
  EXPECT_EQ((*loads)[0].waiting, 0);

  absl::StatusOr<AuditVerification> v = store_->VerifyAuditChain();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->intact()) << v->message;
  EXPECT_EQ(v->records_checked, 3);  // the submission and two granted claims
}

TEST_P(StoreConformanceTest, ALapsedLeaseCanBeClaimedByAnother) {
  SubmitOutcome out = MustSubmit(Spec("c2"));
  ASSERT_TRUE(store_->ClaimQueueItem(ClaimOf(out, "alice", kT0, absl::Minutes(5))).ok());
  absl::StatusOr<sprout::v1::QueueItem> taken =
      store_->ClaimQueueItem(ClaimOf(out, "bob", kT0 + absl::Minutes(5)));
  ASSERT_TRUE(taken.ok()) << taken.status();
  EXPECT_EQ(taken->claimed_by(), "bob");
}

TEST_P(StoreConformanceTest, ClaimRefusesWhatCannotBeClaimed) {
  EXPECT_EQ(store_->ClaimQueueItem(ClaimOf(MustSubmit(Spec("c3")), "", kT0)).status().code(),
            absl::StatusCode::kInvalidArgument);
  QueueClaim missing = ClaimOf(MustSubmit(Spec("c4")), "alice", kT0);
  missing.queue_item_id = "q-nobody";
  EXPECT_EQ(store_->ClaimQueueItem(missing).status().code(), absl::StatusCode::kNotFound);
  QueueClaim backwards = ClaimOf(MustSubmit(Spec("c5")), "alice", kT0);
  backwards.lease_expire_time = kT0 - absl::Seconds(1);
  EXPECT_EQ(store_->ClaimQueueItem(backwards).status().code(), absl::StatusCode::kInvalidArgument);

  QueueClaim elsewhere = ClaimOf(MustSubmit(Spec("c7")), "alice", kT0);
  elsewhere.required_pcn = "U99999";
  EXPECT_EQ(store_->ClaimQueueItem(elsewhere).status().code(), absl::StatusCode::kPermissionDenied);
  elsewhere.required_pcn = "U12345";
  EXPECT_TRUE(store_->ClaimQueueItem(elsewhere).ok());

  const std::string lw = "pcns/U12345/linkWorkers/lw-1";
  SubmitOutcome done = MustSubmit(Spec("c6").Queue(lw));
  ASSERT_TRUE(store_->UpdateReferral(AcceptUpdate(done, "", "e2")).ok());
  absl::StatusOr<sprout::v1::QueueItem> late = store_->ClaimQueueItem(ClaimOf(done, "alice", kT0));
  EXPECT_EQ(late.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(late.status().message(), HasSubstr("already been acted on"));
}

TEST_P(StoreConformanceTest, ConcurrentClaimsGrantOneItemOnce) {
  constexpr int kItems = 20;
  constexpr int kClaimants = 4;
  std::vector<SubmitOutcome> outs;
  for (int i = 0; i < kItems; ++i) outs.push_back(MustSubmit(Spec(absl::StrCat("cc", i))));
  std::vector<std::vector<int>> granted(kClaimants);
  std::vector<std::thread> threads;
  for (int c = 0; c < kClaimants; ++c) {
    threads.emplace_back([&, c] {
      for (int i = 0; i < kItems; ++i) {
        if (store_->ClaimQueueItem(ClaimOf(outs[i], absl::StrCat("worker-", c), kT0)).ok()) {
          granted[c].push_back(i);
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  std::multiset<int> all;
  for (const auto& g : granted) all.insert(g.begin(), g.end());
  EXPECT_EQ(all.size(), static_cast<size_t>(kItems));
  for (int i = 0; i < kItems; ++i) EXPECT_EQ(all.count(i), 1u) << "item " << i;
}

TEST_P(StoreConformanceTest, SubscribersAreWokenByQueueChanges) {
  std::atomic<int> wakes{0};
  std::unique_ptr<QueueSubscription> sub =
      store_->SubscribeQueueChanges([&wakes] { wakes.fetch_add(1); });
  SubmitOutcome out = MustSubmit(Spec("w1"));
  // Remote backends deliver the wake asynchronously.
  for (int i = 0; i < 500 && wakes.load() == 0; ++i) absl::SleepFor(absl::Milliseconds(10));
  EXPECT_GE(wakes.load(), 1);
  const int after_submit = wakes.load();
  ASSERT_TRUE(store_->ClaimQueueItem(ClaimOf(out, "alice", kT0)).ok());
  for (int i = 0; i < 500 && wakes.load() == after_submit; ++i) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_GT(wakes.load(), after_submit);

  // A dropped subscription is never called again. Every subscriber is woken
  // by the same change, so once a subscriber still held has seen w2's wake,
  // the dropped one would have seen it too.
  sub.reset();
  const int before_drop = wakes.load();
  std::atomic<int> held_wakes{0};
  std::unique_ptr<QueueSubscription> held =
      store_->SubscribeQueueChanges([&held_wakes] { held_wakes.fetch_add(1); });
  MustSubmit(Spec("w2"));
  for (int i = 0; i < 500 && held_wakes.load() == 0; ++i) absl::SleepFor(absl::Milliseconds(10));
  ASSERT_GE(held_wakes.load(), 1);
  EXPECT_EQ(wakes.load(), before_drop);
}

TEST_P(StoreConformanceTest, UnfinishedQueueItemsAreThoseStillOnAQueueEnqueuedLongEnoughAgo) {
  const std::string lw = "pcns/U12345/linkWorkers/lw-1";
  SubmitOutcome old_waiting = MustSubmit(Spec("o1").Queue(lw).Time(kT0));
  SubmitOutcome old_claimed = MustSubmit(Spec("o2").Queue(lw).Time(kT0 + absl::Minutes(1)));
  SubmitOutcome old_done = MustSubmit(Spec("o3").Queue(lw).Time(kT0 + absl::Minutes(2)));
  SubmitOutcome recent = MustSubmit(Spec("o4").Queue(lw).Time(kT0 + absl::Hours(48)));
  ASSERT_TRUE(store_->ClaimQueueItem(ClaimOf(old_claimed, "alice", kT0 + absl::Hours(1))).ok());
  ASSERT_TRUE(store_->UpdateReferral(AcceptUpdate(old_done, "", "e2")).ok());

  absl::StatusOr<std::vector<sprout::v1::QueueItem>> items =
      store_->UnfinishedQueueItems(kT0 + absl::Hours(24), 0, 10);
  ASSERT_TRUE(items.ok()) << items.status();
  ASSERT_EQ(items->size(), 2u);
  EXPECT_EQ((*items)[0].referral(), old_waiting.referral.name());
  EXPECT_EQ((*items)[1].referral(), old_claimed.referral.name());
  EXPECT_EQ((*items)[1].state(), sprout::v1::QUEUE_ITEM_STATE_CLAIMED);

  // In sequence order (of their last change), resumable, bounded.
  absl::StatusOr<std::vector<sprout::v1::QueueItem>> rest =
      store_->UnfinishedQueueItems(kT0 + absl::Hours(24), (*items)[0].sequence(), 1);
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->size(), 1u);
  EXPECT_EQ((*rest)[0].referral(), old_claimed.referral.name());
  absl::StatusOr<std::vector<sprout::v1::QueueItem>> all =
      store_->UnfinishedQueueItems(kT0 + absl::Hours(48), 0, 10);
  ASSERT_TRUE(all.ok());
  std::set<std::string> referrals;
  for (const sprout::v1::QueueItem& item : *all) referrals.insert(item.referral());
  EXPECT_EQ(referrals,
            (std::set<std::string>{old_waiting.referral.name(), old_claimed.referral.name(),
                                   recent.referral.name()}));
}

}  // namespace sprout::store::testing
