// PostgresStoreImpl::RewrapBodies: one batch of re-encryption after a data
// key rotation (server/store/body_rewrap.h), run by the writer inside its
// transaction. The batch's rows are locked (FOR UPDATE), so a replica's
// concurrent update of a row waits for the batch, and rewrites it after.
// This file supplies only the statements.
#include <string>
#include <utility>
#include <vector>

#include "base/status_macros.h"
#include "server/store/body_rewrap.h"
#include "server/store/postgres/pg_store_impl.h"

namespace sprout::store::postgres {
namespace {

class PgRewrapRows final : public RewrapRows {
 public:
  explicit PgRewrapRows(Connection* writer) : writer_(writer) {}

  absl::StatusOr<std::vector<StoredBody>> Read(const SealedTable& table, int64_t after_pk,
                                               int limit) override {
    SPROUT_ASSIGN_OR_RETURN(Result read, writer_->Run(RewrapSelectSql(table, /*lock_rows=*/true),
                                                      Params().Int(after_pk).Int(limit)));
    std::vector<StoredBody> rows;
    rows.reserve(read.rows());
    for (int i = 0; i < read.rows(); ++i) {
      rows.push_back(StoredBody{read.Int(i, 0), read.Text(i, 1), read.Text(i, 2)});
    }
    return rows;
  }

  absl::Status Write(const SealedTable& table, int64_t pk, const std::string& body) override {
    return writer_->Run(RewrapUpdateSql(table), Params().Bytes(body).Int(pk)).status();
  }

  absl::StatusOr<std::pair<int64_t, int64_t>> Count(const SealedTable& table,
                                                    int64_t through_pk) override {
    SPROUT_ASSIGN_OR_RETURN(Result count,
                            writer_->Run(RewrapCountSql(table), Params().Int(through_pk)));
    return std::pair<int64_t, int64_t>(count.Int(0, 0), count.Int(0, 1));
  }

 private:
  Connection* const writer_;
};

}  // namespace

absl::StatusOr<RewrapStep> PostgresStoreImpl::RewrapBodies(const RewrapCursor& cursor,
                                                           int batch_size) {
  SPROUT_RETURN_IF_ERROR(CheckRewrapCursor(cursor));
  RewrapStep step;
  SPROUT_RETURN_IF_ERROR(group_commit_.Run([this, &cursor, batch_size, &step](bool* partial) {
    *partial = true;
    PgRewrapRows rows(writer_.get());
    SPROUT_ASSIGN_OR_RETURN(step, RewrapBatch(cursor, batch_size, cipher(), rows));
    return absl::OkStatus();
  }));
  return step;
}

}  // namespace sprout::store::postgres
