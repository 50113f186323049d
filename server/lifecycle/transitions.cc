// File: server/lifecycle/transitions.cc
#include "server/lifecycle/transitions.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "server/common/errors.h"
#include "server/lifecycle/states.h"

namespace sprout::lifecycle {
namespace {

using sprout::v1::ReferralState;
constexpr ReferralState kReceived = sprout::v1::REFERRAL_STATE_RECEIVED;
constexpr ReferralState kQueued = sprout::v1::REFERRAL_STATE_QUEUED;
constexpr ReferralState kAccepted = sprout::v1::REFERRAL_STATE_ACCEPTED;
constexpr ReferralState kDeclined = sprout::v1::REFERRAL_STATE_DECLINED;
constexpr ReferralState kReturned = sprout::v1::REFERRAL_STATE_RETURNED_TO_TRIAGE;
constexpr ReferralState kInProgress = sprout::v1::REFERRAL_STATE_IN_PROGRESS;
constexpr ReferralState kClosed = sprout::v1::REFERRAL_STATE_CLOSED;
constexpr ReferralState kWithdrawn = sprout::v1::REFERRAL_STATE_WITHDRAWN;
constexpr ReferralState kSame = sprout::v1::REFERRAL_STATE_UNSPECIFIED;

const std::vector<TransitionRule>& Rules() {
  static const auto* const rules = new std::vector<TransitionRule>{
      {Transition::kAccept, {kQueued}, kAccepted, {Standing::kLinkWorkerOfQueue}},
      {Transition::kDecline,
       {kQueued},
       kDeclined,
       {Standing::kLinkWorkerOfQueue, Standing::kPcnTeam, Standing::kAdministrator}},
      {Transition::kReturnToTriage,
       {kQueued},
       kReturned,
       {Standing::kLinkWorkerOfQueue, Standing::kPcnTeam, Standing::kAdministrator}},
      {Transition::kReassign,
       {kQueued, kAccepted, kInProgress, kReturned},
       kSame,
       {Standing::kLinkWorkerOfQueue, Standing::kPcnTeam, Standing::kAdministrator}},
      {Transition::kRecordContact,
       {kAccepted, kInProgress},
       kInProgress,
       {Standing::kLinkWorkerOfQueue, Standing::kPcnTeam}},
      {Transition::kClose,
       {kAccepted, kInProgress},
       kClosed,
       {Standing::kLinkWorkerOfQueue, Standing::kPcnTeam, Standing::kAdministrator}},
      {Transition::kWithdraw,
       {kReceived, kQueued, kReturned},
       kWithdrawn,
       {Standing::kReferrer, Standing::kAdministrator}},
      {Transition::kResolveCodingReview,
       {kReceived, kQueued, kAccepted, kReturned, kInProgress},
       kSame,
       {Standing::kLinkWorkerOfQueue, Standing::kPcnTeam, Standing::kAdministrator}},
  };
  return *rules;
}

// "pcns/{pcn}/linkWorkers/{id}" of a link worker principal.
std::string LinkWorkerName(const auth::Principal& p) {
  return absl::StrCat("pcns/", p.organisation_code, "/linkWorkers/", p.link_worker_id);
}

// The PCN code of a queue or link worker name ("pcns/{pcn}[/...]"), or "".
absl::string_view PcnOf(absl::string_view name) {
  if (!absl::ConsumePrefix(&name, "pcns/")) return "";
  return name.substr(0, name.find('/'));
}

// "QUEUED", "ACCEPTED or IN_PROGRESS", ...
std::string FromText(const std::vector<ReferralState>& from) {
  std::vector<std::string> names;
  for (ReferralState s : from) names.emplace_back(StateName(s));
  if (names.size() <= 1) return absl::StrJoin(names, "");
  const std::string last = names.back();
  names.pop_back();
  return absl::StrCat(absl::StrJoin(names, ", "), " or ", last);
}

}  // namespace

const std::vector<Transition>& AllTransitions() {
  static const auto* const all = [] {
    auto* v = new std::vector<Transition>;
    for (const TransitionRule& r : Rules()) v->push_back(r.transition);
    return v;
  }();
  return *all;
}

absl::string_view MethodOf(Transition transition) {
  switch (transition) {
    case Transition::kAccept:
      return "AcceptReferral";
    case Transition::kDecline:
      return "DeclineReferral";
    case Transition::kReturnToTriage:
      return "ReturnToTriage";
    case Transition::kReassign:
      return "ReassignReferral";
    case Transition::kRecordContact:
      return "RecordContact";
    case Transition::kClose:
      return "CloseReferral";
    case Transition::kWithdraw:
      return "WithdrawReferral";
    case Transition::kResolveCodingReview:
      return "ResolveCodingReview";
  }
  return "";
}

absl::string_view StandingName(Standing standing) {
  switch (standing) {
    case Standing::kNone:
      return "nobody";
    case Standing::kReferrer:
      return "the referring organisation";
    case Standing::kLinkWorkerOfQueue:
      return "the link worker whose queue or caseload holds it";
    case Standing::kPcnTeam:
      return "the PCN team";
    case Standing::kAdministrator:
      return "an administrator";
  }
  return "";
}

Standing StandingOf(const auth::Principal& principal, const sprout::v1::Referral& referral,
                    const sprout::v1::QueueItem* item) {
  switch (principal.role) {
    case auth::Role::kAdmin:
      return Standing::kAdministrator;
    case auth::Role::kReferrer:
      return principal.organisation_code == referral.referrer().organisation_code()
                 ? Standing::kReferrer
                 : Standing::kNone;
    case auth::Role::kLinkWorker:
      break;
  }
  const std::string me = LinkWorkerName(principal);
  const absl::string_view pcn = principal.organisation_code;
  if (IsAccepted(referral.state()) || referral.state() == sprout::v1::REFERRAL_STATE_DECLINED) {
    // Past the queue: the caseload decides.
    if (referral.route().link_worker() == me) return Standing::kLinkWorkerOfQueue;
    return PcnOf(referral.route().pcn()) == pcn ? Standing::kPcnTeam : Standing::kNone;
  }
  if (item != nullptr && item->state() != sprout::v1::QUEUE_ITEM_STATE_DONE) {
    if (item->queue() == me) return Standing::kLinkWorkerOfQueue;
    // A link worker of the PCN who claimed it has taken it on from a
    // colleague's queue (ClaimReferral is limited to the claimant's PCN).
    if (item->state() == sprout::v1::QUEUE_ITEM_STATE_CLAIMED && item->claimed_by() == me &&
        PcnOf(item->queue()) == pcn) {
      return Standing::kLinkWorkerOfQueue;
    }
    // The PCN's pool is every one of its link workers' queue.
    if (item->queue() == absl::StrCat("pcns/", pcn)) return Standing::kLinkWorkerOfQueue;
    if (PcnOf(item->queue()) == pcn) return Standing::kPcnTeam;
    return Standing::kNone;  // on another PCN's queue, or on triage
  }
  return PcnOf(referral.route().pcn()) == pcn && !pcn.empty() ? Standing::kPcnTeam
                                                              : Standing::kNone;
}

const TransitionRule& RuleOf(Transition transition) {
  for (const TransitionRule& r : Rules()) {
    if (r.transition == transition) return r;
  }
  return Rules().front();  // unreachable: every Transition has a row
}

std::vector<std::string> AllowedFrom(sprout::v1::ReferralState state) {
  std::vector<std::string> allowed;
  for (const TransitionRule& r : Rules()) {
    if (std::find(r.from.begin(), r.from.end(), state) != r.from.end()) {
      allowed.emplace_back(MethodOf(r.transition));
    }
  }
  return allowed;
}

absl::Status CheckTransition(Transition transition, Standing standing,
                             const sprout::v1::Referral& referral) {
  const TransitionRule& rule = RuleOf(transition);
  const ReferralState state = referral.state();
  if (std::find(rule.from.begin(), rule.from.end(), state) == rule.from.end()) {
    const std::vector<std::string> allowed = AllowedFrom(state);
    const std::string allowed_text =
        allowed.empty() ? "none: it is final" : absl::StrJoin(allowed, ", ");
    absl::Status status = FailedPreconditionWithViolation(
        "ILLEGAL_TRANSITION", "REFERRAL_STATE", referral.name(),
        absl::StrCat("is ", StateName(state), "; ", MethodOf(transition), " needs it to be ",
                     FromText(rule.from), ". Allowed from ", StateName(state), ": ", allowed_text));
    SetErrorInfo(status, "ILLEGAL_TRANSITION",
                 {{"state", std::string(StateName(state))},
                  {"allowed", absl::StrJoin(allowed, ",")},
                  {"method", std::string(MethodOf(transition))}});
    return status;
  }
  if (std::find(rule.who.begin(), rule.who.end(), standing) == rule.who.end()) {
    std::vector<std::string> who;
    for (Standing s : rule.who) who.emplace_back(StandingName(s));
    return ErrorWithInfo(
        absl::StatusCode::kPermissionDenied, "TRANSITION_NOT_PERMITTED",
        absl::StrCat(MethodOf(transition), " may be made only by ", absl::StrJoin(who, ", "),
                     "; you are ", StandingName(standing)),
        {{"method", std::string(MethodOf(transition))}});
  }
  return absl::OkStatus();
}

}  // namespace sprout::lifecycle
