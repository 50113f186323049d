// Counting the referrals waiting on a limited queue in the store, for the
// per-PCN queue limit (admission/queue_limiter.h).
#ifndef SPROUT_SERVER_PIPELINE_WAITING_COUNT_H_
#define SPROUT_SERVER_PIPELINE_WAITING_COUNT_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/store/store.h"

namespace sprout::pipeline {

// CountWaitingItems()
//
// The number of items waiting on `limited_queue` ("pcns/{pcn}": the pool and
// every link worker's queue of the PCN; or "triageQueues/{id}"), read page by
// page through Store::ListQueueItems: cost grows with the count, so callers
// count rarely (QueueLimiter recounts once per interval). The store's errors
// are returned as they are.
absl::StatusOr<int64_t> CountWaitingItems(store::Store& store, absl::string_view limited_queue);

}  // namespace sprout::pipeline

#endif  // SPROUT_SERVER_PIPELINE_WAITING_COUNT_H_
