// File: server/store/submission_write.h
//
// Store::SubmitAsync's job as both backends commit it, written once:
// idempotency (a replay answers with what the first submission stored; the
// same request_id with another body is refused ALREADY_EXISTS, and that
// refusal is audited), the person's one open episode, the queue sequence,
// and the load counters. Each backend supplies its statements through
// SubmissionStatements; how it writes the rows (one statement per row, or one
// round trip for all) is its own.
#ifndef SPROUT_SERVER_STORE_SUBMISSION_WRITE_H_
#define SPROUT_SERVER_STORE_SUBMISSION_WRITE_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "server/lifecycle/caseload_accounting.h"
#include "server/store/body_cipher.h"
#include "server/store/group_commit_writer.h"
#include "server/store/store.h"

namespace sprout::store {

class SubmissionStatements {
 public:
  virtual ~SubmissionStatements() = default;

  // What the store holds for a submission's idempotency key and person.
  struct Lookup {
    // The key's row, when the request_id was used before.
    bool seen = false;
    std::string request_hash;
    std::string referral_id;
    int64_t queue_sequence = 0;
    // The person's open episode id, when there is one (never for an empty
    // person key). Read with the writer's locks held, so it sees every
    // committed episode.
    std::optional<std::string> open_episode;
  };
  // The rows of a new submission, their ids decided.
  struct NewRows {
    std::string referral_id;
    std::string decision_id;
    std::string item_id;
    std::string episode_id;
    // The episode is an open one of the person's (no episode row to insert).
    bool linked = false;
    int64_t create_us = 0;
    int64_t sequence = 0;  // the queue item's
  };

  virtual absl::StatusOr<Lookup> LookUpSubmission(const Submission& submission) = 0;
  // The sealed body of a stored referral; nullopt when it is missing.
  virtual absl::StatusOr<std::optional<std::string>> ReadReferralBody(
      const std::string& referral_id) = 0;
  // Writes every row of the new submission `s` (its referral, decision and
  // queue item as they stand): the episode unless linked, referral, routing
  // decision and reasons, queue item, idempotency key, first lifecycle event
  // and audit record, advancing the audit chain.
  virtual absl::Status InsertSubmissionRows(const Submission& s, const NewRows& rows) = 0;
  virtual absl::Status ApplyLoadChange(const lifecycle::LoadChange& change) = 0;
  virtual absl::Status InsertAudit(const AuditEvent& event) = 0;
};

// Applies the submission `job` through `db` inside the writer's open
// transaction, advancing `chain`. Sets *partial before its first write of a
// new submission. The new referral is handed to the caller by the writer
// after COMMIT (outcome.referral is filled only for a replay). Errors:
//   INVALID_ARGUMENT  no request_id; a malformed name
//   ALREADY_EXISTS    the request_id was used for another request
//   DATA_LOSS         a replay's referral is missing
absl::StatusOr<SubmitOutcome> ApplySubmissionJob(SubmissionStatements& db, const BodyCipher& cipher,
                                                 ChainState& chain, WriteJob& job, bool* partial);

}  // namespace sprout::store

#endif  // SPROUT_SERVER_STORE_SUBMISSION_WRITE_H_
