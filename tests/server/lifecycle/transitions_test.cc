// The state machine of DESIGN.md §3.7, checked against a table written out
// here from the design (not read from the code under test): every (state,
// step) pair is legal or illegal as the design says, and who may take each
// step.
#include "server/lifecycle/transitions.h"

#include <set>
#include <utility>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/lifecycle/states.h"

namespace sprout::lifecycle {
namespace {

using sprout::v1::ReferralState;
using ::testing::HasSubstr;

constexpr ReferralState kReceived = sprout::v1::REFERRAL_STATE_RECEIVED;
constexpr ReferralState kQueued = sprout::v1::REFERRAL_STATE_QUEUED;
constexpr ReferralState kAccepted = sprout::v1::REFERRAL_STATE_ACCEPTED;
constexpr ReferralState kDeclined = sprout::v1::REFERRAL_STATE_DECLINED;
constexpr ReferralState kReturned = sprout::v1::REFERRAL_STATE_RETURNED_TO_TRIAGE;
constexpr ReferralState kInProgress = sprout::v1::REFERRAL_STATE_IN_PROGRESS;
constexpr ReferralState kClosed = sprout::v1::REFERRAL_STATE_CLOSED;
constexpr ReferralState kWithdrawn = sprout::v1::REFERRAL_STATE_WITHDRAWN;

// Every state a stored referral can be in.
std::vector<ReferralState> AllStates() {
  std::vector<ReferralState> states;
  const auto* descriptor = sprout::v1::ReferralState_descriptor();
  for (int i = 0; i < descriptor->value_count(); ++i) {
    const auto state = static_cast<ReferralState>(descriptor->value(i)->number());
    if (state != sprout::v1::REFERRAL_STATE_UNSPECIFIED) states.push_back(state);
  }
  return states;
}

// DESIGN.md §3.7: the states each step may be taken from.
const std::set<std::pair<Transition, ReferralState>>& LegalPairs() {
  static const auto* const legal = new std::set<std::pair<Transition, ReferralState>>{
      {Transition::kAccept, kQueued},
      {Transition::kDecline, kQueued},
      {Transition::kReturnToTriage, kQueued},
      {Transition::kReassign, kQueued},
      {Transition::kReassign, kAccepted},
      {Transition::kReassign, kInProgress},
      {Transition::kReassign, kReturned},
      {Transition::kRecordContact, kAccepted},
      {Transition::kRecordContact, kInProgress},
      {Transition::kClose, kAccepted},
      {Transition::kClose, kInProgress},
      {Transition::kWithdraw, kReceived},
      {Transition::kWithdraw, kQueued},
      {Transition::kWithdraw, kReturned},
      {Transition::kResolveCodingReview, kReceived},
      {Transition::kResolveCodingReview, kQueued},
      {Transition::kResolveCodingReview, kAccepted},
      {Transition::kResolveCodingReview, kInProgress},
      {Transition::kResolveCodingReview, kReturned},
  };
  return *legal;
}

sprout::v1::Referral InState(ReferralState state) {
  sprout::v1::Referral referral;
  referral.set_name("referrals/r1");
  referral.set_state(state);
  return referral;
}

TEST(TransitionsTest, EveryStateAndStepIsLegalOrIllegalAsTheDesignSays) {
  int legal = 0;
  for (Transition transition : AllTransitions()) {
    // Someone the rule admits, so only the state decides.
    const Standing standing = RuleOf(transition).who.front();
    for (ReferralState state : AllStates()) {
      SCOPED_TRACE(std::string(MethodOf(transition)) + " from " + std::string(StateName(state)));
      const absl::Status status = CheckTransition(transition, standing, InState(state));
      if (LegalPairs().count({transition, state}) != 0) {
        EXPECT_TRUE(status.ok()) << status;
        ++legal;
      } else {
        ASSERT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
        EXPECT_THAT(status.message(), HasSubstr(std::string(StateName(state))));
        EXPECT_THAT(status.message(), HasSubstr(std::string(MethodOf(transition))));
      }
    }
  }
  EXPECT_EQ(legal, static_cast<int>(LegalPairs().size()));
}

TEST(TransitionsTest, AllowedFromListsExactlyTheLegalSteps) {
  for (ReferralState state : AllStates()) {
    std::vector<std::string> expected;
    for (Transition transition : AllTransitions()) {
      if (LegalPairs().count({transition, state}) != 0) {
        expected.emplace_back(MethodOf(transition));
      }
    }
    EXPECT_EQ(AllowedFrom(state), expected) << StateName(state);
  }
}

TEST(TransitionsTest, AnIllegalStepNamesTheStateAndWhatIsAllowed) {
  const absl::Status status =
      CheckTransition(Transition::kClose, Standing::kLinkWorkerOfQueue, InState(kQueued));
  ASSERT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(), HasSubstr("is QUEUED"));
  EXPECT_THAT(status.message(), HasSubstr("AcceptReferral"));
  EXPECT_THAT(status.message(), HasSubstr("ACCEPTED or IN_PROGRESS"));
}

TEST(TransitionsTest, AFinalStateSaysNothingIsAllowed) {
  for (ReferralState state : {kDeclined, kClosed, kWithdrawn}) {
    EXPECT_TRUE(AllowedFrom(state).empty()) << StateName(state);
    const absl::Status status =
        CheckTransition(Transition::kReassign, Standing::kAdministrator, InState(state));
    EXPECT_THAT(status.message(), HasSubstr("it is final"));
  }
}

TEST(TransitionsTest, TheStateIsCheckedBeforeWhoIsAsking) {
  // The loser of a race to accept hears the referral is ACCEPTED, not that
  // they may not accept it.
  const absl::Status status =
      CheckTransition(Transition::kAccept, Standing::kPcnTeam, InState(kAccepted));
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
}

TEST(TransitionsTest, WhoMayTakeEachStep) {
  struct Case {
    Transition transition;
    ReferralState state;
    Standing standing;
    bool allowed;
  } cases[] = {
      {Transition::kAccept, kQueued, Standing::kLinkWorkerOfQueue, true},
      {Transition::kAccept, kQueued, Standing::kPcnTeam, false},
      {Transition::kAccept, kQueued, Standing::kAdministrator, false},
      {Transition::kAccept, kQueued, Standing::kReferrer, false},
      {Transition::kDecline, kQueued, Standing::kPcnTeam, true},
      {Transition::kDecline, kQueued, Standing::kReferrer, false},
      {Transition::kRecordContact, kAccepted, Standing::kPcnTeam, true},
      {Transition::kRecordContact, kAccepted, Standing::kAdministrator, false},
      {Transition::kClose, kInProgress, Standing::kAdministrator, true},
      {Transition::kClose, kInProgress, Standing::kReferrer, false},
      {Transition::kWithdraw, kQueued, Standing::kReferrer, true},
      {Transition::kWithdraw, kQueued, Standing::kAdministrator, true},
      {Transition::kWithdraw, kQueued, Standing::kLinkWorkerOfQueue, false},
      {Transition::kResolveCodingReview, kQueued, Standing::kReferrer, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(MethodOf(c.transition)) + " by " +
                 std::string(StandingName(c.standing)));
    const absl::Status status = CheckTransition(c.transition, c.standing, InState(c.state));
    if (c.allowed) {
      EXPECT_TRUE(status.ok()) << status;
    } else {
      EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied);
      EXPECT_THAT(status.message(), HasSubstr("may be made only by"));
    }
  }
}

// StandingOf

auth::Principal LinkWorker(const std::string& pcn, const std::string& id) {
  return {pcn, auth::Role::kLinkWorker, id};
}

sprout::v1::Referral QueuedIn(const std::string& pcn) {
  sprout::v1::Referral referral = InState(kQueued);
  referral.mutable_referrer()->set_organisation_code("Y99001");
  referral.mutable_route()->set_pcn("pcns/" + pcn);
  return referral;
}

sprout::v1::QueueItem WaitingOn(const std::string& queue) {
  sprout::v1::QueueItem item;
  item.set_name("queueItems/q1");
  item.set_queue(queue);
  item.set_state(sprout::v1::QUEUE_ITEM_STATE_WAITING);
  return item;
}

TEST(StandingOfTest, ReferrersStandByTheirOrganisation) {
  const sprout::v1::Referral referral = QueuedIn("U99001");
  EXPECT_EQ(StandingOf({"Y99001", auth::Role::kReferrer, ""}, referral, nullptr),
            Standing::kReferrer);
  EXPECT_EQ(StandingOf({"Y99005", auth::Role::kReferrer, ""}, referral, nullptr), Standing::kNone);
  EXPECT_EQ(StandingOf({"X26", auth::Role::kAdmin, ""}, referral, nullptr),
            Standing::kAdministrator);
}

TEST(StandingOfTest, ALinkWorkerHoldsWhatIsOnTheirQueueOrTheirPcnsPool) {
  const sprout::v1::Referral referral = QueuedIn("U99001");
  const auth::Principal me = LinkWorker("U99001", "lw1");
  sprout::v1::QueueItem own = WaitingOn("pcns/U99001/linkWorkers/lw1");
  sprout::v1::QueueItem pool = WaitingOn("pcns/U99001");
  sprout::v1::QueueItem colleague = WaitingOn("pcns/U99001/linkWorkers/lw2");
  sprout::v1::QueueItem other_pcn = WaitingOn("pcns/U99002/linkWorkers/lw1");
  sprout::v1::QueueItem triage = WaitingOn("triageQueues/Z1W0A");
  EXPECT_EQ(StandingOf(me, referral, &own), Standing::kLinkWorkerOfQueue);
  EXPECT_EQ(StandingOf(me, referral, &pool), Standing::kLinkWorkerOfQueue);
  EXPECT_EQ(StandingOf(me, referral, &colleague), Standing::kPcnTeam);
  EXPECT_EQ(StandingOf(me, referral, &other_pcn), Standing::kNone);
  EXPECT_EQ(StandingOf(me, referral, &triage), Standing::kNone);
}

TEST(StandingOfTest, ClaimingFromAColleaguesQueueTakesItOn) {
  const sprout::v1::Referral referral = QueuedIn("U99001");
  sprout::v1::QueueItem item = WaitingOn("pcns/U99001/linkWorkers/lw2");
  item.set_state(sprout::v1::QUEUE_ITEM_STATE_CLAIMED);
  item.set_claimed_by("pcns/U99001/linkWorkers/lw1");
  EXPECT_EQ(StandingOf(LinkWorker("U99001", "lw1"), referral, &item), Standing::kLinkWorkerOfQueue);
  EXPECT_EQ(StandingOf(LinkWorker("U99001", "lw3"), referral, &item), Standing::kPcnTeam);
}

TEST(StandingOfTest, OnceAcceptedTheCaseloadDecides) {
  sprout::v1::Referral referral = QueuedIn("U99001");
  referral.set_state(kInProgress);
  referral.mutable_route()->set_link_worker("pcns/U99001/linkWorkers/lw1");
  sprout::v1::QueueItem done = WaitingOn("pcns/U99001/linkWorkers/lw2");
  done.set_state(sprout::v1::QUEUE_ITEM_STATE_DONE);
  EXPECT_EQ(StandingOf(LinkWorker("U99001", "lw1"), referral, &done), Standing::kLinkWorkerOfQueue);
  EXPECT_EQ(StandingOf(LinkWorker("U99001", "lw2"), referral, &done), Standing::kPcnTeam);
  EXPECT_EQ(StandingOf(LinkWorker("U99002", "lw1"), referral, &done), Standing::kNone);
}

}  // namespace
}  // namespace sprout::lifecycle
