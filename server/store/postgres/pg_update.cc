// PostgresStoreImpl::UpdateReferral: the shared update (server/store/
// referral_update.h) run by the writer, and the PostgreSQL statements it
// needs. The referral's and item's rows are locked (FOR UPDATE) before their
// etags are compared, so of concurrent changes from any replica exactly one
// applies.
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "server/lifecycle/caseload_accounting.h"
#include "server/store/names.h"
#include "server/store/postgres/pg_store_impl.h"
#include "server/store/queue_claim.h"
#include "server/store/referral_update.h"

namespace sprout::store::postgres {

using sprout::v1::Contact;
using sprout::v1::QueueItem;
using sprout::v1::Referral;

absl::StatusOr<UpdateOutcome> PostgresStoreImpl::UpdateReferral(ReferralUpdate update) {
  UpdateOutcome out;
  SPROUT_RETURN_IF_ERROR(group_commit_.Run([this, &update, &out](bool* partial) {
    return ApplyReferralUpdate(*this, cipher(), clock_->Now(), chain_, update, &out, partial);
  }));
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
                                               const std::string& decision_id,
                                               const std::string& referral_id) {
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

absl::StatusOr<std::optional<UpdateStatements::StoredReferral>>
PostgresStoreImpl::ReadReferralForUpdate(const std::string& referral_id) {
  SPROUT_ASSIGN_OR_RETURN(
      Result row,
      writer_->Run(
          "SELECT body, episode_id, organisation_code FROM referrals WHERE id = $1 FOR UPDATE",
          Params().Text(referral_id)));
  if (row.rows() == 0) return std::nullopt;
  return StoredReferral{std::string(row.Bytes(0, 0)), row.Text(0, 1), row.Text(0, 2)};
}

absl::StatusOr<std::optional<UpdateStatements::StoredContact>>
PostgresStoreImpl::ReadContactOfRequest(const std::string& referral_id,
                                        const std::string& request_id) {
  SPROUT_ASSIGN_OR_RETURN(
      Result row,
      writer_->Run("SELECT number, body FROM contacts WHERE referral_id = $1 AND request_id = $2",
                   Params().Text(referral_id).Text(request_id)));
  if (row.rows() == 0) return std::nullopt;
  return StoredContact{row.Int(0, 0), std::string(row.Bytes(0, 1))};
}

absl::StatusOr<std::optional<std::string>> PostgresStoreImpl::ReadQueueItemForUpdate(
    const std::string& item_id, const std::string& referral_id) {
  SPROUT_ASSIGN_OR_RETURN(
      Result row,
      writer_->Run("SELECT body FROM queue_items WHERE id = $1 AND referral_id = $2 FOR UPDATE",
                   Params().Text(item_id).Text(referral_id)));
  if (row.rows() == 0) return std::nullopt;
  return std::string(row.Bytes(0, 0));
}

absl::Status PostgresStoreImpl::WriteReferral(const std::string& referral_id,
                                              const Referral& referral,
                                              const std::string& sealed_body) {
  return writer_
      ->Run("UPDATE referrals SET state = $1, link_worker = $2, body = $3 WHERE id = $4",
            Params()
                .Int(referral.state())
                .Text(referral.route().link_worker())
                .Bytes(sealed_body)
                .Text(referral_id))
      .status();
}

absl::Status PostgresStoreImpl::WriteQueueItem(const std::string& item_id, const QueueItem& item,
                                               const std::string& sealed_body) {
  return writer_
      ->Run(
          "UPDATE queue_items SET sequence = $1, queue = $2, pcn_code = $3, "
          "priority = $4, state = $5, body = $6 WHERE id = $7",
          Params()
              .Int(item.sequence())
              .Text(item.queue())
              .Text(PcnCodeOfQueue(item.queue()))
              .Int(item.priority())
              .Int(item.state())
              .Bytes(sealed_body)
              .Text(item_id))
      .status();
}

absl::StatusOr<bool> PostgresStoreImpl::MarkServiceCodeRecorded(const std::string& episode_id) {
  SPROUT_ASSIGN_OR_RETURN(Result updated,
                          writer_->Run("UPDATE episodes SET service_code_recorded = TRUE "
                                       "WHERE id = $1 AND NOT service_code_recorded RETURNING id",
                                       Params().Text(episode_id)));
  return updated.rows() == 1;
}

absl::Status PostgresStoreImpl::CloseEpisodeUnlessLive(const std::string& episode_id,
                                                       const std::string& referral_id) {
  return writer_
      ->Run(
          "UPDATE episodes SET is_open = FALSE WHERE id = $1 AND NOT EXISTS ("
          "SELECT 1 FROM referrals WHERE episode_id = $1 AND id <> $2 "
          "AND state NOT IN (4, 7, 8))",
          Params().Text(episode_id).Text(referral_id))
      .status();
}

absl::Status PostgresStoreImpl::InsertReferralEvent(const std::string& referral_id,
                                                    const ReferralEventRow& event) {
  return writer_
      ->Run(
          "INSERT INTO referral_events (referral_id, state, event_time_us, actor, action, "
          "recorded_code, recorded_display) VALUES ($1, $2, $3, $4, $5, $6, $7)",
          Params()
              .Text(referral_id)
              .Int(event.state)
              .Int(absl::ToUnixMicros(event.when))
              .Text(event.actor)
              .Text(event.action)
              .Text(event.recorded_code)
              .Text(event.recorded_display))
      .status();
}

}  // namespace sprout::store::postgres
