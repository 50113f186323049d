// The Store conformance suite, part one (see store_conformance.h):
// submissions, replays, episodes and every read. Part two
// (store_conformance_lifecycle.cc) covers updates, claims and wake-ups.
#include "tests/server/store/store_conformance.h"

#include <atomic>
#include <set>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"

namespace sprout::store::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const absl::Time kT0 = absl::FromUnixSeconds(1767225600);  // 2026-01-01T00:00:00Z

std::vector<std::string> Names(const std::vector<sprout::v1::Referral>& items) {
  std::vector<std::string> out;
  for (const auto& r : items) out.push_back(r.name());
  return out;
}

std::vector<std::string> Referrals(const std::vector<sprout::v1::QueueItem>& items) {
  std::vector<std::string> out;
  for (const auto& q : items) out.push_back(q.referral());
  return out;
}

std::vector<std::string> Decisions(const std::vector<sprout::v1::RoutingDecision>& items) {
  std::vector<std::string> out;
  for (const auto& d : items) out.push_back(d.name());
  return out;
}

// A query with one filter set.
template <typename T, typename V>
RoutingLogQuery Where(T RoutingLogQuery::*field, V value) {
  RoutingLogQuery q;
  q.*field = value;
  return q;
}

}  // namespace

void StoreConformanceTest::SetUp() {
  if (!GetParam().skip_reason.empty()) GTEST_SKIP() << GetParam().skip_reason;
  absl::StatusOr<std::unique_ptr<Store>> store = GetParam().open(dir_.path(), cipher_);
  ASSERT_TRUE(store.ok()) << store.status();
  store_ = std::move(*store);
}

void StoreConformanceTest::TearDown() {
  if (store_ != nullptr) store_->Shutdown();
}

SubmitOutcome StoreConformanceTest::MustSubmit(const SubmissionSpec& spec) {
  absl::StatusOr<SubmitOutcome> outcome = store_->Submit(MakeSubmission(spec));
  EXPECT_TRUE(outcome.ok()) << outcome.status();
  return outcome.ok() ? *outcome : SubmitOutcome{};
}

TEST_P(StoreConformanceTest, SubmittedReferralCanBeReadBack) {
  SubmitOutcome out = MustSubmit(Spec("r1"));
  EXPECT_FALSE(out.replayed);
  EXPECT_EQ(out.referral.name(), "referrals/r1");

  absl::StatusOr<sprout::v1::Referral> got = store_->GetReferral("r1");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->name(), "referrals/r1");
  EXPECT_EQ(got->state(), sprout::v1::REFERRAL_STATE_QUEUED);
  EXPECT_EQ(got->coded_reasons(0).concept().code(), "267076002");
  EXPECT_EQ(got->episode(), "episodes/e-r1");
}

TEST_P(StoreConformanceTest, UnknownReferralIsNotFound) {
  EXPECT_EQ(store_->GetReferral("nope").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->GetRoutingDecision("nope").status().code(), absl::StatusCode::kNotFound);
}

TEST_P(StoreConformanceTest, MalformedResourceNameIsInvalidArgument) {
  Submission s = MakeSubmission(Spec("bad"));
  s.referral.set_name("bad");
  EXPECT_EQ(store_->Submit(std::move(s)).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->GetReferral("bad").status().code(), absl::StatusCode::kNotFound);
}

TEST_P(StoreConformanceTest, ListReferralsIsNewestFirstAndScopedToTheOrganisation) {
  MustSubmit(Spec("old").Time(kT0));
  MustSubmit(Spec("new").Time(kT0 + absl::Minutes(5)));
  MustSubmit(Spec("mid").Time(kT0 + absl::Minutes(1)));
  MustSubmit(Spec("other").Organisation("B82002").Time(kT0 + absl::Minutes(2)));

  absl::StatusOr<Page<sprout::v1::Referral>> page = store_->ListReferrals("A81001", 10, "");
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_THAT(Names(page->items), ElementsAre("referrals/new", "referrals/mid", "referrals/old"));
  EXPECT_TRUE(page->next_page_token.empty());
}

TEST_P(StoreConformanceTest, ListReferralsWithoutAnOrganisationListsEveryOne) {
  MustSubmit(Spec("a").Time(kT0));
  MustSubmit(Spec("b").Organisation("B82002").Time(kT0 + absl::Minutes(1)));
  absl::StatusOr<Page<sprout::v1::Referral>> page = store_->ListReferrals("", 10, "");
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_THAT(Names(page->items), ElementsAre("referrals/b", "referrals/a"));
}

TEST_P(StoreConformanceTest, ListReferralsPagesWithoutGapsOrRepeats) {
  // Equal create times exercise the tie-breaker.
  for (int i = 0; i < 7; ++i) MustSubmit(Spec(absl::StrCat("p", i)).Time(kT0));
  std::set<std::string> seen;
  std::string token;
  int pages = 0;
  do {
    absl::StatusOr<Page<sprout::v1::Referral>> page = store_->ListReferrals("A81001", 3, token);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const auto& r : page->items) EXPECT_TRUE(seen.insert(r.name()).second) << r.name();
    token = page->next_page_token;
    ++pages;
  } while (!token.empty() && pages < 10);
  EXPECT_EQ(seen.size(), 7u);
  EXPECT_EQ(pages, 3);
}

TEST_P(StoreConformanceTest, BadPageTokenIsInvalidArgument) {
  MustSubmit(Spec("r1"));
  EXPECT_EQ(store_->ListReferrals("A81001", 10, "not-a-token").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->ListQueueItems("pcns/U12345", 10, "%%%").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->QueryRoutingLog({}, 10, "garbage").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(StoreConformanceTest, PageTokenFromAnotherQueryIsRefused) {
  for (int i = 0; i < 3; ++i) MustSubmit(Spec(absl::StrCat("p", i)));
  absl::StatusOr<Page<sprout::v1::Referral>> page = store_->ListReferrals("A81001", 1, "");
  ASSERT_TRUE(page.ok());
  ASSERT_FALSE(page->next_page_token.empty());
  EXPECT_EQ(store_->ListReferrals("B82002", 1, page->next_page_token).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(StoreConformanceTest, QueueListsUrgentFirstThenBySequence) {
  MustSubmit(Spec("routine1"));
  MustSubmit(Spec("urgent1").Priority(2));
  MustSubmit(Spec("routine2"));
  MustSubmit(Spec("urgent2").Priority(2));

  absl::StatusOr<Page<sprout::v1::QueueItem>> page =
      store_->ListQueueItems("pcns/U12345/linkWorkers/lw-1", 10, "");
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_THAT(Referrals(page->items), ElementsAre("referrals/urgent1", "referrals/urgent2",
                                                  "referrals/routine1", "referrals/routine2"));
}

TEST_P(StoreConformanceTest, QueuePagingKeepsUrgentFirstOrder) {
  MustSubmit(Spec("routine1"));
  MustSubmit(Spec("urgent1").Priority(2));
  MustSubmit(Spec("routine2"));
  std::vector<std::string> all;
  std::string token;
  do {
    absl::StatusOr<Page<sprout::v1::QueueItem>> page =
        store_->ListQueueItems("pcns/U12345/linkWorkers/lw-1", 1, token);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const auto& name : Referrals(page->items)) all.push_back(name);
    token = page->next_page_token;
  } while (!token.empty() && all.size() < 10);
  EXPECT_THAT(all, ElementsAre("referrals/urgent1", "referrals/routine1", "referrals/routine2"));
}

TEST_P(StoreConformanceTest, PcnQueueIncludesItsLinkWorkersQueues) {
  MustSubmit(Spec("lw1").Queue("pcns/U12345/linkWorkers/lw-1"));
  MustSubmit(Spec("pool").Queue("pcns/U12345"));
  MustSubmit(Spec("lw2").Queue("pcns/U12345/linkWorkers/lw-2"));
  MustSubmit(Spec("elsewhere").Queue("pcns/U99999"));
  MustSubmit(Spec("triage").Queue("triageQueues/15F"));

  absl::StatusOr<Page<sprout::v1::QueueItem>> pcn = store_->ListQueueItems("pcns/U12345", 10, "");
  ASSERT_TRUE(pcn.ok()) << pcn.status();
  EXPECT_THAT(Referrals(pcn->items),
              ElementsAre("referrals/lw1", "referrals/pool", "referrals/lw2"));

  absl::StatusOr<Page<sprout::v1::QueueItem>> lw =
      store_->ListQueueItems("pcns/U12345/linkWorkers/lw-2", 10, "");
  ASSERT_TRUE(lw.ok());
  EXPECT_THAT(Referrals(lw->items), ElementsAre("referrals/lw2"));

  absl::StatusOr<Page<sprout::v1::QueueItem>> triage =
      store_->ListQueueItems("triageQueues/15F", 10, "");
  ASSERT_TRUE(triage.ok());
  EXPECT_THAT(Referrals(triage->items), ElementsAre("referrals/triage"));
}

TEST_P(StoreConformanceTest, QueueSequenceIsMonotonicInCommitOrder) {
  int64_t last = 0;
  for (int i = 0; i < 5; ++i) {
    SubmitOutcome out = MustSubmit(Spec(absl::StrCat("s", i)));
    EXPECT_GT(out.queue_sequence, last);
    last = out.queue_sequence;
  }
  absl::StatusOr<std::vector<sprout::v1::QueueItem>> items =
      store_->QueueItemsAfter("pcns/U12345/linkWorkers/lw-1", 0, 100);
  ASSERT_TRUE(items.ok()) << items.status();
  ASSERT_EQ(items->size(), 5u);
  for (size_t i = 1; i < items->size(); ++i) {
    EXPECT_LT((*items)[i - 1].sequence(), (*items)[i].sequence());
  }
  EXPECT_EQ(items->back().sequence(), last);
}

TEST_P(StoreConformanceTest, QueueItemsAfterResumesFromASequence) {
  SubmitOutcome a = MustSubmit(Spec("a"));
  MustSubmit(Spec("b").Queue("pcns/U12345"));
  MustSubmit(Spec("c"));
  absl::StatusOr<std::vector<sprout::v1::QueueItem>> after =
      store_->QueueItemsAfter("pcns/U12345", a.queue_sequence, 100);
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_THAT(Referrals(*after), ElementsAre("referrals/b", "referrals/c"));
  absl::StatusOr<std::vector<sprout::v1::QueueItem>> limited =
      store_->QueueItemsAfter("pcns/U12345", 0, 1);
  ASSERT_TRUE(limited.ok());
  EXPECT_THAT(Referrals(*limited), ElementsAre("referrals/a"));
}

TEST_P(StoreConformanceTest, ConcurrentSubmissionsGetDistinctIncreasingSequences) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 25;
  std::vector<std::thread> threads;
  std::vector<std::vector<int64_t>> seqs(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        absl::StatusOr<SubmitOutcome> out =
            store_->Submit(MakeSubmission(Spec(absl::StrCat("t", t, "-", i))));
        if (out.ok()) seqs[t].push_back(out->queue_sequence);
      }
    });
  }
  for (auto& th : threads) th.join();
  std::set<int64_t> all;
  for (const auto& v : seqs) {
    ASSERT_EQ(v.size(), static_cast<size_t>(kPerThread));
    for (size_t i = 1; i < v.size(); ++i) EXPECT_LT(v[i - 1], v[i]);  // per caller order
    all.insert(v.begin(), v.end());
  }
  EXPECT_EQ(all.size(), static_cast<size_t>(kThreads * kPerThread));
}

TEST_P(StoreConformanceTest, AcknowledgedReferralIsReadableAtOnceFromAnyThread) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 20;
  std::atomic<int> missing{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string id = absl::StrCat("ryw", t, "-", i);
        if (!store_->Submit(MakeSubmission(Spec(id))).ok()) {
          missing.fetch_add(1);
          continue;
        }
        if (!store_->GetReferral(id).ok()) missing.fetch_add(1);
        absl::StatusOr<std::vector<sprout::v1::QueueItem>> items =
            store_->QueueItemsAfter("pcns/U12345/linkWorkers/lw-1", 0, 1000);
        if (!items.ok() || items->empty()) missing.fetch_add(1);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(missing.load(), 0);
}

TEST_P(StoreConformanceTest, RetryWithSameRequestReplaysTheFirstReferral) {
  SubmitOutcome first = MustSubmit(Spec("r1"));
  Submission retry = MakeSubmission(Spec("r1"));
  absl::StatusOr<SubmitOutcome> again = store_->Submit(std::move(retry));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(again->referral.name(), "referrals/r1");
  EXPECT_EQ(again->queue_sequence, first.queue_sequence);

  absl::StatusOr<Page<sprout::v1::Referral>> page = store_->ListReferrals("A81001", 10, "");
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->items.size(), 1u);  // never a duplicate
}

TEST_P(StoreConformanceTest, SameRequestIdWithDifferentContentIsAlreadyExists) {
  MustSubmit(Spec("r1"));
  // Same request_id ("req-r1"), different request hash and ids.
  Submission other = MakeSubmission(Spec("r1").RequestHash("different"));
  other.referral.set_name("referrals/r2");
  absl::StatusOr<SubmitOutcome> out = store_->Submit(std::move(other));
  EXPECT_EQ(out.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(out.status().message(), HasSubstr("req-r1"));
  EXPECT_EQ(store_->GetReferral("r2").status().code(), absl::StatusCode::kNotFound);
}

TEST_P(StoreConformanceTest, RequestIdsBelongToTheirOrganisation) {
  MustSubmit(Spec("r1"));  // request_id "req-r1" from A81001
  // Another organisation's same request_id, with other content: its own
  // referral, not a replay of A81001's and not ALREADY_EXISTS.
  Submission other = MakeSubmission(Spec("r2").Organisation("Y99005").RequestHash("different"));
  other.request_id = "req-r1";
  absl::StatusOr<SubmitOutcome> out = store_->Submit(std::move(other));
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_FALSE(out->replayed);
  EXPECT_EQ(out->referral.name(), "referrals/r2");
  // Each organisation's retry still replays its own.
  Submission retry = MakeSubmission(Spec("r2").Organisation("Y99005").RequestHash("different"));
  retry.request_id = "req-r1";
  absl::StatusOr<SubmitOutcome> again = store_->Submit(std::move(retry));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(again->referral.name(), "referrals/r2");
}

TEST_P(StoreConformanceTest, DuplicateInSameBatchIsReplayedNotDuplicated) {
  std::vector<absl::StatusOr<SubmitOutcome>> results(2, absl::UnknownError("pending"));
  absl::Notification both;
  std::atomic<int> remaining{2};
  for (int i = 0; i < 2; ++i) {
    store_->SubmitAsync(MakeSubmission(Spec("dup")), [&, i](absl::StatusOr<SubmitOutcome> r) {
      results[i] = std::move(r);
      if (--remaining == 0) both.Notify();
    });
  }
  both.WaitForNotification();
  ASSERT_TRUE(results[0].ok()) << results[0].status();
  ASSERT_TRUE(results[1].ok()) << results[1].status();
  EXPECT_NE(results[0]->replayed, results[1]->replayed);
  EXPECT_EQ(results[0]->queue_sequence, results[1]->queue_sequence);
}

TEST_P(StoreConformanceTest, SecondReferralForAPersonJoinsTheOpenEpisode) {
  SubmitOutcome first = MustSubmit(Spec("r1").PersonKey("pk-1"));
  EXPECT_FALSE(first.referral.linked_to_existing_episode());
  EXPECT_EQ(first.referral.episode(), "episodes/e-r1");

  absl::StatusOr<std::optional<OpenEpisode>> open = store_->FindOpenEpisode("pk-1");
  ASSERT_TRUE(open.ok()) << open.status();
  ASSERT_TRUE(open->has_value());
  EXPECT_EQ((*open)->episode_id, "e-r1");
  EXPECT_EQ((*open)->pcn_code, "U12345");
  EXPECT_EQ((*open)->link_worker, "pcns/U12345/linkWorkers/lw-1");

  SubmitOutcome second = MustSubmit(Spec("r2").PersonKey("pk-1"));
  EXPECT_TRUE(second.referral.linked_to_existing_episode());
  EXPECT_EQ(second.referral.episode(), "episodes/e-r1");
  absl::StatusOr<sprout::v1::Referral> stored = store_->GetReferral("r2");
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->episode(), "episodes/e-r1");
  EXPECT_TRUE(stored->linked_to_existing_episode());

  SubmitOutcome stranger = MustSubmit(Spec("r3").PersonKey("pk-2"));
  EXPECT_FALSE(stranger.referral.linked_to_existing_episode());
  EXPECT_EQ(store_->FindOpenEpisode("pk-none")->has_value(), false);
}

TEST_P(StoreConformanceTest, RoutingDecisionIsStoredWithTheReferral) {
  MustSubmit(Spec("r1").Rule("loneliness-first"));
  absl::StatusOr<sprout::v1::RoutingDecision> d = store_->GetRoutingDecision("d-r1");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->referral(), "referrals/r1");
  EXPECT_EQ(d->route().rule(), "loneliness-first");
}

TEST_P(StoreConformanceTest, RoutingLogFiltersByEachField) {
  MustSubmit(Spec("a").Time(kT0).Reasons({kFeelingLonely}).Rule("r-lonely"));
  MustSubmit(Spec("b")
                 .Queue("triageQueues/15F")
                 .Time(kT0 + absl::Hours(1))
                 .Reasons({kHousingProblems})
                 .SourceType(3)
                 .Outcome(3)
                 .PracticeCode("B82002"));
  MustSubmit(Spec("c")
                 .Time(kT0 + absl::Hours(2))
                 .Reasons({kSocialIsolation, kHousingProblems})
                 .Outcome(2));

  auto query = [&](const RoutingLogQuery& q) {
    absl::StatusOr<Page<sprout::v1::RoutingDecision>> page = store_->QueryRoutingLog(q, 10, "");
    EXPECT_TRUE(page.ok()) << page.status();
    return page.ok() ? Decisions(page->items) : std::vector<std::string>{};
  };
  EXPECT_THAT(query({}),
              ElementsAre("routingDecisions/d-c", "routingDecisions/d-b", "routingDecisions/d-a"));
  EXPECT_THAT(query(Where(&RoutingLogQuery::practice_code, "B82002")),
              ElementsAre("routingDecisions/d-b"));
  EXPECT_THAT(query(Where(&RoutingLogQuery::source_type, 3)), ElementsAre("routingDecisions/d-b"));
  EXPECT_THAT(query(Where(&RoutingLogQuery::outcome, 2)), ElementsAre("routingDecisions/d-c"));
  EXPECT_THAT(query(Where(&RoutingLogQuery::rule, "r-lonely")),
              ElementsAre("routingDecisions/d-a"));
  EXPECT_THAT(query(Where(&RoutingLogQuery::pcn_code, "U12345")),
              ElementsAre("routingDecisions/d-c", "routingDecisions/d-b", "routingDecisions/d-a"));
  EXPECT_THAT(query(Where(&RoutingLogQuery::pcn_code, "U99999")), ElementsAre());
}

TEST_P(StoreConformanceTest, RoutingLogFiltersByAnyReasonInASet) {
  MustSubmit(Spec("a").Time(kT0).Reasons({kFeelingLonely}));
  MustSubmit(Spec("b").Time(kT0 + absl::Hours(1)).Reasons({kHousingProblems}));
  MustSubmit(Spec("c").Time(kT0 + absl::Hours(2)).Reasons({kSocialIsolation, kHousingProblems}));
  auto query = [&](std::vector<uint64_t> reasons) {
    RoutingLogQuery q;
    q.reason_any_of = std::move(reasons);
    absl::StatusOr<Page<sprout::v1::RoutingDecision>> page = store_->QueryRoutingLog(q, 10, "");
    EXPECT_TRUE(page.ok()) << page.status();
    return page.ok() ? Decisions(page->items) : std::vector<std::string>{};
  };
  EXPECT_THAT(query({kHousingProblems}),
              ElementsAre("routingDecisions/d-c", "routingDecisions/d-b"));
  EXPECT_THAT(query({kFeelingLonely, kSocialIsolation}),
              ElementsAre("routingDecisions/d-c", "routingDecisions/d-a"));
  EXPECT_THAT(query({105529008}), ElementsAre());  // Lives alone: nobody
}

TEST_P(StoreConformanceTest, RoutingLogTimeRangeIsInclusiveExclusive) {
  for (int i = 0; i < 4; ++i) {
    MustSubmit(Spec(absl::StrCat("h", i)).Time(kT0 + absl::Hours(i)));
  }
  RoutingLogQuery q;
  q.decided_after = kT0 + absl::Hours(1);
  q.decided_before = kT0 + absl::Hours(3);
  absl::StatusOr<Page<sprout::v1::RoutingDecision>> page = store_->QueryRoutingLog(q, 10, "");
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_THAT(Decisions(page->items),
              ElementsAre("routingDecisions/d-h2", "routingDecisions/d-h1"));
}

TEST_P(StoreConformanceTest, RoutingLogPagesThroughAFilteredQuery) {
  for (int i = 0; i < 5; ++i) {
    MustSubmit(Spec(absl::StrCat("x", i))
                   .Time(kT0 + absl::Minutes(i))
                   .Reasons({i % 2 == 0 ? kFeelingLonely : kHousingProblems}));
  }
  RoutingLogQuery q;
  q.reason_any_of = {kFeelingLonely};
  std::vector<std::string> all;
  std::string token;
  do {
    absl::StatusOr<Page<sprout::v1::RoutingDecision>> page = store_->QueryRoutingLog(q, 2, token);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const auto& n : Decisions(page->items)) all.push_back(n);
    token = page->next_page_token;
  } while (!token.empty() && all.size() < 10);
  EXPECT_THAT(
      all, ElementsAre("routingDecisions/d-x4", "routingDecisions/d-x2", "routingDecisions/d-x0"));
  // The token belongs to the filtered query only.
  absl::StatusOr<Page<sprout::v1::RoutingDecision>> first = store_->QueryRoutingLog(q, 1, "");
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(store_->QueryRoutingLog({}, 1, first->next_page_token).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(StoreConformanceTest, LinkWorkerLoadsCountAcceptedOpenAndWaiting) {
  const std::string lw1 = "pcns/U12345/linkWorkers/lw-1";
  const std::string lw2 = "pcns/U12345/linkWorkers/lw-2";
  MustSubmit(Spec("w1").Queue(lw1));             // waiting
  MustSubmit(Spec("w2").Queue(lw1));             // waiting
  MustSubmit(Spec("acc").Queue(lw2).State(3));   // accepted this year
  MustSubmit(Spec("prog").Queue(lw2).State(6));  // in progress this year
  MustSubmit(Spec("closed").Queue(lw2).State(7));
  // 2025-01-01: financial year 2024, not counted in 2025 (April 2025 to March 2026).
  MustSubmit(Spec("last-year").Queue(lw2).State(7).Time(kT0 - absl::Hours(24 * 365)));
  MustSubmit(Spec("pool").Queue("pcns/U12345"));  // no link worker

  absl::StatusOr<std::vector<LinkWorkerCounts>> loads = store_->LinkWorkerLoads(2025);
  ASSERT_TRUE(loads.ok()) << loads.status();
  ASSERT_EQ(loads->size(), 2u);
  const LinkWorkerCounts& a = (*loads)[0];
  const LinkWorkerCounts& b = (*loads)[1];
  EXPECT_EQ(a.link_worker, lw1);
  EXPECT_EQ(a.waiting, 2);
  EXPECT_EQ(a.accepted_this_year, 0);
  EXPECT_EQ(a.open_caseload, 0);
  EXPECT_EQ(b.link_worker, lw2);
  EXPECT_EQ(b.accepted_this_year, 3);  // accepted, in progress, closed (this year only)
  EXPECT_EQ(b.open_caseload, 2);       // accepted, in progress
}

// Routing reads the counters for every referral, so a backend may keep them
// in memory; each commit must still show in the next read, as here between
// every submission, and a year not yet read must not be answered from
// another year's counters.
TEST_P(StoreConformanceTest, LinkWorkerLoadsShowEachCommitInTheNextRead) {
  const std::string lw = "pcns/U12345/linkWorkers/lw-1";
  for (int i = 1; i <= 3; ++i) {
    MustSubmit(Spec(absl::StrCat("w", i)).Queue(lw));
    absl::StatusOr<std::vector<LinkWorkerCounts>> loads = store_->LinkWorkerLoads(2025);
    ASSERT_TRUE(loads.ok()) << loads.status();
    ASSERT_EQ(loads->size(), 1u);
    EXPECT_EQ((*loads)[0].waiting, i);
    EXPECT_EQ((*loads)[0].accepted_this_year, 0);
  }
  MustSubmit(Spec("acc").Queue(lw).State(3));
  absl::StatusOr<std::vector<LinkWorkerCounts>> this_year = store_->LinkWorkerLoads(2025);
  ASSERT_TRUE(this_year.ok()) << this_year.status();
  EXPECT_EQ((*this_year)[0].accepted_this_year, 1);
  EXPECT_EQ((*this_year)[0].open_caseload, 1);
  absl::StatusOr<std::vector<LinkWorkerCounts>> next_year = store_->LinkWorkerLoads(2026);
  ASSERT_TRUE(next_year.ok()) << next_year.status();
  EXPECT_EQ((*next_year)[0].accepted_this_year, 0);
  EXPECT_EQ((*next_year)[0].open_caseload, 1);
}

TEST_P(StoreConformanceTest, AuditChainCoversSubmissionsAndAppends) {
  MustSubmit(Spec("r1"));
  ASSERT_TRUE(store_->AppendAudit(MakeAudit("GetReferral", "referrals/r1", kT0)).ok());
  MustSubmit(Spec("r1"));  // a replay is audited too
  Submission clash = MakeSubmission(Spec("r1").RequestHash("other"));
  EXPECT_FALSE(store_->Submit(std::move(clash)).ok());  // so is a refusal

  absl::StatusOr<AuditVerification> v = store_->VerifyAuditChain();
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_TRUE(v->intact()) << v->message;
  EXPECT_EQ(v->records_checked, 4);
}

// An update that accepts `out`'s referral and marks its queue item done.
TEST_P(StoreConformanceTest, EmptyAuditChainIsIntact) {
  absl::StatusOr<AuditVerification> v = store_->VerifyAuditChain();
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_TRUE(v->intact());
  EXPECT_EQ(v->records_checked, 0);
}

TEST_P(StoreConformanceTest, FailedSubmissionLeavesNoTrace) {
  MustSubmit(Spec("r1"));
  // Same referral id, new request: the referral insert fails, and nothing of
  // the second submission (decision, queue item, audit) may remain.
  Submission s = MakeSubmission(Spec("r1"));
  s.request_id = "req-new";
  s.decision.set_name("routingDecisions/d-new");
  s.queue_item.set_name("queueItems/q-new");
  s.referral.set_episode("episodes/e-new");
  EXPECT_EQ(store_->Submit(std::move(s)).status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->GetRoutingDecision("d-new").status().code(), absl::StatusCode::kNotFound);
  absl::StatusOr<std::vector<sprout::v1::QueueItem>> items =
      store_->QueueItemsAfter("pcns/U12345", 0, 100);
  ASSERT_TRUE(items.ok());
  EXPECT_EQ(items->size(), 1u);
  absl::StatusOr<AuditVerification> v = store_->VerifyAuditChain();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->intact()) << v->message;
  EXPECT_EQ(v->records_checked, 1);
  // And the next submission still gets a sequence and chains correctly.
  MustSubmit(Spec("r2"));
  v = store_->VerifyAuditChain();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->intact()) << v->message;
  EXPECT_EQ(v->records_checked, 2);
}

TEST_P(StoreConformanceTest, CountsRoutingDecisionsBySourceReasonAndPcn) {
  MustSubmit(Spec("n1").SourceType(1).Reasons({kFeelingLonely}));
  MustSubmit(Spec("n2").SourceType(3).Reasons({kFeelingLonely, 1000001u}));
  MustSubmit(Spec("n3").SourceType(3).Reasons({1000001u}).Time(kT0 + absl::Hours(2)));
  absl::StatusOr<RoutingCounts> all = store_->CountRoutingDecisions(RoutingLogQuery{});
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(all->total, 3);
  EXPECT_THAT(all->by_pcn, ElementsAre(std::make_pair(std::string("U12345"), int64_t{3})));
  EXPECT_THAT(all->by_source_type,
              ElementsAre(std::make_pair(3, int64_t{2}), std::make_pair(1, int64_t{1})));
  EXPECT_THAT(all->by_reason, ElementsAre(std::make_pair(uint64_t{1000001}, int64_t{2}),
                                          std::make_pair(uint64_t{kFeelingLonely}, int64_t{2})));

  RoutingLogQuery early;
  early.decided_before = kT0 + absl::Hours(1);
  absl::StatusOr<RoutingCounts> first = store_->CountRoutingDecisions(early);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->total, 2);
  absl::StatusOr<RoutingCounts> none =
      store_->CountRoutingDecisions(Where(&RoutingLogQuery::pcn_code, std::string("U00000")));
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_EQ(none->total, 0);
  EXPECT_TRUE(none->by_reason.empty());
  EXPECT_EQ(store_->CountRoutingDecisions(Where(&RoutingLogQuery::rule, std::string("x")))
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(StoreConformanceTest, CallsAfterShutdownAreUnavailable) {
  store_->Shutdown();
  EXPECT_EQ(store_->Submit(MakeSubmission(Spec("late"))).status().code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(store_->AppendAudit(MakeAudit("x", "y", kT0)).code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(store_->GetReferral("late").status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace sprout::store::testing
