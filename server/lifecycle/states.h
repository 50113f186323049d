// File: server/lifecycle/states.h
//
// What each referral state means for the rest of the service (DESIGN.md §3.7):
// which count as a link worker's open caseload, which as accepted, which are
// final. Every component that asks these questions asks them here.
#ifndef SPROUT_SERVER_LIFECYCLE_STATES_H_
#define SPROUT_SERVER_LIFECYCLE_STATES_H_

#include "absl/strings/string_view.h"
#include "sprout/v1/referral.pb.h"

namespace sprout::lifecycle {

using sprout::v1::ReferralState;

// ACCEPTED or IN_PROGRESS: on a link worker's open caseload.
bool IsOpen(ReferralState state);

// The person agreed at some point: ACCEPTED, IN_PROGRESS or CLOSED. Counts
// towards the link worker's accepted referrals of the year.
bool IsAccepted(ReferralState state);

// DECLINED, CLOSED or WITHDRAWN: nothing more can happen.
bool IsFinal(ReferralState state);

// ACCEPTED, DECLINED or CLOSED: the referrer is told (the PRSB message back
// to GP and referrer), through the outbox, when a referral reaches one.
// WITHDRAWN is not: the referrer withdrew it.
bool ReportedToReferrer(ReferralState state);

// The state's short name, "QUEUED", as clients see it without the prefix.
absl::string_view StateName(ReferralState state);

}  // namespace sprout::lifecycle

#endif  // SPROUT_SERVER_LIFECYCLE_STATES_H_
