// File: server/api/overdue_items.h
//
// Queue items left unclaimed past their time, judged at read time against
// the server's clock (lifecycle::IsOverdue): the store offers candidates
// (items still on a queue, enqueued long enough ago to be overdue), and this
// keeps those overdue now. For GetStats' counts and ListOverdueItems.
#ifndef SPROUT_SERVER_API_OVERDUE_ITEMS_H_
#define SPROUT_SERVER_API_OVERDUE_ITEMS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/lifecycle/queue_timing.h"
#include "server/store/store.h"
#include "sprout/v1/queue.pb.h"

namespace sprout::api {

struct OverduePage {
  // Overdue items in the order they last changed (queue sequence), as of
  // now (lifecycle::AsOf).
  std::vector<sprout::v1::QueueItem> items;
  // Resume after this sequence; 0 when nothing is left to read.
  int64_t resume_after = 0;
};

// Up to `limit` items overdue at `now` under `policy`, with sequence >
// `after_sequence`, on `pcn_code`'s queues (empty: every queue, triage
// queues included). Reads the store in batches; the store's error if it
// cannot be read.
absl::StatusOr<OverduePage> ReadOverdueItems(store::Store& store, absl::Time now,
                                             const lifecycle::OverduePolicy& policy,
                                             absl::string_view pcn_code, int64_t after_sequence,
                                             int limit);

// Every item overdue now, counted by the PCN code of its queue ("" for
// triage queues).
absl::StatusOr<absl::flat_hash_map<std::string, int64_t>> CountOverdueItems(
    store::Store& store, absl::Time now, const lifecycle::OverduePolicy& policy);

}  // namespace sprout::api

#endif  // SPROUT_SERVER_API_OVERDUE_ITEMS_H_
