// File: server/pipeline/referral_pipeline.h
//
// The life of a referral up to its commit (DESIGN.md §3, steps 2–5): intake
// (validation and SNOMED coding), routing, and one transactional commit of the
// referral, its routing decision, its queue item and its audit record. The
// gRPC adapters in api/ call this and only convert protos and statuses.
//
//   ReferralPipeline pipeline(deps);
//   pipeline.SubmitAsync(request_id, referral, principal,
//                        [reactor](absl::StatusOr<store::SubmitOutcome> r) { ... });
#ifndef SPROUT_SERVER_PIPELINE_REFERRAL_PIPELINE_H_
#define SPROUT_SERVER_PIPELINE_REFERRAL_PIPELINE_H_

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "base/clock.h"
#include "server/admission/agency_rate_limiter.h"
#include "server/admission/queue_limiter.h"
#include "server/auth/principal.h"
#include "server/common/id_generator.h"
#include "server/common/keyed_hash.h"
#include "server/intake/intake.h"
#include "server/routing/routing_config.h"
#include "server/store/store.h"
#include "sprout/v1/queue.pb.h"
#include "sprout/v1/referral.pb.h"
#include "sprout/v1/routing.pb.h"

namespace sprout::pipeline {

// What a referral becomes before it is stored: everything SubmitReferral
// commits and ValidateReferral shows.
struct PreparedReferral {
  sprout::v1::Referral referral;         // coded, routed, named, state QUEUED
  sprout::v1::RoutingDecision decision;  // named, with explanation
  sprout::v1::QueueItem queue_item;      // named, on its queue
  std::string person_key;                // keyed hash of the person
};

// The collaborators a pipeline uses. All must outlive it.
struct PipelineDeps {
  const intake::IntakeHolder* intake = nullptr;
  // The router and directory in force; snapshotted once per referral.
  const routing::RoutingConfigHolder* routing_config = nullptr;
  store::Store* store = nullptr;
  const Clock* clock = nullptr;
  IdGenerator* ids = nullptr;
  const KeyedHasher* person_hasher = nullptr;
  // Admission control for SubmitAsync (README "Backpressure"); null: no limit.
  admission::AgencyRateLimiter* agency_limits = nullptr;
  admission::QueueLimiter* queue_limits = nullptr;
};

// Thread-safe: holds only pointers to thread-safe collaborators.
class ReferralPipeline {
 public:
  explicit ReferralPipeline(PipelineDeps deps) : deps_(deps) {}

  // Prepare()
  //
  // Validates, codes and routes `input` as sent by `caller`, storing nothing.
  // INVALID_ARGUMENT with a BadRequest for bad input; UNAVAILABLE if the store
  // cannot be read for continuity or load.
  absl::StatusOr<PreparedReferral> Prepare(const sprout::v1::Referral& input,
                                           const auth::Principal& caller) const;

  // Preview()
  //
  // Prepare() for a dry run (ValidateReferral): the referral and decision as
  // they would be stored, less everything that would only exist once stored:
  // no referral, episode, decision or queue-item names, no etag or times,
  // state UNSPECIFIED. Errors as Prepare().
  absl::StatusOr<PreparedReferral> Preview(const sprout::v1::Referral& input,
                                           const auth::Principal& caller) const;

  // SubmitAsync()
  //
  // Prepare() then commit in one transaction. `done` runs exactly once: on the
  // calling thread for errors found before the commit, else on the store's
  // writer thread after the commit (so it must not block). A repeated
  // request_id with the same referral returns the original (replayed=true);
  // with a different referral, ALREADY_EXISTS. RESOURCE_EXHAUSTED with
  // RetryInfo, storing nothing, when the caller's organisation is over its
  // rate (AGENCY_RATE_LIMITED) or the referral's PCN or triage queue is full
  // (PCN_QUEUE_FULL).
  void SubmitAsync(absl::string_view request_id, const sprout::v1::Referral& input,
                   const auth::Principal& caller, store::Store::SubmitCallback done) const;

 private:
  const PipelineDeps deps_;
};

// StampReferrer()
//
// The submitting organisation is the caller's: a referral may not claim to
// come from another organisation. Fills it in when the client left it empty;
// INVALID_ARGUMENT naming referral.referrer.organisation_code otherwise. For
// every front door (gRPC SubmitReferral and ValidateReferral, FHIR).
absl::Status StampReferrer(const auth::Principal& caller, sprout::v1::Referral& referral);

// The request_id rules (AIP-155): 1 to 128 characters of letters, digits and
// '-', '_' or '.'. Returns the violation sentence, or "" when valid.
std::string RequestIdProblem(absl::string_view request_id);

}  // namespace sprout::pipeline

#endif  // SPROUT_SERVER_PIPELINE_REFERRAL_PIPELINE_H_
