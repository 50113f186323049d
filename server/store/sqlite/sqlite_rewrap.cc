// SqliteStoreImpl::RewrapBodies: one batch of re-encryption after a data key
// rotation (server/store/body_rewrap.h), run by the writer inside its
// transaction, so no submission or update interleaves with a batch's read
// and write of the same row.
#include <string>
#include <utility>
#include <vector>

#include "base/status_macros.h"
#include "server/store/body_rewrap.h"
#include "server/store/sqlite/sqlite_store_impl.h"

namespace sprout::store::sqlite {

absl::StatusOr<RewrapStep> SqliteStoreImpl::RewrapBodies(const RewrapCursor& cursor,
                                                         int batch_size) {
  if (cursor.table < 0 || cursor.table >= kSealedTableCount) {
    return absl::InvalidArgumentError("re-encryption cursor names no table");
  }
  RewrapStep step;
  SPROUT_RETURN_IF_ERROR(RunOnWriter([this, &cursor, batch_size, &step](bool* partial) {
    step = RewrapStep();
    *partial = true;
    return ApplyRewrap(cursor, RewrapBatchSize(batch_size), &step);
  }));
  return step;
}

absl::Status SqliteStoreImpl::ApplyRewrap(const RewrapCursor& cursor, int batch_size,
                                          RewrapStep* step) {
  const SealedTable& table = kSealedTables[cursor.table];
  step->table = table.table;
  step->write_key_id = cipher().write_key_id();
  std::vector<StoredBody> rows;
  {
    SPROUT_ASSIGN_OR_RETURN(Statement stmt,
                            writer_->Prepare(RewrapSelectSql(table, /*lock_rows=*/false)));
    stmt.Bind(1, cursor.after_pk).Bind(2, batch_size);
    while (true) {
      SPROUT_ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      rows.push_back(
          StoredBody{stmt.ColumnInt64(0), stmt.ColumnText(1), std::string(stmt.ColumnBlob(2))});
    }
  }
  SPROUT_ASSIGN_OR_RETURN(auto resealed, ResealBodies(cipher(), rows));
  for (const auto& [key, body] : resealed) {
    SPROUT_ASSIGN_OR_RETURN(Statement stmt, writer_->Prepare(RewrapUpdateSql(table)));
    SPROUT_RETURN_IF_ERROR(stmt.BindBlob(1, body).Bind(2, key).Run());
  }
  {
    SPROUT_ASSIGN_OR_RETURN(Statement stmt, writer_->Prepare(RewrapCountSql(table)));
    stmt.Bind(1, rows.empty() ? cursor.after_pk : rows.back().pk);
    SPROUT_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (row) {
      step->table_rows = stmt.ColumnInt64(0);
      step->rows_done = stmt.ColumnInt64(1);
    }
  }
  step->scanned = static_cast<int64_t>(rows.size());
  step->resealed = static_cast<int64_t>(resealed.size());
  step->next = NextRewrapCursor(cursor, batch_size, rows);
  return absl::OkStatus();
}

}  // namespace sprout::store::sqlite
