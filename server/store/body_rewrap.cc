#include "server/store/body_rewrap.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace sprout::store {

absl::StatusOr<RewrapCursor> ParseRewrapCursor(absl::string_view token) {
  RewrapCursor cursor;
  if (token.empty()) return cursor;
  std::vector<absl::string_view> parts = absl::StrSplit(token, ':');
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &cursor.table) ||
      !absl::SimpleAtoi(parts[1], &cursor.after_pk) || cursor.table < 0 ||
      cursor.table >= kSealedTableCount || cursor.after_pk < 0) {
    return absl::InvalidArgumentError(
        "not a re-encryption cursor; pass the next_cursor of the previous step, or none to "
        "start");
  }
  return cursor;
}

std::string FormatRewrapCursor(const RewrapCursor& cursor) {
  return absl::StrCat(cursor.table, ":", cursor.after_pk);
}

absl::Status CheckRewrapCursor(const RewrapCursor& cursor) {
  if (cursor.table < 0 || cursor.table >= kSealedTableCount) {
    return absl::InvalidArgumentError("re-encryption cursor names no table");
  }
  return absl::OkStatus();
}

absl::StatusOr<RewrapStep> RewrapBatch(const RewrapCursor& cursor, int batch_size,
                                       const BodyCipher& cipher, RewrapRows& rows) {
  const SealedTable& table = kSealedTables[cursor.table];
  const int limit = RewrapBatchSize(batch_size);
  RewrapStep step;
  step.table = table.table;
  step.write_key_id = cipher.write_key_id();
  absl::StatusOr<std::vector<StoredBody>> read = rows.Read(table, cursor.after_pk, limit);
  if (!read.ok()) return read.status();
  // Every body is opened before any is written.
  std::vector<std::pair<int64_t, std::string>> resealed;
  for (const StoredBody& row : *read) {
    absl::StatusOr<std::optional<std::string>> body = cipher.Reseal(row.record, row.body);
    if (!body.ok()) return body.status();
    if (body->has_value()) resealed.emplace_back(row.pk, std::move(**body));
  }
  for (const auto& [pk, body] : resealed) {
    if (absl::Status written = rows.Write(table, pk, body); !written.ok()) return written;
  }
  absl::StatusOr<std::pair<int64_t, int64_t>> counted =
      rows.Count(table, read->empty() ? cursor.after_pk : read->back().pk);
  if (!counted.ok()) return counted.status();
  step.table_rows = counted->first;
  step.rows_done = counted->second;
  step.scanned = static_cast<int64_t>(read->size());
  step.resealed = static_cast<int64_t>(resealed.size());
  step.next = NextRewrapCursor(cursor, limit, *read);
  return step;
}

std::optional<RewrapCursor> NextRewrapCursor(const RewrapCursor& cursor, int batch_size,
                                             const std::vector<StoredBody>& rows) {
  if (static_cast<int>(rows.size()) >= batch_size && !rows.empty()) {
    return RewrapCursor{cursor.table, rows.back().pk};
  }
  if (cursor.table + 1 >= kSealedTableCount) return std::nullopt;
  return RewrapCursor{cursor.table + 1, 0};
}

std::string RewrapSelectSql(const SealedTable& table, bool lock_rows) {
  return absl::StrCat("SELECT ", table.key, ", ", table.record_sql, ", body FROM ", table.table,
                      " WHERE ", table.key, " > $1 ORDER BY ", table.key, " LIMIT $2",
                      lock_rows ? " FOR UPDATE" : "");
}

std::string RewrapUpdateSql(const SealedTable& table) {
  return absl::StrCat("UPDATE ", table.table, " SET body = $1 WHERE ", table.key, " = $2");
}

std::string RewrapCountSql(const SealedTable& table) {
  return absl::StrCat("SELECT count(*), coalesce(sum(CASE WHEN ", table.key,
                      " <= $1 THEN 1 ELSE 0 END), 0) FROM ", table.table);
}

int RewrapBatchSize(int requested) {
  if (requested <= 0) return 200;
  return std::min(requested, 1000);
}

}  // namespace sprout::store
