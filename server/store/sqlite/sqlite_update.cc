// SqliteStoreImpl::UpdateReferral: a referral's lifecycle change, its queue
// item, lifecycle event, load counters, contact, episode and audit record in
// one transaction, refused when the referral or its item changed since the
// caller read them. What the change is, and how it counts towards caseloads,
// is the lifecycle component's (server/lifecycle/); this file only writes it.
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "server/lifecycle/caseload_accounting.h"
#include "server/store/names.h"
#include "server/store/queue_claim.h"
#include "server/store/sqlite/sqlite_store_impl.h"

namespace sprout::store::sqlite {

using sprout::v1::Contact;
using sprout::v1::QueueItem;
using sprout::v1::Referral;

absl::StatusOr<UpdateOutcome> SqliteStoreImpl::UpdateReferral(ReferralUpdate update) {
  UpdateOutcome out;
  // The writer may run this more than once (a batch re-run): it must not
  // consume `update`.
  SPROUT_RETURN_IF_ERROR(group_commit_.Run(
      [this, &update, &out](bool* partial) { return ApplyUpdate(update, &out, partial); }));
  return out;
}

absl::Status SqliteStoreImpl::InsertContact(const std::string& referral_id,
                                            const std::string& episode_id,
                                            const std::string& request_id, Contact* contact) {
  int64_t number = 0;
  {
    SPROUT_ASSIGN_OR_RETURN(
        Statement stmt,
        writer_->Prepare("SELECT COALESCE(MAX(number), 0) FROM contacts WHERE episode_id = ?"));
    stmt.BindText(1, episode_id);
    SPROUT_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (row) number = stmt.ColumnInt64(0);
  }
  ++number;
  contact->set_number(static_cast<int32_t>(number));
  contact->set_name(absl::StrCat("referrals/", referral_id, "/contacts/", number));
  SPROUT_ASSIGN_OR_RETURN(
      Statement stmt,
      writer_->Prepare("INSERT INTO contacts (referral_id, episode_id, number, request_id, body) "
                       "VALUES (?, ?, ?, ?, ?)"));
  return stmt.BindText(1, referral_id)
      .BindText(2, episode_id)
      .Bind(3, number)
      .BindText(4, request_id)
      .BindBlob(5, cipher().SealMessage(ContactRecord(referral_id, number), *contact))
      .Run();
}

absl::Status SqliteStoreImpl::ApplyUpdate(ReferralUpdate& u, UpdateOutcome* out, bool* partial) {
  SPROUT_ASSIGN_OR_RETURN(const std::string id,
                          IdFromName(u.referral.name(), "referrals", "referral.name"));
  *out = UpdateOutcome();
  Referral old;
  std::string episode_id;
  {
    SPROUT_ASSIGN_OR_RETURN(
        Statement stmt, writer_->Prepare("SELECT body, episode_id FROM referrals WHERE id = ?"));
    stmt.BindText(1, id);
    SPROUT_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) return absl::NotFoundError(absl::StrCat(u.referral.name(), " not found"));
    SPROUT_RETURN_IF_ERROR(cipher().OpenMessage(ReferralRecord(id), stmt.ColumnBlob(0), &old));
    episode_id = stmt.ColumnText(1);
  }
  if (u.contact.has_value() && !u.contact_request_id.empty()) {
    // A retried RecordContact: answer with what the first one stored.
    SPROUT_ASSIGN_OR_RETURN(
        Statement stmt,
        writer_->Prepare(
            "SELECT number, body FROM contacts WHERE referral_id = ? AND request_id = ?"));
    stmt.BindText(1, id).BindText(2, u.contact_request_id);
    SPROUT_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (row) {
      Contact stored;
      SPROUT_RETURN_IF_ERROR(cipher().OpenMessage(ContactRecord(id, stmt.ColumnInt64(0)),
                                                  stmt.ColumnBlob(1), &stored));
      out->referral = std::move(old);
      out->contact = std::move(stored);
      out->replayed = true;
      return absl::OkStatus();
    }
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
    SPROUT_RETURN_IF_ERROR(
        cipher().OpenMessage(QueueItemRecord(item_id), stmt.ColumnBlob(0), &old_item));
    if (!u.expected_item_etag.empty() && old_item.etag() != u.expected_item_etag) {
      return absl::AbortedError(
          absl::StrCat(u.queue_item->name(), " was changed since it was read; read it again"));
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
  if (u.contact.has_value()) {
    Contact contact = *u.contact;
    SPROUT_RETURN_IF_ERROR(InsertContact(id, episode_id, u.contact_request_id, &contact));
    out->contact = std::move(contact);
  }
  {
    SPROUT_ASSIGN_OR_RETURN(
        Statement stmt,
        writer_->Prepare("UPDATE referrals SET state = ?, link_worker = ?, body = ? WHERE id = ?"));
    SPROUT_RETURN_IF_ERROR(stmt.Bind(1, next.state())
                               .BindText(2, next.route().link_worker())
                               .BindBlob(3, cipher().SealMessage(ReferralRecord(id), next))
                               .BindText(4, id)
                               .Run());
  }
  if (u.queue_item.has_value()) {
    QueueItem& item = *u.queue_item;
    // A new sequence, so WatchQueue resumes past the change.
    item.set_sequence(++chain_.last_queue_sequence);
    item.set_etag(QueueItemEtag(item_id, item.sequence()));
    SPROUT_ASSIGN_OR_RETURN(
        Statement stmt,
        writer_->Prepare("UPDATE queue_items SET sequence = ?, queue = ?, pcn_code = ?, "
                         "priority = ?, state = ?, body = ? WHERE id = ?"));
    SPROUT_RETURN_IF_ERROR(stmt.Bind(1, item.sequence())
                               .BindText(2, item.queue())
                               .BindText(3, PcnCodeOfQueue(item.queue()))
                               .Bind(4, item.priority())
                               .Bind(5, item.state())
                               .BindBlob(6, cipher().SealMessage(QueueItemRecord(item_id), item))
                               .BindText(7, item_id)
                               .Run());
  }
  SPROUT_RETURN_IF_ERROR(ApplyLoadChange(
      lifecycle::LoadChangeOf(&old, u.queue_item.has_value() ? &old_item : nullptr, next,
                              u.queue_item.has_value() ? &*u.queue_item : nullptr, when)));

  if (u.recorded_code.has_value()) {
    bool record = true;
    if (u.once_per_episode) {
      SPROUT_ASSIGN_OR_RETURN(Statement stmt,
                              writer_->Prepare("UPDATE episodes SET service_code_recorded = 1 "
                                               "WHERE id = ? AND service_code_recorded = 0"));
      SPROUT_RETURN_IF_ERROR(stmt.BindText(1, episode_id).Run());
      record = writer_->Changes() == 1;
    }
    if (record) out->recorded_code = *u.recorded_code;
  }
  if (u.close_episode) {
    // Another live referral of the same episode keeps it open.
    SPROUT_ASSIGN_OR_RETURN(
        Statement stmt,
        writer_->Prepare("UPDATE episodes SET is_open = 0 WHERE id = ?1 AND NOT EXISTS ("
                         "SELECT 1 FROM referrals WHERE episode_id = ?1 AND id != ?2 "
                         "AND state NOT IN (4, 7, 8))"));
    SPROUT_RETURN_IF_ERROR(stmt.BindText(1, episode_id).BindText(2, id).Run());
  }
  {
    SPROUT_ASSIGN_OR_RETURN(
        Statement stmt,
        writer_->Prepare("INSERT INTO referral_events (referral_id, state, event_time_us, actor, "
                         "action, recorded_code, recorded_display) VALUES (?, ?, ?, ?, ?, ?, ?)"));
    SPROUT_RETURN_IF_ERROR(
        stmt.BindText(1, id)
            .Bind(2, next.state())
            .Bind(3, absl::ToUnixMicros(when))
            .BindText(4, u.audit.actor_organisation)
            .BindText(5, u.action)
            .BindText(6, out->recorded_code.has_value() ? out->recorded_code->code() : "")
            .BindText(7, out->recorded_code.has_value() ? out->recorded_code->display() : "")
            .Run());
  }
  ++chain_.referral_changes;
  if (u.decision.has_value()) {
    SPROUT_ASSIGN_OR_RETURN(const std::string decision_id,
                            IdFromName(u.decision->name(), "routingDecisions", "decision.name"));
    SPROUT_RETURN_IF_ERROR(InsertDecision(*u.decision, decision_id, id));
  }
  SPROUT_RETURN_IF_ERROR(InsertAudit(u.audit));
  out->referral = next;
  return absl::OkStatus();
}

}  // namespace sprout::store::sqlite
