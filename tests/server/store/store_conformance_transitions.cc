// The Store conformance suite, part four (see store_conformance.h): lifecycle
// changes planned by the lifecycle component (server/lifecycle/) and
// committed by the backend. What each backend must guarantee: one
// 871731000000106 per episode, contacts numbered within the episode and
// idempotent, exactly one winner among concurrent changes, an episode that
// stays open while another of its referrals is live, caseload reads, and
// acceptances counted by NHS financial year.
#include <atomic>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "server/lifecycle/lifecycle.h"
#include "server/store/lifecycle_update.h"
#include "tests/server/store/store_conformance.h"

namespace sprout::store::testing {
namespace {

using lifecycle::Standing;
using lifecycle::Step;
using lifecycle::Transition;

const absl::Time kT0 = absl::FromUnixSeconds(1767225600);  // 2026-01-01T00:00:00Z
const std::string kLw1 = "pcns/U12345/linkWorkers/lw-1";

}  // namespace

auth::Principal LinkWorker(const std::string& id) {
  return auth::Principal{"U12345", auth::Role::kLinkWorker, id};
}

// Reads the referral and its item (as the handlers do), plans `step` and commits it.
absl::StatusOr<UpdateOutcome> StoreConformanceTest::Take(const std::string& referral_id,
                                                         const Step& step,
                                                         const std::string& request_id) {
  absl::StatusOr<LifecycleRead> read = ReadForChange(*store_, referral_id);
  if (!read.ok()) return read.status();
  const sprout::v1::QueueItem* item = read->item_or_null();
  const Standing standing = lifecycle::StandingOf(step.actor, read->referral, item);
  absl::StatusOr<lifecycle::Change> change = lifecycle::Apply(step, standing, read->referral, item);
  if (!change.ok()) return change.status();
  AuditEvent audit =
      MakeAudit(std::string(lifecycle::MethodOf(step.transition)), read->referral.name(), step.now);
  return store_->UpdateReferral(
      UpdateOf(*std::move(change), step, read->referral, item, audit, request_id));
}

Step StepOf(Transition t, const auth::Principal& actor, absl::Time now) {
  Step s;
  s.transition = t;
  s.actor = actor;
  s.now = now;
  return s;
}

Step ContactStep(const auth::Principal& actor, absl::Time now) {
  Step s = StepOf(Transition::kRecordContact, actor, now);
  s.contact.set_type(sprout::v1::CONTACT_TYPE_PHONE);
  s.contact.set_notes("synthetic note");
  return s;
}

TEST_P(StoreConformanceTest, AcceptanceRecordsTheReferralCodeOncePerEpisode) {
  MustSubmit(Spec("r1").PersonKey("pk-one"));
  SubmitOutcome second = MustSubmit(Spec("r2").PersonKey("pk-one"));
  ASSERT_TRUE(second.referral.linked_to_existing_episode());

  absl::StatusOr<UpdateOutcome> first =
      Take("r1", StepOf(Transition::kAccept, LinkWorker("lw-1"), kT0 + absl::Hours(1)));
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(first->recorded_code.has_value());
  EXPECT_EQ(first->recorded_code->code(), "871731000000106");
  EXPECT_EQ(first->referral.state(), sprout::v1::REFERRAL_STATE_ACCEPTED);
  EXPECT_EQ(first->referral.etag(), "\"r1-2\"");

  // The second referral joined the same episode: accepting it records nothing.
  absl::StatusOr<UpdateOutcome> joined =
      Take("r2", StepOf(Transition::kAccept, LinkWorker("lw-1"), kT0 + absl::Hours(2)));
  ASSERT_TRUE(joined.ok()) << joined.status();
  EXPECT_FALSE(joined->recorded_code.has_value());

  // Nor does a contact.
  absl::StatusOr<UpdateOutcome> contact =
      Take("r1", ContactStep(LinkWorker("lw-1"), kT0 + absl::Hours(3)));
  ASSERT_TRUE(contact.ok()) << contact.status();
  EXPECT_FALSE(contact->recorded_code.has_value());

  absl::StatusOr<std::vector<ReferralEvent>> events = store_->ListReferralEvents("r1", 0);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 3u);
  EXPECT_EQ((*events)[0].action, "SubmitReferral");
  EXPECT_EQ((*events)[1].action, "AcceptReferral");
  ASSERT_TRUE((*events)[1].recorded_code.has_value());
  EXPECT_EQ((*events)[1].recorded_code->code(), "871731000000106");
  EXPECT_EQ((*events)[2].action, "RecordContact");
  EXPECT_EQ((*events)[2].state, sprout::v1::REFERRAL_STATE_IN_PROGRESS);
  EXPECT_FALSE((*events)[2].recorded_code.has_value());
  absl::StatusOr<std::vector<ReferralEvent>> joined_events = store_->ListReferralEvents("r2", 0);
  ASSERT_TRUE(joined_events.ok());
  ASSERT_EQ(joined_events->size(), 2u);
  EXPECT_FALSE((*joined_events)[1].recorded_code.has_value());
}

TEST_P(StoreConformanceTest, ContactsAreNumberedWithinTheEpisodeAndReplayedByRequestId) {
  MustSubmit(Spec("r1").PersonKey("pk-two"));
  MustSubmit(Spec("r2").PersonKey("pk-two"));
  ASSERT_TRUE(Take("r1", StepOf(Transition::kAccept, LinkWorker("lw-1"), kT0)).ok());
  ASSERT_TRUE(Take("r2", StepOf(Transition::kAccept, LinkWorker("lw-1"), kT0)).ok());

  absl::StatusOr<UpdateOutcome> c1 = Take("r1", ContactStep(LinkWorker("lw-1"), kT0), "req-c1");
  absl::StatusOr<UpdateOutcome> c2 = Take("r2", ContactStep(LinkWorker("lw-1"), kT0), "req-c2");
  absl::StatusOr<UpdateOutcome> c3 = Take("r1", ContactStep(LinkWorker("lw-1"), kT0), "req-c3");
  ASSERT_TRUE(c1.ok() && c2.ok() && c3.ok());
  EXPECT_EQ(c1->contact->number(), 1);
  EXPECT_EQ(c1->contact->name(), "referrals/r1/contacts/1");
  EXPECT_EQ(c2->contact->number(), 2);
  EXPECT_EQ(c3->contact->number(), 3);
  EXPECT_EQ(c3->contact->link_worker(), kLw1);
  EXPECT_EQ(c3->referral.contact_count(), 2);

  absl::StatusOr<UpdateOutcome> again = Take("r1", ContactStep(LinkWorker("lw-1"), kT0), "req-c1");
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(again->contact->number(), 1);
  EXPECT_EQ(store_->GetReferral("r1")->contact_count(), 2);

  absl::StatusOr<std::vector<sprout::v1::Contact>> contacts = store_->ListContacts("r1");
  ASSERT_TRUE(contacts.ok());
  ASSERT_EQ(contacts->size(), 2u);
  EXPECT_EQ((*contacts)[0].number(), 1);
  EXPECT_EQ((*contacts)[1].number(), 3);
  EXPECT_TRUE(store_->ListContacts("nobody")->empty());
}

TEST_P(StoreConformanceTest, OfConcurrentAcceptsOnOneItemExactlyOneWins) {
  MustSubmit(Spec("pool").Queue("pcns/U12345"));  // the PCN's pool: anyone there may take it
  constexpr int kWorkers = 6;
  std::atomic<int> won{0};
  std::atomic<int> aborted{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kWorkers; ++i) {
    threads.emplace_back([&, i] {
      absl::StatusOr<UpdateOutcome> r =
          Take("pool", StepOf(Transition::kAccept, LinkWorker(absl::StrCat("lw-", i)), kT0));
      if (r.ok()) {
        won.fetch_add(1);
      } else if (r.status().code() == absl::StatusCode::kAborted ||
                 r.status().code() == absl::StatusCode::kFailedPrecondition) {
        aborted.fetch_add(1);  // stale etag, or read after the winner: ACCEPTED
      } else {
        ADD_FAILURE() << r.status();
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(won.load(), 1);
  EXPECT_EQ(aborted.load(), kWorkers - 1);
  absl::StatusOr<std::vector<LinkWorkerCounts>> loads = store_->LinkWorkerLoads(2025);
  ASSERT_TRUE(loads.ok());
  int open = 0;
  int accepted = 0;
  for (const LinkWorkerCounts& c : *loads) {
    open += c.open_caseload;
    accepted += c.accepted_this_year;
  }
  EXPECT_EQ(open, 1);
  EXPECT_EQ(accepted, 1);
}

TEST_P(StoreConformanceTest, AClaimSinceTheReadAbortsAnAcceptPlannedBeforeIt) {
  MustSubmit(Spec("r1").Queue("pcns/U12345"));
  const sprout::v1::Referral read = *store_->GetReferral("r1");
  const sprout::v1::QueueItem item = **store_->GetQueueItemOfReferral("r1");

  QueueClaim claim;
  claim.queue_item_id = "q-r1";
  claim.claimant = "pcns/U12345/linkWorkers/lw-2";
  claim.now = kT0;
  claim.lease_expire_time = kT0 + absl::Minutes(15);
  claim.audit = MakeAudit("ClaimReferral", "queueItems/q-r1", kT0);
  ASSERT_TRUE(store_->ClaimQueueItem(claim).ok());

  const Step step = StepOf(Transition::kAccept, LinkWorker("lw-1"), kT0);
  absl::StatusOr<lifecycle::Change> change =
      lifecycle::Apply(step, Standing::kLinkWorkerOfQueue, read, &item);
  ASSERT_TRUE(change.ok());
  absl::StatusOr<UpdateOutcome> late = store_->UpdateReferral(
      UpdateOf(*std::move(change), step, read, &item, MakeAudit("AcceptReferral", "r1", kT0)));
  EXPECT_EQ(late.status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(store_->GetReferral("r1")->state(), sprout::v1::REFERRAL_STATE_QUEUED);

  // Planned afresh, the claim is seen: someone else holds it.
  absl::StatusOr<UpdateOutcome> again = Take("r1", step);
  EXPECT_EQ(again.status().code(), absl::StatusCode::kFailedPrecondition);
  // The holder may accept.
  EXPECT_TRUE(Take("r1", StepOf(Transition::kAccept, LinkWorker("lw-2"), kT0)).ok());
}

TEST_P(StoreConformanceTest, TheEpisodeStaysOpenWhileAnotherOfItsReferralsIsLive) {
  MustSubmit(Spec("r1").PersonKey("pk-three").Organisation("Y99001"));
  MustSubmit(Spec("r2").PersonKey("pk-three").Organisation("Y99001"));
  const auth::Principal gp{"Y99001", auth::Role::kReferrer, ""};
  ASSERT_TRUE(Take("r1", StepOf(Transition::kWithdraw, gp, kT0)).ok());
  EXPECT_TRUE(store_->FindOpenEpisode("pk-three")->has_value());
  ASSERT_TRUE(Take("r2", StepOf(Transition::kWithdraw, gp, kT0)).ok());
  EXPECT_FALSE(store_->FindOpenEpisode("pk-three")->has_value());
}

TEST_P(StoreConformanceTest, OpenCaseloadAndQueueItemFollowTheReferral) {
  MustSubmit(Spec("r1"));
  EXPECT_FALSE(store_->GetQueueItemOfReferral("nobody")->has_value());
  EXPECT_EQ((*store_->GetQueueItemOfReferral("r1"))->state(), sprout::v1::QUEUE_ITEM_STATE_WAITING);
  ASSERT_TRUE(Take("r1", StepOf(Transition::kAccept, LinkWorker("lw-1"), kT0)).ok());
  EXPECT_EQ((*store_->GetQueueItemOfReferral("r1"))->state(), sprout::v1::QUEUE_ITEM_STATE_DONE);
  absl::StatusOr<std::vector<sprout::v1::Referral>> open = store_->ListOpenReferrals(kLw1);
  ASSERT_TRUE(open.ok());
  ASSERT_EQ(open->size(), 1u);
  EXPECT_EQ((*open)[0].name(), "referrals/r1");

  Step close = StepOf(Transition::kClose, LinkWorker("lw-1"), kT0 + absl::Hours(1));
  close.outcome.add_codes()->set_code("1230392000");
  ASSERT_TRUE(Take("r1", close).ok());
  EXPECT_TRUE(store_->ListOpenReferrals(kLw1)->empty());
  absl::StatusOr<std::vector<LinkWorkerCounts>> loads = store_->LinkWorkerLoads(2025);
  ASSERT_TRUE(loads.ok());
  ASSERT_EQ(loads->size(), 1u);
  EXPECT_EQ((*loads)[0].open_caseload, 0);
  EXPECT_EQ((*loads)[0].accepted_this_year, 1);
}

TEST_P(StoreConformanceTest, AcceptancesCountInTheNhsFinancialYear) {
  MustSubmit(Spec("march"));
  MustSubmit(Spec("april"));
  // 2026-03-31T22:30Z is still March in England; 2026-03-31T23:30Z is
  // 00:30 BST on 1 April, the first day of financial year 2026.
  const absl::Time march = absl::FromUnixSeconds(1774999800 - 3600);
  const absl::Time april = absl::FromUnixSeconds(1774999800);
  ASSERT_TRUE(Take("march", StepOf(Transition::kAccept, LinkWorker("lw-1"), march)).ok());
  ASSERT_TRUE(Take("april", StepOf(Transition::kAccept, LinkWorker("lw-1"), april)).ok());
  absl::StatusOr<std::vector<LinkWorkerCounts>> fy2025 = store_->LinkWorkerLoads(2025);
  absl::StatusOr<std::vector<LinkWorkerCounts>> fy2026 = store_->LinkWorkerLoads(2026);
  ASSERT_TRUE(fy2025.ok() && fy2026.ok());
  ASSERT_EQ(fy2025->size(), 1u);
  ASSERT_EQ(fy2026->size(), 1u);
  EXPECT_EQ((*fy2025)[0].accepted_this_year, 1);
  EXPECT_EQ((*fy2026)[0].accepted_this_year, 1);
  EXPECT_EQ((*fy2026)[0].open_caseload, 2);
}

TEST_P(StoreConformanceTest, AMoveToAnotherPcnIsANewDecisionInTheRoutingLog) {
  SubmitOutcome out = MustSubmit(Spec("mv").Queue(kLw1).Reasons({267076002}).Time(kT0));
  Step step = StepOf(Transition::kReassign, auth::Principal{"admin", auth::Role::kAdmin, ""},
                     kT0 + absl::Hours(2));
  step.link_worker = "pcns/U99999/linkWorkers/lw-9";
  step.pcn_display = "Elsewhere PCN";
  step.directory_version = "sha256:test";
  step.reason = "the person moved house";
  absl::StatusOr<UpdateOutcome> moved = Take("mv", step);
  ASSERT_TRUE(moved.ok()) << moved.status();
  const sprout::v1::Route& route = moved->referral.route();
  EXPECT_EQ(route.pcn(), "pcns/U99999");
  EXPECT_EQ(route.method(), sprout::v1::ROUTING_METHOD_REASSIGNED);
  EXPECT_NE(route.decision(), out.referral.route().decision());

  // The new decision is stored, explained, and found by PCN and reason.
  absl::StatusOr<sprout::v1::RoutingDecision> decision =
      store_->GetRoutingDecision(route.decision().substr(strlen("routingDecisions/")));
  ASSERT_TRUE(decision.ok()) << decision.status();
  EXPECT_EQ(decision->referral(), "referrals/mv");
  EXPECT_EQ(decision->route().link_worker(), "pcns/U99999/linkWorkers/lw-9");
  EXPECT_EQ(decision->route().directory_version(), "sha256:test");
  ASSERT_EQ(decision->explanation().steps_size(), 1);
  EXPECT_EQ(decision->explanation().steps(0).kind(), "reassigned");
  RoutingLogQuery by_pcn;
  by_pcn.pcn_code = "U99999";
  by_pcn.reason_any_of = {267076002};
  absl::StatusOr<Page<sprout::v1::RoutingDecision>> found = store_->QueryRoutingLog(by_pcn, 10, "");
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_EQ(found->items.size(), 1u);
  EXPECT_EQ(found->items[0].name(), route.decision());
}

}  // namespace sprout::store::testing
