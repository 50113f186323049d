#include "server/store/outbox.h"

#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "base/status_macros.h"
#include "server/common/proto_time.h"

namespace sprout::store {
namespace {

using sprout::v1::OutboxMessage;
using sprout::v1::OutboxMessageState;

// The time, or nullopt for 0 ("not yet"): a Timestamp field stays unset.
std::optional<google::protobuf::Timestamp> TimeIfAny(int64_t micros) {
  if (micros == 0) return std::nullopt;
  return ToProtoTime(absl::FromUnixMicros(micros));
}

absl::StatusOr<OutboxRow> RowOrNotFound(OutboxStatements& db, const std::string& id) {
  SPROUT_ASSIGN_OR_RETURN(std::optional<OutboxRow> row, db.SelectOutboxRow(id));
  if (!row.has_value())
    return absl::NotFoundError(absl::StrCat("outboxMessages/", id, " not found"));
  return *std::move(row);
}

}  // namespace

std::string OutboxRecord(absl::string_view message_id) {
  return absl::StrCat("outbox_messages/", message_id);
}

OutboxMessage OutboxMessageOf(const OutboxRow& row) {
  OutboxMessage m;
  m.set_name(absl::StrCat("outboxMessages/", row.id));
  m.set_referral(absl::StrCat("referrals/", row.referral_id));
  m.set_organisation_code(row.organisation_code);
  m.set_referral_state(static_cast<sprout::v1::ReferralState>(row.referral_state));
  m.set_state(static_cast<OutboxMessageState>(row.state));
  m.set_attempts(row.attempts);
  if (auto t = TimeIfAny(row.create_time_us)) *m.mutable_create_time() = *t;
  if (auto t = TimeIfAny(row.next_attempt_us);
      t && row.state == sprout::v1::OUTBOX_MESSAGE_STATE_PENDING) {
    *m.mutable_next_attempt_time() = *t;
  }
  if (auto t = TimeIfAny(row.last_attempt_us)) *m.mutable_last_attempt_time() = *t;
  if (auto t = TimeIfAny(row.deliver_time_us)) *m.mutable_deliver_time() = *t;
  m.set_last_error(row.last_error);
  return m;
}

OutboxRow OutboxRowFor(const sprout::v1::Referral& referral, absl::string_view referral_id,
                       absl::string_view organisation_code, absl::Time when,
                       const BodyCipher& cipher) {
  OutboxRow row;
  // The etag is "\"{referral id}-{n}\"": one per version of the referral.
  row.id = std::string(absl::StripSuffix(absl::StripPrefix(referral.etag(), "\""), "\""));
  row.referral_id = std::string(referral_id);
  row.organisation_code = std::string(organisation_code);
  row.referral_state = referral.state();
  row.state = sprout::v1::OUTBOX_MESSAGE_STATE_PENDING;
  row.create_time_us = absl::ToUnixMicros(when);
  row.next_attempt_us = row.create_time_us;
  row.body = cipher.SealMessage(OutboxRecord(row.id), referral);
  return row;
}

absl::StatusOr<std::vector<OutboxEntry>> LeaseDueOutbox(OutboxStatements& db,
                                                        const BodyCipher& cipher, absl::Time now,
                                                        absl::Duration lease, int limit) {
  SPROUT_ASSIGN_OR_RETURN(std::vector<OutboxRow> rows,
                          db.SelectDueOutboxRows(absl::ToUnixMicros(now), limit));
  std::vector<OutboxEntry> out;
  out.reserve(rows.size());
  for (OutboxRow& row : rows) {
    OutboxEntry entry;
    SPROUT_RETURN_IF_ERROR(cipher.OpenMessage(OutboxRecord(row.id), row.body, &entry.referral));
    row.next_attempt_us = absl::ToUnixMicros(now + lease);
    SPROUT_RETURN_IF_ERROR(db.UpdateOutboxSchedule(row));
    entry.message = OutboxMessageOf(row);
    out.push_back(std::move(entry));
  }
  return out;
}

absl::Status ApplyOutboxAttempt(OutboxStatements& db, const OutboxAttempt& attempt) {
  switch (attempt.state) {
    case sprout::v1::OUTBOX_MESSAGE_STATE_PENDING:
    case sprout::v1::OUTBOX_MESSAGE_STATE_DELIVERED:
    case sprout::v1::OUTBOX_MESSAGE_STATE_DEAD_LETTER:
    case sprout::v1::OUTBOX_MESSAGE_STATE_NO_ENDPOINT:
      break;
    default:
      return absl::InvalidArgumentError("an outbox attempt must end in a known state");
  }
  SPROUT_ASSIGN_OR_RETURN(OutboxRow row, RowOrNotFound(db, attempt.message_id));
  if (row.state != sprout::v1::OUTBOX_MESSAGE_STATE_PENDING) return absl::OkStatus();
  const int64_t at = absl::ToUnixMicros(attempt.time);
  row.state = attempt.state;
  ++row.attempts;
  row.last_attempt_us = at;
  row.last_error = attempt.error;
  if (attempt.state == sprout::v1::OUTBOX_MESSAGE_STATE_DELIVERED) {
    row.deliver_time_us = at;
    row.last_error.clear();
  }
  if (attempt.state == sprout::v1::OUTBOX_MESSAGE_STATE_PENDING) {
    row.next_attempt_us = absl::ToUnixMicros(attempt.next_attempt_time);
  }
  return db.UpdateOutboxSchedule(row);
}

absl::StatusOr<OutboxMessage> ApplyOutboxRedelivery(OutboxStatements& db, const std::string& id,
                                                    absl::Time now) {
  SPROUT_ASSIGN_OR_RETURN(OutboxRow row, RowOrNotFound(db, id));
  row.state = sprout::v1::OUTBOX_MESSAGE_STATE_PENDING;
  row.attempts = 0;
  row.next_attempt_us = absl::ToUnixMicros(now);
  row.last_error.clear();
  SPROUT_RETURN_IF_ERROR(db.UpdateOutboxSchedule(row));
  return OutboxMessageOf(row);
}

std::string OutboxListScope(int state) { return absl::StrCat("state=", state); }

}  // namespace sprout::store
