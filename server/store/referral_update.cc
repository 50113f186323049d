// File: server/store/referral_update.cc
#include "server/store/referral_update.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "server/store/names.h"
#include "server/store/queue_claim.h"

namespace sprout::store {

using sprout::v1::Contact;
using sprout::v1::QueueItem;
using sprout::v1::Referral;

absl::Status ApplyReferralUpdate(UpdateStatements& db, const BodyCipher& cipher, absl::Time now,
                                 ChainState& chain, ReferralUpdate& u, UpdateOutcome* out,
                                 bool* partial) {
  SPROUT_ASSIGN_OR_RETURN(const std::string id,
                          IdFromName(u.referral.name(), "referrals", "referral.name"));
  *out = UpdateOutcome();
  SPROUT_ASSIGN_OR_RETURN(std::optional<UpdateStatements::StoredReferral> stored,
                          db.ReadReferralForUpdate(id));
  if (!stored.has_value()) {
    return absl::NotFoundError(absl::StrCat(u.referral.name(), " not found"));
  }
  Referral old;
  SPROUT_RETURN_IF_ERROR(cipher.OpenMessage(ReferralRecord(id), stored->body, &old));
  const std::string& episode_id = stored->episode_id;
  if (u.contact.has_value() && !u.contact_request_id.empty()) {
    // A retried RecordContact: answer with what the first one stored.
    SPROUT_ASSIGN_OR_RETURN(std::optional<UpdateStatements::StoredContact> replay,
                            db.ReadContactOfRequest(id, u.contact_request_id));
    if (replay.has_value()) {
      Contact contact;
      SPROUT_RETURN_IF_ERROR(
          cipher.OpenMessage(ContactRecord(id, replay->number), replay->body, &contact));
      out->referral = std::move(old);
      out->contact = std::move(contact);
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
    SPROUT_ASSIGN_OR_RETURN(std::optional<std::string> item_body,
                            db.ReadQueueItemForUpdate(item_id, id));
    if (!item_body.has_value()) {
      return absl::NotFoundError(
          absl::StrCat(u.queue_item->name(), " is not a queue item of ", u.referral.name()));
    }
    SPROUT_RETURN_IF_ERROR(cipher.OpenMessage(QueueItemRecord(item_id), *item_body, &old_item));
    if (!u.expected_item_etag.empty() && old_item.etag() != u.expected_item_etag) {
      return absl::AbortedError(
          absl::StrCat(u.queue_item->name(), " was changed since it was read; read it again"));
    }
  }
  std::string decision_id;
  if (u.decision.has_value()) {
    SPROUT_ASSIGN_OR_RETURN(decision_id,
                            IdFromName(u.decision->name(), "routingDecisions", "decision.name"));
  }

  // The episode link is the store's to decide, never the caller's.
  Referral& next = u.referral;
  next.set_episode(old.episode());
  next.set_linked_to_existing_episode(old.linked_to_existing_episode());
  const absl::Time when =
      next.has_update_time() ? absl::FromUnixMicros(TimestampMicros(next.update_time())) : now;

  *partial = true;  // every failure from here on may leave a write behind
  if (u.contact.has_value()) {
    Contact contact = *u.contact;
    SPROUT_RETURN_IF_ERROR(db.InsertContact(id, episode_id, u.contact_request_id, &contact));
    out->contact = std::move(contact);
  }
  SPROUT_RETURN_IF_ERROR(db.WriteReferral(id, next, cipher.SealMessage(ReferralRecord(id), next)));
  if (u.queue_item.has_value()) {
    QueueItem& item = *u.queue_item;
    // A new sequence, so WatchQueue resumes past the change.
    item.set_sequence(++chain.last_queue_sequence);
    item.set_etag(QueueItemEtag(item_id, item.sequence()));
    SPROUT_RETURN_IF_ERROR(
        db.WriteQueueItem(item_id, item, cipher.SealMessage(QueueItemRecord(item_id), item)));
  }
  SPROUT_RETURN_IF_ERROR(db.ApplyLoadChange(
      lifecycle::LoadChangeOf(&old, u.queue_item.has_value() ? &old_item : nullptr, next,
                              u.queue_item.has_value() ? &*u.queue_item : nullptr, when)));
  if (u.recorded_code.has_value()) {
    bool record = true;
    if (u.once_per_episode) {
      SPROUT_ASSIGN_OR_RETURN(record, db.MarkServiceCodeRecorded(episode_id));
    }
    if (record) out->recorded_code = *u.recorded_code;
  }
  if (u.close_episode) SPROUT_RETURN_IF_ERROR(db.CloseEpisodeUnlessLive(episode_id, id));
  UpdateStatements::ReferralEventRow event;
  event.state = next.state();
  event.when = when;
  event.actor = u.audit.actor_organisation;
  event.action = u.action;
  if (out->recorded_code.has_value()) {
    event.recorded_code = out->recorded_code->code();
    event.recorded_display = out->recorded_code->display();
  }
  SPROUT_RETURN_IF_ERROR(db.InsertReferralEvent(id, event));
  ++chain.referral_changes;
  if (u.decision.has_value()) {
    SPROUT_RETURN_IF_ERROR(db.InsertDecision(*u.decision, decision_id, id));
  }
  if (u.message_back) {
    SPROUT_RETURN_IF_ERROR(
        db.InsertOutboxRow(OutboxRowFor(next, id, stored->organisation_code, when, cipher)));
  }
  if (u.coding_choice.has_value()) {
    CodingChoice choice = *u.coding_choice;
    choice.referral_id = id;
    SPROUT_RETURN_IF_ERROR(db.InsertCodingChoice(
        choice, cipher.Seal(CodingChoiceRecord(id, choice.reason_index), choice.phrase)));
  }
  SPROUT_RETURN_IF_ERROR(db.InsertAudit(u.audit));
  out->referral = next;
  return absl::OkStatus();
}

}  // namespace sprout::store
