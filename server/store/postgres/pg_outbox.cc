// PostgresStoreImpl's outbox of outcome messages: the shared steps
// (server/store/outbox.h) run by the writer, the PostgreSQL statements they
// need, and the administrators' listing on a pooled connection. Write
// transactions of all replicas commit one after another (pg_writer.cc), and
// the due rows are read FOR UPDATE, so two replicas never lease one message.
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "server/store/outbox.h"
#include "server/store/outbox_writer.h"
#include "server/store/page_token.h"
#include "server/store/postgres/pg_store_impl.h"

namespace sprout::store::postgres {
namespace {

// Row `i` of `r`, selected with kOutboxColumns, then the body when `with_body`.
OutboxRow RowOf(const Result& r, int i, bool with_body) {
  OutboxRow row;
  row.pk = r.Int(i, 0);
  row.id = r.Text(i, 1);
  row.referral_id = r.Text(i, 2);
  row.organisation_code = r.Text(i, 3);
  row.referral_state = static_cast<int>(r.Int(i, 4));
  row.state = static_cast<int>(r.Int(i, 5));
  row.attempts = static_cast<int>(r.Int(i, 6));
  row.create_time_us = r.Int(i, 7);
  row.next_attempt_us = r.Int(i, 8);
  row.last_attempt_us = r.Int(i, 9);
  row.deliver_time_us = r.Int(i, 10);
  row.last_error = r.Text(i, 11);
  if (with_body) row.body = std::string(r.Bytes(i, 12));
  return row;
}

}  // namespace

absl::StatusOr<std::vector<OutboxEntry>> PostgresStoreImpl::LeaseDueOutboxMessages(
    absl::Time now, absl::Duration lease, int limit) {
  return OutboxWriter(group_commit_, *this, cipher()).LeaseDue(now, lease, limit);
}

absl::StatusOr<std::optional<absl::Time>> PostgresStoreImpl::NextOutboxAttempt() {
  if (stopped_.load()) return absl::UnavailableError("the store is shut down");
  std::optional<absl::Time> next;
  SPROUT_RETURN_IF_ERROR(Read([&](Connection& db) -> absl::Status {
    SPROUT_ASSIGN_OR_RETURN(
        Result r, db.Run("SELECT MIN(next_attempt_us) FROM outbox_messages WHERE state = 1"));
    next.reset();
    if (r.rows() == 1 && !r.IsNull(0, 0)) next = absl::FromUnixMicros(r.Int(0, 0));
    return absl::OkStatus();
  }));
  return next;
}

absl::Status PostgresStoreImpl::RecordOutboxAttempt(const OutboxAttempt& attempt) {
  return OutboxWriter(group_commit_, *this, cipher()).RecordAttempt(attempt);
}

absl::StatusOr<sprout::v1::OutboxMessage> PostgresStoreImpl::RedeliverOutboxMessage(
    absl::string_view message_id, absl::Time now, const AuditEvent& audit) {
  return OutboxWriter(group_commit_, *this, cipher()).Redeliver(message_id, now, [this, &audit] {
    return InsertAudit(audit);
  });
}

absl::StatusOr<Page<sprout::v1::OutboxMessage>> PostgresStoreImpl::ListOutboxMessages(
    sprout::v1::OutboxMessageState state, int page_size, absl::string_view page_token) {
  if (stopped_.load()) return absl::UnavailableError("the store is shut down");
  const int size = EffectivePageSize(page_size);
  const std::string scope = OutboxListScope(state);
  PageCursor cursor{INT64_MAX, 0};
  if (!page_token.empty()) {
    SPROUT_ASSIGN_OR_RETURN(cursor, DecodePageToken(page_token, "outboxMessages", scope));
  }
  Page<sprout::v1::OutboxMessage> page;
  SPROUT_RETURN_IF_ERROR(Read([&](Connection& db) -> absl::Status {
    page = {};
    SPROUT_ASSIGN_OR_RETURN(
        Result r, db.Run(absl::StrCat("SELECT ", kOutboxColumns, " FROM outbox_messages WHERE ",
                                      state == 0 ? "$1::INTEGER = 0" : "state = $1",
                                      " AND pk < $2 ORDER BY pk DESC LIMIT $3"),
                         Params().Int(state).Int(cursor.primary).Int(size + 1)));
    int64_t last_pk = 0;
    for (int i = 0; i < r.rows(); ++i) {
      if (static_cast<int>(page.items.size()) == size) {
        page.next_page_token = EncodePageToken("outboxMessages", scope, PageCursor{last_pk, 0});
        break;
      }
      OutboxRow row = RowOf(r, i, /*with_body=*/false);
      last_pk = row.pk;
      page.items.push_back(OutboxMessageOf(row));
    }
    return absl::OkStatus();
  }));
  return page;
}

absl::Status PostgresStoreImpl::InsertOutboxRow(const OutboxRow& row) {
  return writer_
      ->Run(
          "INSERT INTO outbox_messages (id, referral_id, organisation_code, referral_state, "
          "state, attempts, create_time_us, next_attempt_us, body) "
          "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
          Params()
              .Text(row.id)
              .Text(row.referral_id)
              .Text(row.organisation_code)
              .Int(row.referral_state)
              .Int(row.state)
              .Int(row.attempts)
              .Int(row.create_time_us)
              .Int(row.next_attempt_us)
              .Bytes(row.body))
      .status();
}

absl::StatusOr<std::vector<OutboxRow>> PostgresStoreImpl::SelectDueOutboxRows(int64_t now_us,
                                                                              int limit) {
  SPROUT_ASSIGN_OR_RETURN(
      Result r, writer_->Run(absl::StrCat("SELECT ", kOutboxColumns,
                                          ", body FROM outbox_messages WHERE state = 1 AND "
                                          "next_attempt_us <= $1 ORDER BY next_attempt_us, pk "
                                          "LIMIT $2 FOR UPDATE"),
                             Params().Int(now_us).Int(limit)));
  std::vector<OutboxRow> rows;
  rows.reserve(r.rows());
  for (int i = 0; i < r.rows(); ++i) rows.push_back(RowOf(r, i, /*with_body=*/true));
  return rows;
}

absl::StatusOr<std::optional<OutboxRow>> PostgresStoreImpl::SelectOutboxRow(const std::string& id) {
  SPROUT_ASSIGN_OR_RETURN(
      Result r, writer_->Run(absl::StrCat("SELECT ", kOutboxColumns,
                                          " FROM outbox_messages WHERE id = $1 FOR UPDATE"),
                             Params().Text(id)));
  if (r.rows() == 0) return std::nullopt;
  return RowOf(r, 0, /*with_body=*/false);
}

absl::Status PostgresStoreImpl::UpdateOutboxSchedule(const OutboxRow& row) {
  return writer_
      ->Run(
          "UPDATE outbox_messages SET state = $1, attempts = $2, next_attempt_us = $3, "
          "last_attempt_us = $4, deliver_time_us = $5, last_error = $6 WHERE id = $7",
          Params()
              .Int(row.state)
              .Int(row.attempts)
              .Int(row.next_attempt_us)
              .Int(row.last_attempt_us)
              .Int(row.deliver_time_us)
              .Text(row.last_error)
              .Text(row.id))
      .status();
}

}  // namespace sprout::store::postgres
