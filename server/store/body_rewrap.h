// File: server/store/body_rewrap.h
//
// Re-encryption after a data key rotation, the part both backends share:
// which tables hold sealed bodies and how each row's record name is built
// in SQL, the resumable cursor, and the decision per row (BodyCipher::Reseal).
// A backend supplies only the reads and writes (Store::RewrapBodies).
//
// The walk goes table by table in primary-key order, one batch per writer
// transaction, so submissions keep flowing between batches. A row written
// or changed after the walk passed it is sealed with the write key already.
#ifndef SPROUT_SERVER_STORE_BODY_REWRAP_H_
#define SPROUT_SERVER_STORE_BODY_REWRAP_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/store/body_cipher.h"

namespace sprout::store {

// A table whose `body` column is sealed: its name, its integer primary key
// (the walk's order), and a SQL expression (valid in SQLite and PostgreSQL)
// for a row's record name, which must equal what body_cipher.h's *Record()
// functions give for that row.
struct SealedTable {
  const char* table;
  const char* key;
  const char* record_sql;
};

inline constexpr SealedTable kSealedTables[] = {
    {"referrals", "pk", "'referrals/' || id"},
    // An item's sequence changes when it does; a changed item is sealed with
    // the write key by that change, so the walk may skip past it.
    {"queue_items", "sequence", "'queue_items/' || id"},
    {"routing_decisions", "pk", "'routing_decisions/' || id"},
    {"contacts", "pk", "'contacts/' || referral_id || '/' || number"},
    {"outbox_messages", "pk", "'outbox_messages/' || id"},
    {"coding_choices", "pk", "'coding_choices/' || referral_id || '/' || reason_index"},
};
inline constexpr int kSealedTableCount = sizeof(kSealedTables) / sizeof(kSealedTables[0]);

// Where a walk stands: the next table and the last primary key done in it.
struct RewrapCursor {
  int table = 0;
  int64_t after_pk = 0;
};

// The cursor as an opaque token ("" is the start). INVALID_ARGUMENT for a
// token that is not one.
absl::StatusOr<RewrapCursor> ParseRewrapCursor(absl::string_view token);
std::string FormatRewrapCursor(const RewrapCursor& cursor);

// What one batch did.
struct RewrapStep {
  std::string table;         // the table the batch walked
  int64_t scanned = 0;       // rows read
  int64_t resealed = 0;      // rows sealed again with the write key
  int64_t table_rows = 0;    // rows in the table now
  int64_t rows_done = 0;     // rows of the table at or before the batch's last
  std::string write_key_id;  // the key the batch sealed with
  // Where the next batch starts; nullopt when the walk has finished.
  std::optional<RewrapCursor> next;
};

// One row as a backend read it.
struct StoredBody {
  int64_t pk = 0;
  std::string record;  // from record_sql
  std::string body;
};

// What a backend supplies for a batch: the three statements below, run
// inside the writer's transaction.
class RewrapRows {
 public:
  virtual ~RewrapRows() = default;
  // Up to `limit` rows of `table` after `after_pk`, in key order.
  virtual absl::StatusOr<std::vector<StoredBody>> Read(const SealedTable& table, int64_t after_pk,
                                                       int limit) = 0;
  virtual absl::Status Write(const SealedTable& table, int64_t pk, const std::string& body) = 0;
  // (rows in the table, rows with key <= through_pk).
  virtual absl::StatusOr<std::pair<int64_t, int64_t>> Count(const SealedTable& table,
                                                            int64_t through_pk) = 0;
};

// INVALID_ARGUMENT for a cursor naming no table.
absl::Status CheckRewrapCursor(const RewrapCursor& cursor);

// RewrapBatch()
//
// One batch, the logic both backends share: reads up to `batch_size` rows
// (bounded by RewrapBatchSize) of the cursor's table, reseals those not on
// the write key and writes them back, counts progress and finds the next
// cursor. Fails on the first body that does not open (named by its record),
// before anything is written, so a batch never half-converts around a
// damaged row. REQUIRES: CheckRewrapCursor(cursor).ok().
absl::StatusOr<RewrapStep> RewrapBatch(const RewrapCursor& cursor, int batch_size,
                                       const BodyCipher& cipher, RewrapRows& rows);

// The step's cursor after a batch of `batch_size` asked for, `rows.size()`
// read: the same table after the last row, or the next table when this one
// is exhausted, or nullopt at the end.
std::optional<RewrapCursor> NextRewrapCursor(const RewrapCursor& cursor, int batch_size,
                                             const std::vector<StoredBody>& rows);

// The statements of a batch, the same for both backends (SQLite numbers
// "$1", "$2" by first appearance, as PostgreSQL does):
//   select ($1 after key, $2 limit) -> (key, record, body); `lock_rows` adds
//     FOR UPDATE (PostgreSQL: replicas rewrapping at once wait for each other)
//   update ($1 body, $2 key)
//   count  ($1 last key done) -> (rows in table, rows at or before it)
std::string RewrapSelectSql(const SealedTable& table, bool lock_rows);
std::string RewrapUpdateSql(const SealedTable& table);
std::string RewrapCountSql(const SealedTable& table);

// The batch size a caller asked for, bounded to [1, 1000]; 0 means 200.
int RewrapBatchSize(int requested);

}  // namespace sprout::store

#endif  // SPROUT_SERVER_STORE_BODY_REWRAP_H_
