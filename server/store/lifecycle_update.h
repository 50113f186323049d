// File: server/store/lifecycle_update.h
//
// A lifecycle change (server/lifecycle/lifecycle.h) as the store commits it.
#ifndef SPROUT_SERVER_STORE_LIFECYCLE_UPDATE_H_
#define SPROUT_SERVER_STORE_LIFECYCLE_UPDATE_H_

#include <optional>
#include <string>

#include "server/lifecycle/lifecycle.h"
#include "server/store/store.h"

namespace sprout::store {

// What a lifecycle change is planned from: a referral and its queue item.
struct LifecycleRead {
  sprout::v1::Referral referral;
  std::optional<sprout::v1::QueueItem> item;

  const sprout::v1::QueueItem* item_or_null() const { return item ? &*item : nullptr; }
};

// Reads the referral and its item for planning a change. The item is read
// first: every change that moves an item also changes its referral, so the
// referral read after it is never older than the item, and a plan made from
// a pair that has moved on since fails on its etags (ABORTED) rather than
// on a standing computed from a newer item than referral. NOT_FOUND for an
// unknown referral; the store's errors otherwise.
absl::StatusOr<LifecycleRead> ReadForChange(Store& store, absl::string_view referral_id);

// The update that commits `change`, made by `step`, guarded by the etags of
// the referral and queue item the change was planned from (`item` may be
// null), with `audit` as its audit record and `contact_request_id` for a
// contact's idempotency.
ReferralUpdate UpdateOf(lifecycle::Change change, const lifecycle::Step& step,
                        const sprout::v1::Referral& read, const sprout::v1::QueueItem* item,
                        AuditEvent audit, std::string contact_request_id = "");

}  // namespace sprout::store

#endif  // SPROUT_SERVER_STORE_LIFECYCLE_UPDATE_H_
