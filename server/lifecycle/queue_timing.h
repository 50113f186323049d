// File: server/lifecycle/queue_timing.h
//
// Time on a queue: a claim's lease lapses (the item is back on its queue for
// anyone), and an item left unclaimed too long is overdue (default 3 working
// days; 1 for urgent items). Both are judged at read time against the
// server's clock, so they need no background job and every replica agrees.
#ifndef SPROUT_SERVER_LIFECYCLE_QUEUE_TIMING_H_
#define SPROUT_SERVER_LIFECYCLE_QUEUE_TIMING_H_

#include "absl/time/time.h"
#include "sprout/v1/queue.pb.h"

namespace sprout::lifecycle {

// How long an item may wait unclaimed, in working days (Monday to Friday, on
// the calendar of England; bank holidays are not counted out).
struct OverduePolicy {
  int routine_working_days = 3;
  int urgent_working_days = 1;
};

// When an item enqueued at `enqueued` becomes overdue: the same time of day,
// `working_days` working days later (a weekend enqueue counts from Monday's start).
absl::Time OverdueAt(absl::Time enqueued, int working_days);

// True when `item` waits (or its claim has lapsed) and is past its overdue time.
bool IsOverdue(const sprout::v1::QueueItem& item, absl::Time now, const OverduePolicy& policy);

// `item` as of `now`: a claim whose lease has lapsed is shown WAITING again,
// and `overdue` is set. Items DONE are returned unchanged.
sprout::v1::QueueItem AsOf(sprout::v1::QueueItem item, absl::Time now, const OverduePolicy& policy);

}  // namespace sprout::lifecycle

#endif  // SPROUT_SERVER_LIFECYCLE_QUEUE_TIMING_H_
