// Need-to-know (Caldicott principle 3): what a reader who does not need to
// identify the person is shown of a referral.
#ifndef SPROUT_SERVER_AUTH_NEED_TO_KNOW_H_
#define SPROUT_SERVER_AUTH_NEED_TO_KNOW_H_

#include "sprout/v1/referral.pb.h"

namespace sprout::auth {

// Removes from `referral` what identifies the person or tells their story,
// keeping what running the service needs (codes, dates, states, routing), and
// sets `pseudonymised`. Precisely (referral.proto, Referral.pseudonymised):
//  - patient: NHS number, given and family name, address lines and town,
//    contact details and communication needs go; the birth date keeps its
//    year only; the postcode keeps its district ("ZW2 5LB" becomes "ZW2");
//    registered practice, gender, NHS number status and ethnic category stay;
//  - every free text goes: reasons given as text (in `reasons` and in each
//    coded reason's `original`), what matters to me, the priority reason,
//    consent notes (obtained by, limitations), safeguarding details,
//    supporting information (household, risk to staff, notes) and the
//    outcome summary. Coded reasons, safeguarding codes and outcome codes stay.
void Pseudonymise(sprout::v1::Referral& referral);

// What the referring organisation is shown of its own referral once a link
// worker has it: the state, dates, the PCN, coded outcome and scores, but not
// who works with the person or how the work is going. Removes the link
// worker (route.link_worker, and who resolved a coding review), and sets
// nothing else. Contact notes are never part of a Referral.
void MinimiseForReferrer(sprout::v1::Referral& referral);

// The district of a normalised postcode ("ZW2 5LB" -> "ZW2"); empty when it
// has no space (not normalised, so it cannot be cut safely).
std::string PostcodeDistrict(const std::string& postcode);

}  // namespace sprout::auth

#endif  // SPROUT_SERVER_AUTH_NEED_TO_KNOW_H_
