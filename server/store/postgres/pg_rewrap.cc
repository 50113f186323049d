// PostgresStoreImpl::RewrapBodies: one batch of re-encryption after a data
// key rotation (server/store/body_rewrap.h), run by the writer inside its
// transaction. The batch's rows are locked (FOR UPDATE), so a replica's
// concurrent update of a row waits for the batch, and rewrites it after.
#include <string>
#include <utility>
#include <vector>

#include "base/status_macros.h"
#include "server/store/body_rewrap.h"
#include "server/store/postgres/pg_store_impl.h"

namespace sprout::store::postgres {

absl::StatusOr<RewrapStep> PostgresStoreImpl::RewrapBodies(const RewrapCursor& cursor,
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

absl::Status PostgresStoreImpl::ApplyRewrap(const RewrapCursor& cursor, int batch_size,
                                            RewrapStep* step) {
  const SealedTable& table = kSealedTables[cursor.table];
  step->table = table.table;
  step->write_key_id = cipher().write_key_id();
  SPROUT_ASSIGN_OR_RETURN(Result read, writer_->Run(RewrapSelectSql(table, /*lock_rows=*/true),
                                                    Params().Int(cursor.after_pk).Int(batch_size)));
  std::vector<StoredBody> rows;
  rows.reserve(read.rows());
  for (int i = 0; i < read.rows(); ++i) {
    rows.push_back(StoredBody{read.Int(i, 0), read.Text(i, 1), read.Text(i, 2)});
  }
  SPROUT_ASSIGN_OR_RETURN(auto resealed, ResealBodies(cipher(), rows));
  for (const auto& [key, body] : resealed) {
    SPROUT_RETURN_IF_ERROR(
        writer_->Run(RewrapUpdateSql(table), Params().Bytes(body).Int(key)).status());
  }
  SPROUT_ASSIGN_OR_RETURN(
      Result count, writer_->Run(RewrapCountSql(table),
                                 Params().Int(rows.empty() ? cursor.after_pk : rows.back().pk)));
  step->table_rows = count.Int(0, 0);
  step->rows_done = count.Int(0, 1);
  step->scanned = static_cast<int64_t>(rows.size());
  step->resealed = static_cast<int64_t>(resealed.size());
  step->next = NextRewrapCursor(cursor, batch_size, rows);
  return absl::OkStatus();
}

}  // namespace sprout::store::postgres
