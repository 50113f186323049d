// SqliteStoreImpl::UpdateReferral: the shared update (server/store/
// referral_update.h) run by the writer, and the SQLite statements it needs.
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "server/lifecycle/caseload_accounting.h"
#include "server/store/names.h"
#include "server/store/queue_claim.h"
#include "server/store/referral_update.h"
#include "server/store/sqlite/sqlite_store_impl.h"

namespace sprout::store::sqlite {

using sprout::v1::Contact;
using sprout::v1::QueueItem;
using sprout::v1::Referral;

absl::StatusOr<UpdateOutcome> SqliteStoreImpl::UpdateReferral(ReferralUpdate update) {
  UpdateOutcome out;
  // The writer may run this more than once (a batch re-run): it must not
  // consume `update`.
  SPROUT_RETURN_IF_ERROR(group_commit_.Run([this, &update, &out](bool* partial) {
    return ApplyReferralUpdate(*this, cipher(), clock_->Now(), chain_, update, &out, partial);
  }));
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

absl::StatusOr<std::optional<UpdateStatements::StoredReferral>>
SqliteStoreImpl::ReadReferralForUpdate(const std::string& referral_id) {
  SPROUT_ASSIGN_OR_RETURN(
      Statement stmt,
      writer_->Prepare("SELECT body, episode_id, organisation_code FROM referrals WHERE id = ?"));
  stmt.BindText(1, referral_id);
  SPROUT_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return std::nullopt;
  return StoredReferral{std::string(stmt.ColumnBlob(0)), stmt.ColumnText(1), stmt.ColumnText(2)};
}

absl::StatusOr<std::optional<UpdateStatements::StoredContact>>
SqliteStoreImpl::ReadContactOfRequest(const std::string& referral_id,
                                      const std::string& request_id) {
  SPROUT_ASSIGN_OR_RETURN(
      Statement stmt,
      writer_->Prepare(
          "SELECT number, body FROM contacts WHERE referral_id = ? AND request_id = ?"));
  stmt.BindText(1, referral_id).BindText(2, request_id);
  SPROUT_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return std::nullopt;
  return StoredContact{stmt.ColumnInt64(0), std::string(stmt.ColumnBlob(1))};
}

absl::StatusOr<std::optional<std::string>> SqliteStoreImpl::ReadQueueItemForUpdate(
    const std::string& item_id, const std::string& referral_id) {
  SPROUT_ASSIGN_OR_RETURN(
      Statement stmt,
      writer_->Prepare("SELECT body FROM queue_items WHERE id = ? AND referral_id = ?"));
  stmt.BindText(1, item_id).BindText(2, referral_id);
  SPROUT_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return std::nullopt;
  return std::string(stmt.ColumnBlob(0));
}

absl::Status SqliteStoreImpl::WriteReferral(const std::string& referral_id,
                                            const Referral& referral,
                                            const std::string& sealed_body) {
  SPROUT_ASSIGN_OR_RETURN(
      Statement stmt,
      writer_->Prepare("UPDATE referrals SET state = ?, link_worker = ?, body = ? WHERE id = ?"));
  return stmt.Bind(1, referral.state())
      .BindText(2, referral.route().link_worker())
      .BindBlob(3, sealed_body)
      .BindText(4, referral_id)
      .Run();
}

absl::Status SqliteStoreImpl::WriteQueueItem(const std::string& item_id, const QueueItem& item,
                                             const std::string& sealed_body) {
  SPROUT_ASSIGN_OR_RETURN(
      Statement stmt,
      writer_->Prepare("UPDATE queue_items SET sequence = ?, queue = ?, pcn_code = ?, "
                       "priority = ?, state = ?, body = ? WHERE id = ?"));
  return stmt.Bind(1, item.sequence())
      .BindText(2, item.queue())
      .BindText(3, PcnCodeOfQueue(item.queue()))
      .Bind(4, item.priority())
      .Bind(5, item.state())
      .BindBlob(6, sealed_body)
      .BindText(7, item_id)
      .Run();
}

absl::StatusOr<bool> SqliteStoreImpl::MarkServiceCodeRecorded(const std::string& episode_id) {
  SPROUT_ASSIGN_OR_RETURN(Statement stmt,
                          writer_->Prepare("UPDATE episodes SET service_code_recorded = 1 "
                                           "WHERE id = ? AND service_code_recorded = 0"));
  SPROUT_RETURN_IF_ERROR(stmt.BindText(1, episode_id).Run());
  return writer_->Changes() == 1;
}

absl::Status SqliteStoreImpl::CloseEpisodeUnlessLive(const std::string& episode_id,
                                                     const std::string& referral_id) {
  SPROUT_ASSIGN_OR_RETURN(
      Statement stmt,
      writer_->Prepare("UPDATE episodes SET is_open = 0 WHERE id = ?1 AND NOT EXISTS ("
                       "SELECT 1 FROM referrals WHERE episode_id = ?1 AND id != ?2 "
                       "AND state NOT IN (4, 7, 8))"));
  return stmt.BindText(1, episode_id).BindText(2, referral_id).Run();
}

absl::Status SqliteStoreImpl::InsertReferralEvent(const std::string& referral_id,
                                                  const ReferralEventRow& event) {
  SPROUT_ASSIGN_OR_RETURN(
      Statement stmt,
      writer_->Prepare("INSERT INTO referral_events (referral_id, state, event_time_us, actor, "
                       "action, recorded_code, recorded_display) VALUES (?, ?, ?, ?, ?, ?, ?)"));
  return stmt.BindText(1, referral_id)
      .Bind(2, event.state)
      .Bind(3, absl::ToUnixMicros(event.when))
      .BindText(4, event.actor)
      .BindText(5, event.action)
      .BindText(6, event.recorded_code)
      .BindText(7, event.recorded_display)
      .Run();
}

}  // namespace sprout::store::sqlite
