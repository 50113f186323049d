// PostgresStoreImpl::UpdateReferral: a referral's lifecycle change, its queue
// item, lifecycle event, load counters, contact, episode and audit record in
// one transaction, refused when the referral or its item changed since the
// caller read them. The referral's and item's rows are locked (FOR UPDATE)
// before their etags are compared, so of concurrent changes from any replica
// exactly one applies. What the change is, and how it counts towards
// caseloads, is the lifecycle component's (server/lifecycle/).
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "server/lifecycle/caseload_accounting.h"
#include "server/store/names.h"
#include "server/store/postgres/pg_store_impl.h"
#include "server/store/queue_claim.h"

namespace sprout::store::postgres {

using sprout::v1::Contact;
using sprout::v1::QueueItem;
using sprout::v1::Referral;

absl::StatusOr<UpdateOutcome> PostgresStoreImpl::UpdateReferral(ReferralUpdate update) {
  UpdateOutcome out;
  SPROUT_RETURN_IF_ERROR(group_commit_.Run(
      [this, &update, &out](bool* partial) { return ApplyUpdate(update, &out, partial); }));
  return out;
}

absl::Status PostgresStoreImpl::InsertContact(const std::string& referral_id,
                                              const std::string& episode_id,
                                              const std::string& request_id, Contact* contact) {
  // Two referrals of one episode could race for a number: the unique index
  // contacts_by_episode is the guard (the loser's transaction fails and the
  // client retries with its request_id).
  SPROUT_ASSIGN_OR_RETURN(
      Result row,
      writer_->Run("SELECT COALESCE(MAX(number), 0) FROM contacts WHERE episode_id = $1",
                   Params().Text(episode_id)));
  const int64_t number = row.Int(0, 0) + 1;
  contact->set_number(static_cast<int32_t>(number));
  contact->set_name(absl::StrCat("referrals/", referral_id, "/contacts/", number));
  return writer_
      ->Run(
          "INSERT INTO contacts (referral_id, episode_id, number, request_id, body) "
          "VALUES ($1, $2, $3, $4, $5)",
          Params()
              .Text(referral_id)
              .Text(episode_id)
              .Int(number)
              .Text(request_id)
              .Bytes(cipher().SealMessage(ContactRecord(referral_id, number), *contact)))
      .status();
}

// A decision and its reasons in one statement.
constexpr char kInsertDecision[] = R"sql(
WITH d AS (
  INSERT INTO routing_decisions (id, referral_id, pcn_code, practice_code, source_type, outcome,
                                 rule, decide_time_us, body)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING pk
)
INSERT INTO decision_reasons (concept_id, decision_pk)
SELECT DISTINCT c, d.pk FROM d, unnest($10::BIGINT[]) AS c
)sql";

absl::Status PostgresStoreImpl::InsertDecision(const sprout::v1::RoutingDecision& d,
                                               const std::string& referral_id) {
  SPROUT_ASSIGN_OR_RETURN(const std::string decision_id,
                          IdFromName(d.name(), "routingDecisions", "decision.name"));
  return writer_
      ->Run(kInsertDecision, Params()
                                 .Text(decision_id)
                                 .Text(referral_id)
                                 .Text(PcnCodeOfQueue(d.route().pcn()))
                                 .Text(d.practice_code())
                                 .Int(d.source_type())
                                 .Int(d.outcome())
                                 .Text(d.route().rule())
                                 .Int(TimestampMicros(d.decide_time()))
                                 .Bytes(cipher().SealMessage(DecisionRecord(decision_id), d))
                                 .Text(DecisionReasonArray(d)))
      .status();
}

absl::Status PostgresStoreImpl::ApplyUpdate(ReferralUpdate& u, UpdateOutcome* out, bool* partial) {
  SPROUT_ASSIGN_OR_RETURN(const std::string id,
                          IdFromName(u.referral.name(), "referrals", "referral.name"));
  *out = UpdateOutcome();
  SPROUT_ASSIGN_OR_RETURN(
      Result row, writer_->Run("SELECT body, episode_id FROM referrals WHERE id = $1 FOR UPDATE",
                               Params().Text(id)));
  if (row.rows() == 0) return absl::NotFoundError(absl::StrCat(u.referral.name(), " not found"));
  Referral old;
  SPROUT_RETURN_IF_ERROR(cipher().OpenMessage(ReferralRecord(id), row.Bytes(0, 0), &old));
  const std::string episode_id = row.Text(0, 1);
  if (u.contact.has_value() && !u.contact_request_id.empty()) {
    // A retried RecordContact: answer with what the first one stored.
    SPROUT_ASSIGN_OR_RETURN(
        Result replay,
        writer_->Run("SELECT number, body FROM contacts WHERE referral_id = $1 AND request_id = $2",
                     Params().Text(id).Text(u.contact_request_id)));
    if (replay.rows() > 0) {
      Contact stored;
      SPROUT_RETURN_IF_ERROR(
          cipher().OpenMessage(ContactRecord(id, replay.Int(0, 0)), replay.Bytes(0, 1), &stored));
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
        Result item_row,
        writer_->Run("SELECT body FROM queue_items WHERE id = $1 AND referral_id = $2 FOR UPDATE",
                     Params().Text(item_id).Text(id)));
    if (item_row.rows() == 0) {
      return absl::NotFoundError(
          absl::StrCat(u.queue_item->name(), " is not a queue item of ", u.referral.name()));
    }
    SPROUT_RETURN_IF_ERROR(
        cipher().OpenMessage(QueueItemRecord(item_id), item_row.Bytes(0, 0), &old_item));
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
  SPROUT_RETURN_IF_ERROR(
      writer_
          ->Run("UPDATE referrals SET state = $1, link_worker = $2, body = $3 WHERE id = $4",
                Params()
                    .Int(next.state())
                    .Text(next.route().link_worker())
                    .Bytes(cipher().SealMessage(ReferralRecord(id), next))
                    .Text(id))
          .status());
  if (u.queue_item.has_value()) {
    QueueItem& item = *u.queue_item;
    // A new sequence, so WatchQueue resumes past the change.
    item.set_sequence(++chain_.last_queue_sequence);
    item.set_etag(QueueItemEtag(item_id, item.sequence()));
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
                      .Bytes(cipher().SealMessage(QueueItemRecord(item_id), item))
                      .Text(item_id))
            .status());
  }
  SPROUT_RETURN_IF_ERROR(ApplyLoadChange(
      lifecycle::LoadChangeOf(&old, u.queue_item.has_value() ? &old_item : nullptr, next,
                              u.queue_item.has_value() ? &*u.queue_item : nullptr, when)));

  if (u.recorded_code.has_value()) {
    bool record = true;
    if (u.once_per_episode) {
      SPROUT_ASSIGN_OR_RETURN(
          Result updated, writer_->Run("UPDATE episodes SET service_code_recorded = TRUE "
                                       "WHERE id = $1 AND NOT service_code_recorded RETURNING id",
                                       Params().Text(episode_id)));
      record = updated.rows() == 1;
    }
    if (record) out->recorded_code = *u.recorded_code;
  }
  if (u.close_episode) {
    // Another live referral of the same episode keeps it open.
    SPROUT_RETURN_IF_ERROR(
        writer_
            ->Run("UPDATE episodes SET is_open = FALSE WHERE id = $1 AND NOT EXISTS ("
                  "SELECT 1 FROM referrals WHERE episode_id = $1 AND id <> $2 "
                  "AND state NOT IN (4, 7, 8))",
                  Params().Text(episode_id).Text(id))
            .status());
  }
  SPROUT_RETURN_IF_ERROR(
      writer_
          ->Run("INSERT INTO referral_events (referral_id, state, event_time_us, actor, action, "
                "recorded_code, recorded_display) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                Params()
                    .Text(id)
                    .Int(next.state())
                    .Int(absl::ToUnixMicros(when))
                    .Text(u.audit.actor_organisation)
                    .Text(u.action)
                    .Text(out->recorded_code.has_value() ? out->recorded_code->code() : "")
                    .Text(out->recorded_code.has_value() ? out->recorded_code->display() : ""))
          .status());
  if (u.decision.has_value()) SPROUT_RETURN_IF_ERROR(InsertDecision(*u.decision, id));
  ++chain_.referral_changes;
  SPROUT_RETURN_IF_ERROR(InsertAudit(u.audit));
  out->referral = next;
  return absl::OkStatus();
}

}  // namespace sprout::store::postgres
