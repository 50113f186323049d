// SqliteStoreImpl::ClaimQueueItem: claims run on the one writer thread, so
// two claims on one item are applied one after the other and the second sees
// the first (queue_claim.h decides whether it may proceed).
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "server/lifecycle/caseload_accounting.h"
#include "server/store/queue_claim.h"
#include "server/store/sqlite/sqlite_store_impl.h"

namespace sprout::store::sqlite {

using sprout::v1::QueueItem;

absl::StatusOr<QueueItem> SqliteStoreImpl::ClaimQueueItem(const QueueClaim& claim) {
  SPROUT_RETURN_IF_ERROR(CheckClaim(claim));
  QueueItem stored;
  SPROUT_RETURN_IF_ERROR(group_commit_.Run(
      [this, &claim, &stored](bool* partial) { return ApplyClaim(claim, &stored, partial); }));
  return stored;
}

absl::Status SqliteStoreImpl::ApplyClaim(const QueueClaim& claim, QueueItem* stored,
                                         bool* partial) {
  QueueItem item;
  {
    SPROUT_ASSIGN_OR_RETURN(Statement stmt,
                            writer_->Prepare("SELECT body FROM queue_items WHERE id = ?"));
    stmt.BindText(1, claim.queue_item_id);
    SPROUT_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) {
      return absl::NotFoundError(absl::StrCat("queueItems/", claim.queue_item_id, " not found"));
    }
    SPROUT_RETURN_IF_ERROR(
        cipher().OpenMessage(QueueItemRecord(claim.queue_item_id), stmt.ColumnBlob(0), &item));
  }
  const QueueItem before = item;
  SPROUT_RETURN_IF_ERROR(ClaimItem(claim, chain_.last_queue_sequence + 1, &item));
  ++chain_.last_queue_sequence;
  *partial = true;
  {
    SPROUT_ASSIGN_OR_RETURN(
        Statement stmt,
        writer_->Prepare("UPDATE queue_items SET sequence = ?, state = ?, body = ? WHERE id = ?"));
    SPROUT_RETURN_IF_ERROR(
        stmt.Bind(1, item.sequence())
            .Bind(2, item.state())
            .BindBlob(3, cipher().SealMessage(QueueItemRecord(claim.queue_item_id), item))
            .BindText(4, claim.queue_item_id)
            .Run());
  }
  // A claimed item no longer waits on its link worker's queue.
  SPROUT_RETURN_IF_ERROR(ApplyLoadChange(lifecycle::ItemLoadChangeOf(before, item)));
  SPROUT_RETURN_IF_ERROR(InsertAudit(claim.audit));
  *stored = std::move(item);
  return absl::OkStatus();
}

std::unique_ptr<QueueSubscription> SqliteStoreImpl::SubscribeQueueChanges(
    std::function<void()> wake) {
  return queue_changes_.Subscribe(std::move(wake));
}

}  // namespace sprout::store::sqlite
