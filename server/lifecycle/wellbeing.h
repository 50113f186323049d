// File: server/lifecycle/wellbeing.h
//
// Wellbeing scores a link worker records (at a contact or at closing): ONS4
// (four items, each 0 to 10) and SWEMWBS (seven items, each 1 to 5, raw total
// 7 to 35). A referral keeps the first and the latest, so change over the
// episode can be reported.
#ifndef SPROUT_SERVER_LIFECYCLE_WELLBEING_H_
#define SPROUT_SERVER_LIFECYCLE_WELLBEING_H_

#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/common/errors.h"
#include "sprout/v1/referral.pb.h"

namespace sprout::lifecycle {

// True when `scores` holds neither ONS4 nor SWEMWBS items.
bool IsEmpty(const sprout::v1::WellbeingScores& scores);

// Every range or shape problem, each naming its field under `field`
// (e.g. "wellbeing.ons4.anxiety"). Empty scores are valid (nothing recorded).
std::vector<FieldViolation> CheckWellbeing(const sprout::v1::WellbeingScores& scores,
                                           absl::string_view field);

// Records valid, non-empty `scores` taken at `when` on `referral`: they become
// the latest, and the first if there were none. Output-only fields (total,
// measure_time) are set here.
void RecordWellbeing(sprout::v1::WellbeingScores scores, absl::Time when,
                     sprout::v1::Referral& referral);

}  // namespace sprout::lifecycle

#endif  // SPROUT_SERVER_LIFECYCLE_WELLBEING_H_
