// File: server/store/queue_claim.h
//
// The rules of a queue claim, shared by the backends so they agree: which
// items may be claimed, and what a claimed item looks like. The backends do
// the locking (the SQLite writer thread; PostgreSQL row locks) and the new
// sequence.
#ifndef SPROUT_SERVER_STORE_QUEUE_CLAIM_H_
#define SPROUT_SERVER_STORE_QUEUE_CLAIM_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "server/store/store.h"
#include "sprout/v1/queue.pb.h"

namespace sprout::store {

// INVALID_ARGUMENT for a claim no item could take (no claimant, an empty id,
// a lease already over).
absl::Status CheckClaim(const QueueClaim& claim);

// Applies `claim` to `item` as stored (state CLAIMED, claimed_by, lease, and
// an etag derived from `new_sequence`, which it also sets), or explains why
// not: PERMISSION_DENIED when not on claim.required_pcn's queues,
// FAILED_PRECONDITION when DONE or held by someone else under a live
// lease. A lease that ends at or before claim.now has lapsed.
// The etag of a queue item at `sequence` (each change takes a new sequence).
std::string QueueItemEtag(absl::string_view queue_item_id, int64_t sequence);

absl::Status ClaimItem(const QueueClaim& claim, int64_t new_sequence, sprout::v1::QueueItem* item);

}  // namespace sprout::store

#endif  // SPROUT_SERVER_STORE_QUEUE_CLAIM_H_
