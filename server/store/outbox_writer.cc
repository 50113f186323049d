#include "server/store/outbox_writer.h"

#include <string>

#include "base/status_macros.h"

namespace sprout::store {

using sprout::v1::OutboxMessage;

absl::StatusOr<std::vector<OutboxEntry>> OutboxWriter::LeaseDue(absl::Time now,
                                                                absl::Duration lease, int limit) {
  std::vector<OutboxEntry> leased;
  SPROUT_RETURN_IF_ERROR(writer_.Run([&](bool* partial) -> absl::Status {
    *partial = true;
    SPROUT_ASSIGN_OR_RETURN(leased, LeaseDueOutbox(db_, cipher_, now, lease, limit));
    return absl::OkStatus();
  }));
  return leased;
}

absl::Status OutboxWriter::RecordAttempt(const OutboxAttempt& attempt) {
  return writer_.Run([&](bool* partial) {
    *partial = true;
    return ApplyOutboxAttempt(db_, attempt);
  });
}

absl::StatusOr<OutboxMessage> OutboxWriter::Redeliver(
    absl::string_view message_id, absl::Time now,
    const std::function<absl::Status()>& insert_audit) {
  OutboxMessage message;
  const std::string id(message_id);
  SPROUT_RETURN_IF_ERROR(writer_.Run([&](bool* partial) -> absl::Status {
    *partial = true;
    SPROUT_ASSIGN_OR_RETURN(message, ApplyOutboxRedelivery(db_, id, now));
    return insert_audit();
  }));
  return message;
}

}  // namespace sprout::store
