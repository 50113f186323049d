// File: server/store/submission_write.cc
#include "server/store/submission_write.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "server/store/names.h"

namespace sprout::store {

absl::StatusOr<SubmitOutcome> ApplySubmissionJob(SubmissionStatements& db, const BodyCipher& cipher,
                                                 ChainState& chain, WriteJob& job, bool* partial) {
  Submission& s = job.submission;
  if (s.request_id.empty()) return absl::InvalidArgumentError("request_id is required");
  SPROUT_ASSIGN_OR_RETURN(SubmissionStatements::Lookup seen, db.LookUpSubmission(s));
  if (seen.seen && seen.request_hash != s.request_hash) {
    // The refusal is audited; that record commits although the job fails.
    s.audit.outcome = "ALREADY_EXISTS";
    SPROUT_RETURN_IF_ERROR(db.InsertAudit(s.audit));
    return absl::AlreadyExistsError(absl::StrCat(
        "request_id ", s.request_id,
        " was already used for a different request; use a new request_id for a new referral"));
  }
  SubmitOutcome outcome;
  if (seen.seen) {
    SPROUT_ASSIGN_OR_RETURN(std::optional<std::string> body, db.ReadReferralBody(seen.referral_id));
    if (!body.has_value()) {
      return absl::DataLossError(
          absl::StrCat("the referral stored for request_id ", s.request_id, " is missing"));
    }
    SPROUT_RETURN_IF_ERROR(
        cipher.OpenMessage(ReferralRecord(seen.referral_id), *body, &outcome.referral));
    SPROUT_RETURN_IF_ERROR(db.InsertAudit(s.audit));
    outcome.queue_sequence = seen.queue_sequence;
    outcome.replayed = true;
    return outcome;
  }

  sprout::v1::Referral& referral = s.referral;
  SubmissionStatements::NewRows rows;
  SPROUT_ASSIGN_OR_RETURN(rows.referral_id,
                          IdFromName(referral.name(), "referrals", "referral.name"));
  SPROUT_ASSIGN_OR_RETURN(rows.decision_id,
                          IdFromName(s.decision.name(), "routingDecisions", "decision.name"));
  SPROUT_ASSIGN_OR_RETURN(rows.item_id,
                          IdFromName(s.queue_item.name(), "queueItems", "queue_item.name"));
  // The proposal as submitted: a re-run must not see an earlier run's link.
  SPROUT_ASSIGN_OR_RETURN(rows.episode_id,
                          IdFromName(job.proposed_episode, "episodes", "referral.episode"));
  rows.create_us = TimestampMicros(referral.create_time());
  // One open episode per person, decided inside the writer's transaction, so
  // two concurrent referrals for one person cannot both open one.
  rows.linked = seen.open_episode.has_value() && !s.person_key.empty();
  if (rows.linked) rows.episode_id = *seen.open_episode;
  referral.set_episode(absl::StrCat("episodes/", rows.episode_id));
  referral.set_linked_to_existing_episode(rows.linked);
  rows.sequence = chain.last_queue_sequence + 1;
  s.queue_item.set_sequence(rows.sequence);

  // Every failure from here on may leave part of this submission written.
  *partial = true;
  SPROUT_RETURN_IF_ERROR(db.InsertSubmissionRows(s, rows));
  chain.last_queue_sequence = rows.sequence;
  SPROUT_RETURN_IF_ERROR(db.ApplyLoadChange(lifecycle::LoadChangeOf(
      nullptr, nullptr, referral, &s.queue_item, absl::FromUnixMicros(rows.create_us))));
  outcome.queue_sequence = rows.sequence;
  outcome.replayed = false;
  return outcome;
}

}  // namespace sprout::store
