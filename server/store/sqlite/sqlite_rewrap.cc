// SqliteStoreImpl::RewrapBodies: one batch of re-encryption after a data key
// rotation (server/store/body_rewrap.h), run by the writer inside its
// transaction, so no submission or update interleaves with a batch's read
// and write of the same row. This file supplies only the statements.
#include <string>
#include <utility>
#include <vector>

#include "base/status_macros.h"
#include "server/store/body_rewrap.h"
#include "server/store/sqlite/sqlite_store_impl.h"

namespace sprout::store::sqlite {
namespace {

class SqliteRewrapRows final : public RewrapRows {
 public:
  explicit SqliteRewrapRows(Connection* writer) : writer_(writer) {}

  absl::StatusOr<std::vector<StoredBody>> Read(const SealedTable& table, int64_t after_pk,
                                               int limit) override {
    SPROUT_ASSIGN_OR_RETURN(Statement stmt,
                            writer_->Prepare(RewrapSelectSql(table, /*lock_rows=*/false)));
    stmt.Bind(1, after_pk).Bind(2, limit);
    std::vector<StoredBody> rows;
    while (true) {
      SPROUT_ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) return rows;
      rows.push_back(
          StoredBody{stmt.ColumnInt64(0), stmt.ColumnText(1), std::string(stmt.ColumnBlob(2))});
    }
  }

  absl::Status Write(const SealedTable& table, int64_t pk, const std::string& body) override {
    SPROUT_ASSIGN_OR_RETURN(Statement stmt, writer_->Prepare(RewrapUpdateSql(table)));
    return stmt.BindBlob(1, body).Bind(2, pk).Run();
  }

  absl::StatusOr<std::pair<int64_t, int64_t>> Count(const SealedTable& table,
                                                    int64_t through_pk) override {
    SPROUT_ASSIGN_OR_RETURN(Statement stmt, writer_->Prepare(RewrapCountSql(table)));
    stmt.Bind(1, through_pk);
    SPROUT_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) return std::pair<int64_t, int64_t>(0, 0);
    return std::pair<int64_t, int64_t>(stmt.ColumnInt64(0), stmt.ColumnInt64(1));
  }

 private:
  Connection* const writer_;
};

}  // namespace

absl::StatusOr<RewrapStep> SqliteStoreImpl::RewrapBodies(const RewrapCursor& cursor,
                                                         int batch_size) {
  SPROUT_RETURN_IF_ERROR(CheckRewrapCursor(cursor));
  RewrapStep step;
  SPROUT_RETURN_IF_ERROR(group_commit_.Run([this, &cursor, batch_size, &step](bool* partial) {
    *partial = true;
    SqliteRewrapRows rows(writer_.get());
    SPROUT_ASSIGN_OR_RETURN(step, RewrapBatch(cursor, batch_size, cipher(), rows));
    return absl::OkStatus();
  }));
  return step;
}

}  // namespace sprout::store::sqlite
