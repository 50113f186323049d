// File: server/common/england_time.h
//
// The civil calendar of England (Europe/London, GMT and BST), in which
// referral dates, working days and NHS financial years are reckoned.
#ifndef SPROUT_SERVER_COMMON_ENGLAND_TIME_H_
#define SPROUT_SERVER_COMMON_ENGLAND_TIME_H_

#include "absl/time/time.h"

namespace sprout {

// Europe/London, loaded once; UTC when the zone database is absent (minimal
// container images), which shifts day boundaries by an hour in summer.
const absl::TimeZone& EnglandTimeZone();

}  // namespace sprout

#endif  // SPROUT_SERVER_COMMON_ENGLAND_TIME_H_
