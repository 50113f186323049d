// File: server/store/outbox_writer.h
//
// Store's three outbox writes (outbox.h) as both backends run them, written
// once: each step in one job of the backend's group-commit writer.
#ifndef SPROUT_SERVER_STORE_OUTBOX_WRITER_H_
#define SPROUT_SERVER_STORE_OUTBOX_WRITER_H_

#include <functional>
#include <vector>

#include "server/store/group_commit_writer.h"
#include "server/store/outbox.h"

namespace sprout::store {

// Runs each step in one job of the backend's writer (`writer`) over its
// statements (`db`).
// `insert_audit` writes the redelivery's audit record in the same job.
class OutboxWriter {
 public:
  OutboxWriter(GroupCommitWriter& writer, OutboxStatements& db, const BodyCipher& cipher)
      : writer_(writer), db_(db), cipher_(cipher) {}

  absl::StatusOr<std::vector<OutboxEntry>> LeaseDue(absl::Time now, absl::Duration lease,
                                                    int limit);
  absl::Status RecordAttempt(const OutboxAttempt& attempt);
  absl::StatusOr<sprout::v1::OutboxMessage> Redeliver(
      absl::string_view message_id, absl::Time now,
      const std::function<absl::Status()>& insert_audit);

 private:
  GroupCommitWriter& writer_;
  OutboxStatements& db_;
  const BodyCipher& cipher_;
};

}  // namespace sprout::store

#endif  // SPROUT_SERVER_STORE_OUTBOX_WRITER_H_
