// PostgresStoreImpl::UpdateReferral: a referral's lifecycle change, its queue
// item, lifecycle event, load counters, episode and audit record in one
// transaction, refused when the referral changed since the caller read it.
// The referral's row is locked (FOR UPDATE) before its etag is compared.
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "base/status_macros.h"
#include "server/store/names.h"
#include "server/store/postgres/pg_store_impl.h"

namespace sprout::store::postgres {
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

absl::StatusOr<Referral> PostgresStoreImpl::UpdateReferral(ReferralUpdate update) {
  Referral stored;
  SPROUT_RETURN_IF_ERROR(RunOnWriter(
      [this, &update, &stored](bool* partial) { return ApplyUpdate(update, &stored, partial); }));
  return stored;
}

absl::Status PostgresStoreImpl::ApplyUpdate(ReferralUpdate& u, Referral* stored, bool* partial) {
  SPROUT_ASSIGN_OR_RETURN(const std::string id,
                          IdFromName(u.referral.name(), "referrals", "referral.name"));
  SPROUT_ASSIGN_OR_RETURN(
      Result row, writer_->Run("SELECT body, episode_id FROM referrals WHERE id = $1 FOR UPDATE",
                               Params().Text(id)));
  if (row.rows() == 0) return absl::NotFoundError(absl::StrCat(u.referral.name(), " not found"));
  Referral old;
  if (!old.ParseFromString(std::string(row.Bytes(0, 0)))) {
    return absl::DataLossError(absl::StrCat("stored referral ", id, " is unreadable"));
  }
  const std::string episode_id = row.Text(0, 1);
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
        Result item_row,
        writer_->Run("SELECT body FROM queue_items WHERE id = $1 AND referral_id = $2 FOR UPDATE",
                     Params().Text(item_id).Text(id)));
    if (item_row.rows() == 0) {
      return absl::NotFoundError(
          absl::StrCat(u.queue_item->name(), " is not a queue item of ", u.referral.name()));
    }
    if (!old_item.ParseFromString(std::string(item_row.Bytes(0, 0)))) {
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
  SPROUT_RETURN_IF_ERROR(
      writer_
          ->Run("UPDATE referrals SET state = $1, link_worker = $2, body = $3 WHERE id = $4",
                Params()
                    .Int(next.state())
                    .Text(next.route().link_worker())
                    .Bytes(next.SerializeAsString())
                    .Text(id))
          .status());
  if (u.queue_item.has_value()) {
    QueueItem& item = *u.queue_item;
    // A new sequence, so WatchQueue resumes past the change.
    item.set_sequence(++chain_.last_queue_sequence);
    SPROUT_RETURN_IF_ERROR(
        writer_
            ->Run("UPDATE queue_items SET sequence = $1, queue = $2, pcn_code = $3, "
                  "priority = $4, state = $5, body = $6 WHERE id = $7",
                  Params()
                      .Int(item.sequence())
                      .Text(item.queue())
                      .Text(PcnCodeOfQueue(item.queue()))
                      .Int(item.priority())
                      .Int(item.state())
                      .Bytes(item.SerializeAsString())
                      .Text(item_id))
            .status());
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
    SPROUT_RETURN_IF_ERROR(
        AddAccepted(new_worker, absl::ToCivilYear(when, absl::UTCTimeZone()).year()));
  }
  if (u.close_episode) {
    SPROUT_RETURN_IF_ERROR(
        writer_->Run("UPDATE episodes SET is_open = FALSE WHERE id = $1", Params().Text(episode_id))
            .status());
  }
  SPROUT_RETURN_IF_ERROR(
      writer_
          ->Run("INSERT INTO referral_events (referral_id, state, event_time_us, actor) "
                "VALUES ($1, $2, $3, $4)",
                Params()
                    .Text(id)
                    .Int(next.state())
                    .Int(absl::ToUnixMicros(when))
                    .Text(u.audit.actor_organisation))
          .status());
  SPROUT_RETURN_IF_ERROR(InsertAudit(u.audit));
  *stored = next;
  return absl::OkStatus();
}

}  // namespace sprout::store::postgres
