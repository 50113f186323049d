// PostgresStoreImpl::ClaimQueueItem: the item's row is locked (SELECT ... FOR
// UPDATE) inside the writer's transaction, so of concurrent claims from any
// replica the second waits for the first to commit and then sees it
// (queue_claim.h decides whether it may proceed).
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "server/lifecycle/caseload_accounting.h"
#include "server/store/postgres/pg_store_impl.h"
#include "server/store/queue_claim.h"

namespace sprout::store::postgres {

using sprout::v1::QueueItem;

absl::StatusOr<QueueItem> PostgresStoreImpl::ClaimQueueItem(const QueueClaim& claim) {
  SPROUT_RETURN_IF_ERROR(CheckClaim(claim));
  QueueItem stored;
  SPROUT_RETURN_IF_ERROR(group_commit_.Run(
      [this, &claim, &stored](bool* partial) { return ApplyClaim(claim, &stored, partial); }));
  return stored;
}

absl::Status PostgresStoreImpl::ApplyClaim(const QueueClaim& claim, QueueItem* stored,
                                           bool* partial) {
  SPROUT_ASSIGN_OR_RETURN(Result row,
                          writer_->Run("SELECT body FROM queue_items WHERE id = $1 FOR UPDATE",
                                       Params().Text(claim.queue_item_id)));
  if (row.rows() == 0) {
    return absl::NotFoundError(absl::StrCat("queueItems/", claim.queue_item_id, " not found"));
  }
  QueueItem item;
  SPROUT_RETURN_IF_ERROR(
      cipher().OpenMessage(QueueItemRecord(claim.queue_item_id), row.Bytes(0, 0), &item));
  const QueueItem before = item;
  SPROUT_RETURN_IF_ERROR(ClaimItem(claim, chain_.last_queue_sequence + 1, &item));
  ++chain_.last_queue_sequence;
  *partial = true;
  SPROUT_RETURN_IF_ERROR(
      writer_
          ->Run("UPDATE queue_items SET sequence = $1, state = $2, body = $3 WHERE id = $4",
                Params()
                    .Int(item.sequence())
                    .Int(item.state())
                    .Bytes(cipher().SealMessage(QueueItemRecord(claim.queue_item_id), item))
                    .Text(claim.queue_item_id))
          .status());
  // A claimed item no longer waits on its link worker's queue.
  SPROUT_RETURN_IF_ERROR(ApplyLoadChange(lifecycle::ItemLoadChangeOf(before, item)));
  SPROUT_RETURN_IF_ERROR(InsertAudit(claim.audit));
  *stored = std::move(item);
  return absl::OkStatus();
}

std::unique_ptr<QueueSubscription> PostgresStoreImpl::SubscribeQueueChanges(
    std::function<void()> wake) {
  return queue_changes_.Subscribe(std::move(wake));
}

}  // namespace sprout::store::postgres
