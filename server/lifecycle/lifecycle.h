// File: server/lifecycle/lifecycle.h
//
// A referral's steps after submission, as pure functions: given the referral
// as stored, its queue item, who is asking and what they ask, the change to
// commit (the new referral and queue item, whether the episode may end, which
// SNOMED CT concept the step records). The store commits a Change with its
// lifecycle event and audit record in one transaction
// (store::ReferralUpdate); the gRPC handlers only translate requests into
// Steps. No I/O and no gRPC here.
//
//   lifecycle::Step step{lifecycle::Transition::kAccept, principal, clock->Now()};
//   SPROUT_ASSIGN_OR_RETURN(lifecycle::Change change,
//                           lifecycle::Apply(step, standing, referral, &item));
#ifndef SPROUT_SERVER_LIFECYCLE_LIFECYCLE_H_
#define SPROUT_SERVER_LIFECYCLE_LIFECYCLE_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/auth/principal.h"
#include "server/lifecycle/transitions.h"
#include "sprout/v1/common.pb.h"
#include "sprout/v1/queue.pb.h"
#include "sprout/v1/referral.pb.h"
#include "sprout/v1/routing.pb.h"

namespace sprout::lifecycle {

// 871731000000106 |Referral to social prescribing service|: recorded when the
// person accepts, once per episode of care (DOMAIN.md §1.2).
inline constexpr char kReferralToSocialPrescribing[] = "871731000000106";
inline constexpr char kReferralToSocialPrescribingTerm[] = "Referral to social prescribing service";
// 871711000000103 |Social prescribing declined|: recorded when the person
// declines.
inline constexpr char kSocialPrescribingDeclined[] = "871711000000103";
inline constexpr char kSocialPrescribingDeclinedTerm[] = "Social prescribing declined";

// What the caller asks for. Fields beyond the first three are read only by
// the transitions that name them; the handler has validated their shape
// (lengths, codes against the terminology, names against the directory).
struct Step {
  Transition transition = Transition::kAccept;
  auth::Principal actor;
  absl::Time now;

  // Decline, ReturnToTriage, Reassign, Withdraw: why (free text, kept from
  // referrers' views).
  std::string reason;
  // Decline.
  sprout::v1::DeclinedBy declined_by = sprout::v1::DECLINED_BY_UNSPECIFIED;
  sprout::v1::CodedConcept decline_code;  // DECLINED_BY_LINK_WORKER's reason
  // ReturnToTriage: the sub-ICB triage queue, "triageQueues/{sicbl}".
  std::string triage_queue;
  // Reassign: the new link worker "pcns/{pcn}/linkWorkers/{id}", and its
  // PCN's display name.
  std::string link_worker;
  std::string pcn_display;
  // Reassign: the directory in force, which a move to another PCN or out of
  // triage names in its new routing decision.
  std::string directory_version;
  // RecordContact: the contact as given (type, time, duration, notes,
  // wellbeing).
  sprout::v1::Contact contact;
  // Close.
  sprout::v1::Outcome outcome;
  sprout::v1::WellbeingScores wellbeing;  // also RecordContact's, from contact
  // ResolveCodingReview: which coded reason, and the concept chosen.
  int reason_index = 0;
  sprout::v1::CodedConcept chosen;
};

// The change to commit.
struct Change {
  sprout::v1::Referral referral;  // the new version: state, etag, update_time set
  // The queue item's new version, when it changes.
  std::optional<sprout::v1::QueueItem> queue_item;
  // The referral reached a final state: the person's episode ends unless
  // another of its referrals is still live.
  bool end_episode = false;
  // The concept this step records on the person's record, if any.
  // 871731000000106 is recorded only if the episode has not had it yet
  // (`once_per_episode`); the store decides, in the transaction.
  std::optional<sprout::v1::CodedConcept> recorded_code;
  bool once_per_episode = false;
  // RecordContact: the contact to store (name and number are the store's).
  std::optional<sprout::v1::Contact> contact;
  // Reassign to another PCN or out of triage: the new routing decision,
  // explained, for the routing log; the referral's route names it.
  std::optional<sprout::v1::RoutingDecision> decision;
};

// The next version of an etag "\"{id}-{n}\"" (AIP-154): "\"{id}-{n+1}\"".
std::string NextEtag(const sprout::v1::Referral& referral);

// The change `step` makes to `referral` (its queue item `item`, may be null),
// for a caller of `standing` (StandingOf). Errors:
//   PERMISSION_DENIED, FAILED_PRECONDITION  as CheckTransition
//   FAILED_PRECONDITION  the item is claimed by someone else under a live
//                        lease (QUEUE_ITEM_CLAIMED); the reason to resolve is
//                        not flagged for review (REASON_NOT_FLAGGED)
//   PERMISSION_DENIED    a move to another PCN, or out of triage, by anyone
//                        but an administrator
//   INVALID_ARGUMENT     reason_index out of range; reassigning to the link
//                        worker who already holds it
// REQUIRES: standing != Standing::kNone.
absl::StatusOr<Change> Apply(const Step& step, Standing standing,
                             const sprout::v1::Referral& referral,
                             const sprout::v1::QueueItem* item);

}  // namespace sprout::lifecycle

#endif  // SPROUT_SERVER_LIFECYCLE_LIFECYCLE_H_
