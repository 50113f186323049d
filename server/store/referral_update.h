// File: server/store/referral_update.h
//
// Store::UpdateReferral as both backends commit it, written once: a
// referral's lifecycle change, its queue item, contact, load counters,
// episode, lifecycle event, routing decision, coding review choice and audit record in the
// writer's open transaction, the outcome message it owes (outbox.h), refused when the referral or
// its item changed since the caller read them. What the change is, and how it counts towards
// caseloads, is the lifecycle component's (server/lifecycle/); this file
// decides only what to write, in what order. Each backend supplies its
// statements through UpdateStatements.
#ifndef SPROUT_SERVER_STORE_REFERRAL_UPDATE_H_
#define SPROUT_SERVER_STORE_REFERRAL_UPDATE_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/lifecycle/caseload_accounting.h"
#include "server/store/body_cipher.h"
#include "server/store/coding_choices.h"
#include "server/store/group_commit_writer.h"
#include "server/store/outbox.h"
#include "server/store/store.h"

namespace sprout::store {

// One backend's statements for an update, run on its writer connection
// inside the open transaction. Reads of rows the update will change lock
// them where the database locks rows (PostgreSQL: FOR UPDATE), so of
// concurrent changes from any replica exactly one applies.
class UpdateStatements : public OutboxStatements {
 public:
  // A referral's sealed body, its episode id and its submitting organisation.
  struct StoredReferral {
    std::string body;
    std::string episode_id;
    std::string organisation_code;
  };
  // A contact's number within its episode and its sealed body.
  struct StoredContact {
    int64_t number = 0;
    std::string body;
  };
  // One row of the referral's lifecycle history.
  struct ReferralEventRow {
    int state = 0;
    absl::Time when;
    std::string actor;
    std::string action;
    std::string recorded_code;     // "" when none
    std::string recorded_display;  // "" when none
  };

  // nullopt when there is no such referral.
  virtual absl::StatusOr<std::optional<StoredReferral>> ReadReferralForUpdate(
      const std::string& referral_id) = 0;
  // The contact a RecordContact with `request_id` stored, if one did.
  virtual absl::StatusOr<std::optional<StoredContact>> ReadContactOfRequest(
      const std::string& referral_id, const std::string& request_id) = 0;
  // The sealed body of the referral's queue item `item_id`; nullopt when it
  // is not one of the referral's.
  virtual absl::StatusOr<std::optional<std::string>> ReadQueueItemForUpdate(
      const std::string& item_id, const std::string& referral_id) = 0;
  // Stores `contact`, numbered within `episode_id` (sets its name and number).
  virtual absl::Status InsertContact(const std::string& referral_id, const std::string& episode_id,
                                     const std::string& request_id,
                                     sprout::v1::Contact* contact) = 0;
  virtual absl::Status WriteReferral(const std::string& referral_id,
                                     const sprout::v1::Referral& referral,
                                     const std::string& sealed_body) = 0;
  virtual absl::Status WriteQueueItem(const std::string& item_id, const sprout::v1::QueueItem& item,
                                      const std::string& sealed_body) = 0;
  // Applies a change to the link worker load counters.
  virtual absl::Status ApplyLoadChange(const lifecycle::LoadChange& change) = 0;
  // Marks the episode's service code recorded; false when it already was.
  virtual absl::StatusOr<bool> MarkServiceCodeRecorded(const std::string& episode_id) = 0;
  // Ends the episode unless another of its referrals is still live.
  virtual absl::Status CloseEpisodeUnlessLive(const std::string& episode_id,
                                              const std::string& referral_id) = 0;
  virtual absl::Status InsertReferralEvent(const std::string& referral_id,
                                           const ReferralEventRow& event) = 0;
  // The decision and its reasons (for the routing log's reason filter).
  virtual absl::Status InsertDecision(const sprout::v1::RoutingDecision& decision,
                                      const std::string& decision_id,
                                      const std::string& referral_id) = 0;
  // A concept chosen in coding review, its phrase sealed (`sealed_phrase`).
  virtual absl::Status InsertCodingChoice(const CodingChoice& choice,
                                          const std::string& sealed_phrase) = 0;
  virtual absl::Status InsertAudit(const AuditEvent& event) = 0;
};

// Applies `update` through `db` inside the writer's open transaction,
// advancing `chain` (a new queue sequence for a changed item; the referral
// change count). Sets *partial before its first write. Errors:
//   INVALID_ARGUMENT  a malformed referral, queue item or decision name
//   NOT_FOUND         no such referral, or the item is not the referral's
//   ABORTED           the referral or item changed since it was read
// A retried RecordContact (its contact_request_id stored before) writes
// nothing and answers with what the first one stored (replayed). The writer
// may run this more than once (a batch re-run): it does not consume `update`.
absl::Status ApplyReferralUpdate(UpdateStatements& db, const BodyCipher& cipher, absl::Time now,
                                 ChainState& chain, ReferralUpdate& update, UpdateOutcome* out,
                                 bool* partial);

}  // namespace sprout::store

#endif  // SPROUT_SERVER_STORE_REFERRAL_UPDATE_H_
