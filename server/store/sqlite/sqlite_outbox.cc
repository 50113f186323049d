// SqliteStoreImpl's outbox of outcome messages: the shared steps
// (server/store/outbox.h) run by the writer, the SQLite statements they need,
// and the administrators' listing on a reader.
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "server/store/outbox.h"
#include "server/store/outbox_writer.h"
#include "server/store/page_token.h"
#include "server/store/sqlite/sqlite_store_impl.h"

namespace sprout::store::sqlite {
namespace {

// A row selected with kOutboxColumns, then the body when `with_body`.
OutboxRow RowOf(const Statement& stmt, bool with_body) {
  OutboxRow row;
  row.pk = stmt.ColumnInt64(0);
  row.id = stmt.ColumnText(1);
  row.referral_id = stmt.ColumnText(2);
  row.organisation_code = stmt.ColumnText(3);
  row.referral_state = static_cast<int>(stmt.ColumnInt64(4));
  row.state = static_cast<int>(stmt.ColumnInt64(5));
  row.attempts = static_cast<int>(stmt.ColumnInt64(6));
  row.create_time_us = stmt.ColumnInt64(7);
  row.next_attempt_us = stmt.ColumnInt64(8);
  row.last_attempt_us = stmt.ColumnInt64(9);
  row.deliver_time_us = stmt.ColumnInt64(10);
  row.last_error = stmt.ColumnText(11);
  if (with_body) row.body = std::string(stmt.ColumnBlob(12));
  return row;
}

}  // namespace

absl::StatusOr<std::vector<OutboxEntry>> SqliteStoreImpl::LeaseDueOutboxMessages(
    absl::Time now, absl::Duration lease, int limit) {
  return OutboxWriter(group_commit_, *this, cipher()).LeaseDue(now, lease, limit);
}

absl::StatusOr<std::optional<absl::Time>> SqliteStoreImpl::NextOutboxAttempt() {
  SPROUT_RETURN_IF_ERROR(ReaderAvailable());
  ReaderPool::Lease db = readers_.Acquire();
  SPROUT_ASSIGN_OR_RETURN(
      Statement stmt,
      db->Prepare("SELECT MIN(next_attempt_us) FROM outbox_messages WHERE state = 1"));
  SPROUT_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row || stmt.ColumnIsNull(0)) return std::nullopt;
  return absl::FromUnixMicros(stmt.ColumnInt64(0));
}

absl::Status SqliteStoreImpl::RecordOutboxAttempt(const OutboxAttempt& attempt) {
  return OutboxWriter(group_commit_, *this, cipher()).RecordAttempt(attempt);
}

absl::StatusOr<sprout::v1::OutboxMessage> SqliteStoreImpl::RedeliverOutboxMessage(
    absl::string_view message_id, absl::Time now, const AuditEvent& audit) {
  return OutboxWriter(group_commit_, *this, cipher()).Redeliver(message_id, now, [this, &audit] {
    return InsertAudit(audit);
  });
}

absl::StatusOr<Page<sprout::v1::OutboxMessage>> SqliteStoreImpl::ListOutboxMessages(
    sprout::v1::OutboxMessageState state, int page_size, absl::string_view page_token) {
  SPROUT_RETURN_IF_ERROR(ReaderAvailable());
  const int size = EffectivePageSize(page_size);
  const std::string scope = OutboxListScope(state);
  PageCursor cursor{INT64_MAX, 0};
  if (!page_token.empty()) {
    SPROUT_ASSIGN_OR_RETURN(cursor, DecodePageToken(page_token, "outboxMessages", scope));
  }
  ReaderPool::Lease db = readers_.Acquire();
  SPROUT_ASSIGN_OR_RETURN(
      Statement stmt,
      db->Prepare(absl::StrCat("SELECT ", kOutboxColumns, " FROM outbox_messages WHERE ",
                               state == 0 ? "?1 = 0" : "state = ?1",
                               " AND pk < ?2 ORDER BY pk DESC LIMIT ?3")));
  stmt.Bind(1, static_cast<int>(state)).Bind(2, cursor.primary).Bind(3, size + 1);
  Page<sprout::v1::OutboxMessage> page;
  int64_t last_pk = 0;
  while (true) {
    SPROUT_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    if (static_cast<int>(page.items.size()) == size) {
      page.next_page_token = EncodePageToken("outboxMessages", scope, PageCursor{last_pk, 0});
      break;
    }
    OutboxRow r = RowOf(stmt, /*with_body=*/false);
    last_pk = r.pk;
    page.items.push_back(OutboxMessageOf(r));
  }
  return page;
}

absl::Status SqliteStoreImpl::InsertOutboxRow(const OutboxRow& row) {
  SPROUT_ASSIGN_OR_RETURN(
      Statement stmt,
      writer_->Prepare("INSERT INTO outbox_messages (id, referral_id, organisation_code, "
                       "referral_state, state, attempts, create_time_us, next_attempt_us, body) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  return stmt.BindText(1, row.id)
      .BindText(2, row.referral_id)
      .BindText(3, row.organisation_code)
      .Bind(4, row.referral_state)
      .Bind(5, row.state)
      .Bind(6, row.attempts)
      .Bind(7, row.create_time_us)
      .Bind(8, row.next_attempt_us)
      .BindBlob(9, row.body)
      .Run();
}

absl::StatusOr<std::vector<OutboxRow>> SqliteStoreImpl::SelectDueOutboxRows(int64_t now_us,
                                                                            int limit) {
  SPROUT_ASSIGN_OR_RETURN(
      Statement stmt,
      writer_->Prepare(absl::StrCat("SELECT ", kOutboxColumns,
                                    ", body FROM outbox_messages WHERE state = 1 AND "
                                    "next_attempt_us <= ? ORDER BY next_attempt_us, pk LIMIT ?")));
  stmt.Bind(1, now_us).Bind(2, limit);
  std::vector<OutboxRow> rows;
  while (true) {
    SPROUT_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    rows.push_back(RowOf(stmt, /*with_body=*/true));
  }
  return rows;
}

absl::StatusOr<std::optional<OutboxRow>> SqliteStoreImpl::SelectOutboxRow(const std::string& id) {
  SPROUT_ASSIGN_OR_RETURN(Statement stmt,
                          writer_->Prepare(absl::StrCat("SELECT ", kOutboxColumns,
                                                        " FROM outbox_messages WHERE id = ?")));
  stmt.BindText(1, id);
  SPROUT_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return std::nullopt;
  return RowOf(stmt, /*with_body=*/false);
}

absl::Status SqliteStoreImpl::UpdateOutboxSchedule(const OutboxRow& row) {
  SPROUT_ASSIGN_OR_RETURN(
      Statement stmt,
      writer_->Prepare("UPDATE outbox_messages SET state = ?, attempts = ?, next_attempt_us = ?, "
                       "last_attempt_us = ?, deliver_time_us = ?, last_error = ? WHERE id = ?"));
  return stmt.Bind(1, row.state)
      .Bind(2, row.attempts)
      .Bind(3, row.next_attempt_us)
      .Bind(4, row.last_attempt_us)
      .Bind(5, row.deliver_time_us)
      .BindText(6, row.last_error)
      .BindText(7, row.id)
      .Run();
}

}  // namespace sprout::store::sqlite
