// SqliteStoreImpl::UpdateReferral: a referral's lifecycle change, its queue
// item, lifecycle event, load counters, episode and audit record in one
// transaction, refused when the referral changed since the caller read it.
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "base/status_macros.h"
#include "server/store/names.h"
#include "server/store/sqlite/sqlite_store_impl.h"

namespace sprout::store::sqlite {
namespace {

using sprout::v1::QueueItem;
using sprout::v1::Referral;

bool IsOpen(sprout::v1::ReferralState s) {
  return s == sprout::v1::REFERRAL_STATE_ACCEPTED || s == sprout::v1::REFERRAL_STATE_IN_PROGRESS;
}

bool IsAccepted(sprout::v1::ReferralState s) {
  return IsOpen(s) || s == sprout::v1::REFERRAL_STATE_CLOSED;
}

bool IsWaitingOnLinkWorker(const QueueItem& item) {
  return item.state() == sprout::v1::QUEUE_ITEM_STATE_WAITING &&
         absl::StrContains(item.queue(), "/linkWorkers/");
}

}  // namespace

absl::StatusOr<Referral> SqliteStoreImpl::UpdateReferral(ReferralUpdate update) {
  Referral stored;
  // The writer may run this more than once (a batch re-run): it must not
  // consume `update`.
  SPROUT_RETURN_IF_ERROR(RunOnWriter(
      [this, &update, &stored](bool* partial) { return ApplyUpdate(update, &stored, partial); }));
  return stored;
}

absl::Status SqliteStoreImpl::ApplyUpdate(ReferralUpdate& u, Referral* stored, bool* partial) {
  SPROUT_ASSIGN_OR_RETURN(const std::string id,
                          IdFromName(u.referral.name(), "referrals", "referral.name"));
  Referral old;
  std::string episode_id;
  {
    SPROUT_ASSIGN_OR_RETURN(
        Statement stmt, writer_->Prepare("SELECT body, episode_id FROM referrals WHERE id = ?"));
    stmt.BindText(1, id);
    SPROUT_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) return absl::NotFoundError(absl::StrCat(u.referral.name(), " not found"));
    if (!old.ParseFromString(std::string(stmt.ColumnBlob(0)))) {
      return absl::DataLossError(absl::StrCat("stored referral ", id, " is unreadable"));
    }
    episode_id = stmt.ColumnText(1);
  }
  if (!u.expected_etag.empty() && old.etag() != u.expected_etag) {
    return absl::AbortedError(
        absl::StrCat(u.referral.name(), " was changed since it was read; read it again"));
  }
  std::string item_id;
  QueueItem old_item;
  if (u.queue_item.has_value()) {
    SPROUT_ASSIGN_OR_RETURN(item_id,
                            IdFromName(u.queue_item->name(), "queueItems", "queue_item.name"));
    SPROUT_ASSIGN_OR_RETURN(
        Statement stmt,
        writer_->Prepare("SELECT body FROM queue_items WHERE id = ? AND referral_id = ?"));
    stmt.BindText(1, item_id).BindText(2, id);
    SPROUT_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) {
      return absl::NotFoundError(
          absl::StrCat(u.queue_item->name(), " is not a queue item of ", u.referral.name()));
    }
    if (!old_item.ParseFromString(std::string(stmt.ColumnBlob(0)))) {
      return absl::DataLossError(absl::StrCat("stored queue item ", item_id, " is unreadable"));
    }
  }

  // The episode link is the store's to decide, never the caller's.
  Referral& next = u.referral;
  next.set_episode(old.episode());
  next.set_linked_to_existing_episode(old.linked_to_existing_episode());
  const absl::Time when = next.has_update_time()
                              ? absl::FromUnixMicros(TimestampMicros(next.update_time()))
                              : clock_->Now();

  *partial = true;  // every failure from here on may leave a write behind
  {
    SPROUT_ASSIGN_OR_RETURN(
        Statement stmt,
        writer_->Prepare("UPDATE referrals SET state = ?, link_worker = ?, body = ? WHERE id = ?"));
    SPROUT_RETURN_IF_ERROR(stmt.Bind(1, next.state())
                               .BindText(2, next.route().link_worker())
                               .BindBlob(3, next.SerializeAsString())
                               .BindText(4, id)
                               .Run());
  }
  if (u.queue_item.has_value()) {
    QueueItem& item = *u.queue_item;
    // A new sequence, so WatchQueue resumes past the change.
    item.set_sequence(chain_.next_queue_sequence++);
    SPROUT_ASSIGN_OR_RETURN(
        Statement stmt,
        writer_->Prepare("UPDATE queue_items SET sequence = ?, queue = ?, pcn_code = ?, "
                         "priority = ?, state = ?, body = ? WHERE id = ?"));
    SPROUT_RETURN_IF_ERROR(stmt.Bind(1, item.sequence())
                               .BindText(2, item.queue())
                               .BindText(3, PcnCodeOfQueue(item.queue()))
                               .Bind(4, item.priority())
                               .Bind(5, item.state())
                               .BindBlob(6, item.SerializeAsString())
                               .BindText(7, item_id)
                               .Run());
    if (IsWaitingOnLinkWorker(old_item)) SPROUT_RETURN_IF_ERROR(AddLoad(old_item.queue(), 0, -1));
    if (IsWaitingOnLinkWorker(item)) SPROUT_RETURN_IF_ERROR(AddLoad(item.queue(), 0, 1));
  }

  const std::string& old_worker = old.route().link_worker();
  const std::string& new_worker = next.route().link_worker();
  if (old_worker != new_worker || IsOpen(old.state()) != IsOpen(next.state())) {
    if (IsOpen(old.state()) && !old_worker.empty()) {
      SPROUT_RETURN_IF_ERROR(AddLoad(old_worker, -1, 0));
    }
    if (IsOpen(next.state()) && !new_worker.empty()) {
      SPROUT_RETURN_IF_ERROR(AddLoad(new_worker, 1, 0));
    }
  }
  if (!IsAccepted(old.state()) && IsAccepted(next.state()) && !new_worker.empty()) {
    SPROUT_ASSIGN_OR_RETURN(
        Statement stmt,
        writer_->Prepare("INSERT INTO link_worker_accepted (link_worker, year, accepted) "
                         "VALUES (?1, ?2, 1) ON CONFLICT (link_worker, year) "
                         "DO UPDATE SET accepted = accepted + 1"));
    SPROUT_RETURN_IF_ERROR(stmt.BindText(1, new_worker)
                               .Bind(2, absl::ToCivilYear(when, absl::UTCTimeZone()).year())
                               .Run());
  }

  if (u.close_episode) {
    SPROUT_ASSIGN_OR_RETURN(Statement stmt,
                            writer_->Prepare("UPDATE episodes SET is_open = 0 WHERE id = ?"));
    SPROUT_RETURN_IF_ERROR(stmt.BindText(1, episode_id).Run());
  }
  {
    SPROUT_ASSIGN_OR_RETURN(
        Statement stmt,
        writer_->Prepare("INSERT INTO referral_events (referral_id, state, event_time_us, actor) "
                         "VALUES (?, ?, ?, ?)"));
    SPROUT_RETURN_IF_ERROR(stmt.BindText(1, id)
                               .Bind(2, next.state())
                               .Bind(3, absl::ToUnixMicros(when))
                               .BindText(4, u.audit.actor_organisation)
                               .Run());
  }
  SPROUT_RETURN_IF_ERROR(InsertAudit(u.audit));
  *stored = next;
  return absl::OkStatus();
}

}  // namespace sprout::store::sqlite
