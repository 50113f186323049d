// File: server/store/outbox.h
//
// The outcome messages owed to referrers (the PRSB message back), as both
// backends keep them: a transactional outbox. The row is written in the
// transaction that accepted, declined or closed its referral
// (ApplyReferralUpdate), with the referral as committed sealed beside it, so
// a message is owed exactly when the change committed, and survives kill -9.
// A delivery worker (server/outbox/) leases due rows, sends them and records
// each attempt; administrators list them and send one again. What is written
// when lives here once; each backend supplies only its statements
// (OutboxStatements).
//
// Leasing: a leased row's next attempt is pushed `lease` ahead in the same
// transaction, so a second worker (another replica) does not take it, and a
// worker that dies mid-send leaves it due again when the lease ends. Delivery
// is therefore at least once; the message id (the Bundle's MessageHeader.id)
// lets the receiver recognise a repeat.
#ifndef SPROUT_SERVER_STORE_OUTBOX_H_
#define SPROUT_SERVER_STORE_OUTBOX_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/store/body_cipher.h"
#include "sprout/v1/admin_service.pb.h"
#include "sprout/v1/referral.pb.h"

namespace sprout::store {

// A message with the referral it reports, as committed with it.
struct OutboxEntry {
  sprout::v1::OutboxMessage message;
  sprout::v1::Referral referral;
};

// What one delivery attempt came to.
struct OutboxAttempt {
  std::string message_id;  // the id part of "outboxMessages/{id}"
  absl::Time time;         // when it was made
  // DELIVERED, PENDING (try again at next_attempt_time), DEAD_LETTER or
  // NO_ENDPOINT.
  sprout::v1::OutboxMessageState state = sprout::v1::OUTBOX_MESSAGE_STATE_UNSPECIFIED;
  absl::Time next_attempt_time;  // with PENDING
  std::string error;             // why it failed; "" when delivered. No patient data.
};

// One row of the outbox table as a backend reads and writes it. Times are
// Unix microseconds; 0 is "not yet".
struct OutboxRow {
  int64_t pk = 0;
  std::string id;
  std::string referral_id;
  std::string organisation_code;
  int referral_state = 0;  // sprout::v1::ReferralState
  int state = 0;           // sprout::v1::OutboxMessageState
  int attempts = 0;
  int64_t create_time_us = 0;
  int64_t next_attempt_us = 0;
  int64_t last_attempt_us = 0;
  int64_t deliver_time_us = 0;
  std::string last_error;
  std::string body;  // the sealed referral; empty when not read
};

// The columns a backend selects, in OutboxRow's order (body last).
inline constexpr char kOutboxColumns[] =
    "pk, id, referral_id, organisation_code, referral_state, state, attempts, create_time_us, "
    "next_attempt_us, last_attempt_us, deliver_time_us, last_error";

// The API view of a row.
sprout::v1::OutboxMessage OutboxMessageOf(const OutboxRow& row);

// The record name an outbox body is sealed for.
std::string OutboxRecord(absl::string_view message_id);

// One backend's outbox statements, run on its writer connection inside the
// open transaction (PostgreSQL: reads lock the rows they return).
class OutboxStatements {
 public:
  virtual ~OutboxStatements() = default;
  virtual absl::Status InsertOutboxRow(const OutboxRow& row) = 0;
  // PENDING rows due at `now_us`, soonest first, at most `limit`, with bodies.
  virtual absl::StatusOr<std::vector<OutboxRow>> SelectDueOutboxRows(int64_t now_us, int limit) = 0;
  // The row `id` without its body; nullopt when there is none.
  virtual absl::StatusOr<std::optional<OutboxRow>> SelectOutboxRow(const std::string& id) = 0;
  // Writes the row's schedule: state, attempts, the four times and last_error.
  virtual absl::Status UpdateOutboxSchedule(const OutboxRow& row) = 0;
};

// The message a change of `referral` (now as committed, at `when`) by a
// referral submitted by `organisation_code` owes, written in the change's
// transaction. Its id is the referral's new version ("{referral id}-{n}"),
// so a batch re-run writes the same row.
OutboxRow OutboxRowFor(const sprout::v1::Referral& referral, absl::string_view referral_id,
                       absl::string_view organisation_code, absl::Time when,
                       const BodyCipher& cipher);

// Leases the due messages (see the file comment) and opens their referrals.
absl::StatusOr<std::vector<OutboxEntry>> LeaseDueOutbox(OutboxStatements& db,
                                                        const BodyCipher& cipher, absl::Time now,
                                                        absl::Duration lease, int limit);

// Records `attempt`. A message no longer PENDING (redelivered or finished
// meanwhile by another worker) is left as it is. NOT_FOUND for an unknown
// message; INVALID_ARGUMENT for a state an attempt cannot end in.
absl::Status ApplyOutboxAttempt(OutboxStatements& db, const OutboxAttempt& attempt);

// Makes message `id` PENDING, due `now`, with no attempts and no error.
// NOT_FOUND for an unknown message.
absl::StatusOr<sprout::v1::OutboxMessage> ApplyOutboxRedelivery(OutboxStatements& db,
                                                                const std::string& id,
                                                                absl::Time now);

// The page token scope of a listing filtered to `state` (0: all).
std::string OutboxListScope(int state);

}  // namespace sprout::store

#endif  // SPROUT_SERVER_STORE_OUTBOX_H_
