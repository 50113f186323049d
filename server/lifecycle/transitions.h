// File: server/lifecycle/transitions.h
//
// The referral state machine of DESIGN.md §3.7, as data: every step a referral
// can take, the states it may take it from, the state it leads to, and who
// may take it. Handlers and tests read this table; nothing else decides
// whether a step is legal.
//
//   QUEUED --Accept--> ACCEPTED --RecordContact--> IN_PROGRESS --Close--> CLOSED
//   QUEUED --Decline--> DECLINED          ACCEPTED --Close--> CLOSED
//   QUEUED --ReturnToTriage--> RETURNED_TO_TRIAGE --Reassign (admin)--> QUEUED
//   RECEIVED | QUEUED | RETURNED_TO_TRIAGE --Withdraw (referrer)--> WITHDRAWN
//   Reassign and ResolveCodingReview keep the state (except from triage).
#ifndef SPROUT_SERVER_LIFECYCLE_TRANSITIONS_H_
#define SPROUT_SERVER_LIFECYCLE_TRANSITIONS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "server/auth/principal.h"
#include "sprout/v1/queue.pb.h"
#include "sprout/v1/referral.pb.h"

namespace sprout::lifecycle {

// The steps of a referral's life after submission.
enum class Transition {
  kAccept,
  kDecline,
  kReturnToTriage,
  kReassign,
  kRecordContact,
  kClose,
  kWithdraw,
  kResolveCodingReview,
};

// Every transition, in the order above.
const std::vector<Transition>& AllTransitions();

// The RPC that makes it: "AcceptReferral", "RecordContact", ...
absl::string_view MethodOf(Transition transition);

// Where the caller stands towards one referral. Decides what they may do.
enum class Standing {
  kNone,      // none of these: the referral is not theirs to see (NOT_FOUND)
  kReferrer,  // the organisation that made the referral
  // The link worker who holds it: its queue item is on their own queue, or
  // on their PCN's pool, or they claimed it from a colleague's queue in
  // their PCN; once accepted, the link worker of the caseload it is on.
  kLinkWorkerOfQueue,
  kPcnTeam,        // another link worker of the referral's PCN
  kAdministrator,  // an administrator (the PCN and triage team's tools)
};

// A standing's name for messages: "the referring organisation", ...
absl::string_view StandingName(Standing standing);

// The caller's standing towards `referral`, whose queue item is `item` (may
// be null). Pure: reads only its arguments.
Standing StandingOf(const auth::Principal& principal, const sprout::v1::Referral& referral,
                    const sprout::v1::QueueItem* item);

// One row of the state machine.
struct TransitionRule {
  Transition transition;
  std::vector<sprout::v1::ReferralState> from;  // states it may be taken from
  // The state it leads to; UNSPECIFIED when it keeps the current state
  // (Reassign and ResolveCodingReview; Reassign from RETURNED_TO_TRIAGE
  // leads to QUEUED).
  sprout::v1::ReferralState to;
  std::vector<Standing> who;  // who may take it
};

// The rule for `transition`.
const TransitionRule& RuleOf(Transition transition);

// The transitions legal from `state`, by method name, in table order.
std::vector<std::string> AllowedFrom(sprout::v1::ReferralState state);

// OK when `standing` may take `transition` from the referral's state. The
// state is checked first, so a link worker who lost a race to accept hears
// that the referral is now ACCEPTED rather than that they may not accept it:
//   FAILED_PRECONDITION  the state is not among `from`: a
//                        google.rpc.PreconditionFailure (type
//                        "REFERRAL_STATE", subject the referral) and an
//                        ErrorInfo ILLEGAL_TRANSITION whose metadata names the
//                        current state and the transitions allowed from it
//   PERMISSION_DENIED    the standing is not among the rule's `who` (the
//                        message says who may)
// REQUIRES: standing != kNone (the caller answers NOT_FOUND for that).
absl::Status CheckTransition(Transition transition, Standing standing,
                             const sprout::v1::Referral& referral);

}  // namespace sprout::lifecycle

#endif  // SPROUT_SERVER_LIFECYCLE_TRANSITIONS_H_
