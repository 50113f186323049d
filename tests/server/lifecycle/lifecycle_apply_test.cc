// What each step changes: the referral's new version, its queue item, the
// code it records and whether the episode ends; claims held by others; moves
// across PCNs; the etag's next version.
#include <optional>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/common/proto_time.h"
#include "server/lifecycle/lifecycle.h"

namespace sprout::lifecycle {
namespace {

using ::testing::HasSubstr;

const absl::Time kNow = absl::FromUnixSeconds(1796000000);
constexpr char kMe[] = "pcns/U99001/linkWorkers/lw1";

auth::Principal Me() { return {"U99001", auth::Role::kLinkWorker, "lw1"}; }
auth::Principal Admin() { return {"X26", auth::Role::kAdmin, ""}; }

sprout::v1::Referral Queued() {
  sprout::v1::Referral referral;
  referral.set_name("referrals/r1");
  referral.set_etag("\"r1-1\"");
  referral.set_state(sprout::v1::REFERRAL_STATE_QUEUED);
  referral.mutable_route()->set_pcn("pcns/U99001");
  return referral;
}

sprout::v1::QueueItem ItemOn(const std::string& queue) {
  sprout::v1::QueueItem item;
  item.set_name("queueItems/q1");
  item.set_referral("referrals/r1");
  item.set_queue(queue);
  item.set_state(sprout::v1::QUEUE_ITEM_STATE_WAITING);
  return item;
}

Step StepOf(Transition transition, auth::Principal actor = Me()) {
  Step step;
  step.transition = transition;
  step.actor = std::move(actor);
  step.now = kNow;
  return step;
}

TEST(NextEtagTest, CountsUpFromTheStoredVersion) {
  sprout::v1::Referral referral;
  referral.set_name("referrals/abc-def");
  referral.set_etag("\"abc-def-7\"");
  EXPECT_EQ(NextEtag(referral), "\"abc-def-8\"");
  referral.clear_etag();  // never versioned: the first version after 0
  EXPECT_EQ(NextEtag(referral), "\"abc-def-1\"");
}

TEST(ApplyTest, AcceptingTakesThePersonOnAndRecordsTheReferralCodeOncePerEpisode) {
  const sprout::v1::QueueItem item = ItemOn(kMe);
  absl::StatusOr<Change> change =
      Apply(StepOf(Transition::kAccept), Standing::kLinkWorkerOfQueue, Queued(), &item);
  ASSERT_TRUE(change.ok()) << change.status();
  EXPECT_EQ(change->referral.state(), sprout::v1::REFERRAL_STATE_ACCEPTED);
  EXPECT_EQ(change->referral.route().link_worker(), kMe);
  EXPECT_EQ(FromProtoTime(change->referral.accept_time()), kNow);
  EXPECT_EQ(FromProtoTime(change->referral.update_time()), kNow);
  EXPECT_EQ(change->referral.etag(), "\"r1-2\"");
  ASSERT_TRUE(change->queue_item.has_value());
  EXPECT_EQ(change->queue_item->state(), sprout::v1::QUEUE_ITEM_STATE_DONE);
  ASSERT_TRUE(change->recorded_code.has_value());
  EXPECT_EQ(change->recorded_code->code(), kReferralToSocialPrescribing);
  EXPECT_TRUE(change->once_per_episode);
  EXPECT_FALSE(change->end_episode);
}

TEST(ApplyTest, ALiveClaimByAnotherBlocksAcceptingButALapsedOneDoesNot) {
  sprout::v1::QueueItem item = ItemOn("pcns/U99001");
  item.set_state(sprout::v1::QUEUE_ITEM_STATE_CLAIMED);
  item.set_claimed_by("pcns/U99001/linkWorkers/lw2");
  *item.mutable_lease_expire_time() = ToProtoTime(kNow + absl::Minutes(5));
  absl::StatusOr<Change> blocked =
      Apply(StepOf(Transition::kAccept), Standing::kLinkWorkerOfQueue, Queued(), &item);
  EXPECT_EQ(blocked.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(blocked.status().message(), HasSubstr("claimed by another link worker"));

  *item.mutable_lease_expire_time() = ToProtoTime(kNow - absl::Seconds(1));
  EXPECT_TRUE(
      Apply(StepOf(Transition::kAccept), Standing::kLinkWorkerOfQueue, Queued(), &item).ok());
}

TEST(ApplyTest, APersonDecliningRecordsSocialPrescribingDeclinedAndEndsTheEpisode) {
  const sprout::v1::QueueItem item = ItemOn(kMe);
  Step step = StepOf(Transition::kDecline);
  step.declined_by = sprout::v1::DECLINED_BY_PERSON;
  absl::StatusOr<Change> change = Apply(step, Standing::kLinkWorkerOfQueue, Queued(), &item);
  ASSERT_TRUE(change.ok()) << change.status();
  EXPECT_EQ(change->referral.state(), sprout::v1::REFERRAL_STATE_DECLINED);
  EXPECT_EQ(change->referral.decline().code().code(), kSocialPrescribingDeclined);
  ASSERT_TRUE(change->recorded_code.has_value());
  EXPECT_EQ(change->recorded_code->code(), kSocialPrescribingDeclined);
  EXPECT_TRUE(change->end_episode);
  EXPECT_EQ(FromProtoTime(change->referral.end_time()), kNow);
  EXPECT_EQ(change->queue_item->state(), sprout::v1::QUEUE_ITEM_STATE_DONE);
}

TEST(ApplyTest, ALinkWorkersCodedDeclineKeepsTheirCodeAndRecordsNothing) {
  Step step = StepOf(Transition::kDecline);
  step.declined_by = sprout::v1::DECLINED_BY_LINK_WORKER;
  step.decline_code.set_code("183932001");
  absl::StatusOr<Change> change = Apply(step, Standing::kLinkWorkerOfQueue, Queued(), nullptr);
  ASSERT_TRUE(change.ok()) << change.status();
  EXPECT_EQ(change->referral.decline().code().code(), "183932001");
  EXPECT_FALSE(change->recorded_code.has_value());
}

TEST(ApplyTest, ReturningToTriageClearsThePcnAndMovesTheItem) {
  sprout::v1::Referral referral = Queued();
  referral.mutable_route()->set_link_worker(kMe);
  const sprout::v1::QueueItem item = ItemOn(kMe);
  Step step = StepOf(Transition::kReturnToTriage);
  step.triage_queue = "triageQueues/Z1W0A";
  absl::StatusOr<Change> change = Apply(step, Standing::kLinkWorkerOfQueue, referral, &item);
  ASSERT_TRUE(change.ok()) << change.status();
  EXPECT_EQ(change->referral.state(), sprout::v1::REFERRAL_STATE_RETURNED_TO_TRIAGE);
  EXPECT_EQ(change->referral.route().pcn(), "");
  EXPECT_EQ(change->referral.route().link_worker(), "");
  EXPECT_EQ(change->referral.route().method(), sprout::v1::ROUTING_METHOD_TRIAGE);
  EXPECT_EQ(change->queue_item->queue(), "triageQueues/Z1W0A");
  EXPECT_EQ(change->queue_item->state(), sprout::v1::QUEUE_ITEM_STATE_WAITING);
}

TEST(ApplyTest, OnlyAnAdministratorMovesAReferralToAnotherPcnOrOutOfTriage) {
  Step step = StepOf(Transition::kReassign);
  step.link_worker = "pcns/U99002/linkWorkers/lw9";
  step.pcn_display = "Second PCN";
  const sprout::v1::QueueItem item = ItemOn(kMe);
  absl::StatusOr<Change> refused = Apply(step, Standing::kPcnTeam, Queued(), &item);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(refused.status().message(), HasSubstr("to another PCN"));

  step.actor = Admin();
  // The move needs its reason: it becomes the explained routing decision.
  absl::StatusOr<Change> unexplained = Apply(step, Standing::kAdministrator, Queued(), &item);
  EXPECT_EQ(unexplained.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(unexplained.status().message(), HasSubstr("reason"));
  step.reason = "the person moved to Riverside";
  absl::StatusOr<Change> moved = Apply(step, Standing::kAdministrator, Queued(), &item);
  ASSERT_TRUE(moved.ok()) << moved.status();
  EXPECT_EQ(moved->referral.route().pcn(), "pcns/U99002");
  EXPECT_EQ(moved->referral.route().link_worker(), "pcns/U99002/linkWorkers/lw9");
  EXPECT_EQ(moved->queue_item->queue(), "pcns/U99002/linkWorkers/lw9");
  // Re-routed by hand: a new, explained decision the route names.
  ASSERT_TRUE(moved->decision.has_value());
  EXPECT_EQ(moved->decision->name(), "routingDecisions/r1-2");
  EXPECT_EQ(moved->referral.route().decision(), "routingDecisions/r1-2");
  EXPECT_EQ(moved->referral.route().method(), sprout::v1::ROUTING_METHOD_REASSIGNED);
  EXPECT_EQ(moved->decision->route().pcn(), "pcns/U99002");
  EXPECT_THAT(moved->decision->explanation().summary(), HasSubstr("from pcns/U99001"));

  sprout::v1::Referral triaged = Queued();
  triaged.set_state(sprout::v1::REFERRAL_STATE_RETURNED_TO_TRIAGE);
  triaged.mutable_route()->clear_pcn();
  triaged.mutable_route()->set_triage_queue("triageQueues/Z1W0A");
  absl::StatusOr<Change> out_of_triage = Apply(step, Standing::kAdministrator, triaged, &item);
  ASSERT_TRUE(out_of_triage.ok()) << out_of_triage.status();
  EXPECT_EQ(out_of_triage->referral.state(), sprout::v1::REFERRAL_STATE_QUEUED);
  EXPECT_EQ(out_of_triage->referral.route().triage_queue(), "");
}

TEST(ApplyTest, AMoveWithinThePcnKeepsTheDecision) {
  sprout::v1::Referral referral = Queued();
  referral.mutable_route()->set_decision("routingDecisions/d1");
  Step step = StepOf(Transition::kReassign);
  step.link_worker = "pcns/U99001/linkWorkers/lw2";
  absl::StatusOr<Change> change = Apply(step, Standing::kPcnTeam, referral, nullptr);
  ASSERT_TRUE(change.ok()) << change.status();
  EXPECT_FALSE(change->decision.has_value());
  EXPECT_EQ(change->referral.route().decision(), "routingDecisions/d1");
}

TEST(ApplyTest, ReassigningToWhoAlreadyHoldsItIsRefused) {
  sprout::v1::Referral referral = Queued();
  referral.mutable_route()->set_link_worker(kMe);
  Step step = StepOf(Transition::kReassign);
  step.link_worker = kMe;
  EXPECT_EQ(Apply(step, Standing::kPcnTeam, referral, nullptr).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ApplyTest, EachContactCountsAndTheFirstMovesItInProgress) {
  sprout::v1::Referral referral = Queued();
  referral.set_state(sprout::v1::REFERRAL_STATE_ACCEPTED);
  referral.mutable_route()->set_link_worker(kMe);
  Step step = StepOf(Transition::kRecordContact);
  step.contact.set_type(sprout::v1::CONTACT_TYPE_PHONE);
  for (int k = 0; k < 7; ++k) step.contact.mutable_wellbeing()->mutable_swemwbs()->add_items(3);
  for (int n = 1; n <= 2; ++n) {
    absl::StatusOr<Change> change = Apply(step, Standing::kLinkWorkerOfQueue, referral, nullptr);
    ASSERT_TRUE(change.ok()) << change.status();
    EXPECT_EQ(change->referral.state(), sprout::v1::REFERRAL_STATE_IN_PROGRESS);
    EXPECT_EQ(change->referral.contact_count(), n);
    ASSERT_TRUE(change->contact.has_value());
    EXPECT_EQ(change->contact->link_worker(), kMe);
    EXPECT_EQ(change->contact->wellbeing().swemwbs().total(), 21);
    referral = change->referral;
  }
}

TEST(ApplyTest, ClosingEndsTheEpisodeWithTheOutcome) {
  sprout::v1::Referral referral = Queued();
  referral.set_state(sprout::v1::REFERRAL_STATE_IN_PROGRESS);
  referral.mutable_route()->set_link_worker(kMe);
  Step step = StepOf(Transition::kClose);
  step.outcome.add_codes()->set_code("1230392000");
  absl::StatusOr<Change> change = Apply(step, Standing::kLinkWorkerOfQueue, referral, nullptr);
  ASSERT_TRUE(change.ok()) << change.status();
  EXPECT_EQ(change->referral.state(), sprout::v1::REFERRAL_STATE_CLOSED);
  EXPECT_EQ(change->referral.outcome().codes(0).code(), "1230392000");
  EXPECT_TRUE(change->end_episode);
}

TEST(ApplyTest, WithdrawingTakesTheItemOffItsQueue) {
  const sprout::v1::QueueItem item = ItemOn(kMe);
  absl::StatusOr<Change> change =
      Apply(StepOf(Transition::kWithdraw, {"Y99001", auth::Role::kReferrer, ""}),
            Standing::kReferrer, Queued(), &item);
  ASSERT_TRUE(change.ok()) << change.status();
  EXPECT_EQ(change->referral.state(), sprout::v1::REFERRAL_STATE_WITHDRAWN);
  EXPECT_EQ(change->queue_item->state(), sprout::v1::QUEUE_ITEM_STATE_DONE);
  EXPECT_TRUE(change->end_episode);
}

TEST(ApplyTest, ResolvingAReviewCodesTheFlaggedReasonOnly) {
  sprout::v1::Referral referral = Queued();
  referral.set_needs_coding_review(true);
  referral.add_coded_reasons()->set_method(sprout::v1::CODING_METHOD_NEEDS_REVIEW);
  Step step = StepOf(Transition::kResolveCodingReview);
  step.reason_index = 1;
  step.chosen.set_code("267076002");
  EXPECT_EQ(Apply(step, Standing::kLinkWorkerOfQueue, referral, nullptr).status().code(),
            absl::StatusCode::kInvalidArgument);  // there is no second reason

  step.reason_index = 0;
  absl::StatusOr<Change> change = Apply(step, Standing::kLinkWorkerOfQueue, referral, nullptr);
  ASSERT_TRUE(change.ok()) << change.status();
  EXPECT_FALSE(change->referral.needs_coding_review());
  EXPECT_EQ(change->referral.coded_reasons(0).method(), sprout::v1::CODING_METHOD_REVIEWED);
  EXPECT_EQ(change->referral.coded_reasons(0).concept().code(), "267076002");
  EXPECT_EQ(change->referral.state(), sprout::v1::REFERRAL_STATE_QUEUED);

  EXPECT_EQ(Apply(step, Standing::kLinkWorkerOfQueue, change->referral, nullptr).status().code(),
            absl::StatusCode::kFailedPrecondition);  // no longer flagged
}

}  // namespace
}  // namespace sprout::lifecycle
