// File: server/pipeline/lifecycle_run.h
//
// How every lifecycle step (accept, decline, return to triage, reassign,
// record a contact, close, withdraw, resolve a coding review) runs once its
// request has been checked, through any front door: read the referral and
// its item, decide the caller's standing, plan the step (server/lifecycle),
// commit it with its lifecycle event and audit record in one transaction.
// One copy, so every door refuses, retries and audits alike.
#ifndef SPROUT_SERVER_PIPELINE_LIFECYCLE_RUN_H_
#define SPROUT_SERVER_PIPELINE_LIFECYCLE_RUN_H_

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "base/clock.h"
#include "server/auth/principal.h"
#include "server/lifecycle/lifecycle.h"
#include "server/store/lifecycle_update.h"
#include "server/store/store.h"

namespace sprout::pipeline {

struct LifecycleRequest {
  std::string method;       // e.g. "AcceptReferral"; names the audit record
  std::string name;         // "referrals/{id}" as the client gave it
  std::string referral_id;  // its id
  std::string etag;         // the client's etag, or "" for "as it is now"
  lifecycle::Step step;     // transition, actor, now and the request's fields
  std::string request_id;   // RecordContact's idempotency key, or ""
  // Checks that need the stored referral (e.g. a concept against the reason
  // binding, the PCN's triage queue) and fills the step's fields from them.
  // Null when there are none.
  std::function<absl::Status(const store::LifecycleRead& read, lifecycle::Step& step)> refine;
};

// A request for `transition` of referral `referral_id` (named `name`) by
// `caller` now, with no etag and nothing else filled in.
LifecycleRequest LifecycleRequestFor(const auth::Principal& caller, const Clock& clock,
                                     lifecycle::Transition transition, absl::string_view name,
                                     absl::string_view referral_id);

// RunLifecycleStep()
//
// Runs `request` against `store`. Blocks on the store: call it from a worker
// thread. Errors, each audited before it is returned:
//   NOT_FOUND (REFERRAL_NOT_FOUND)  the referral does not exist, or the
//                        caller has no standing on it (the same answer, so a
//                        refusal does not tell that it exists)
//   ABORTED (ETAG_MISMATCH)  `etag` is set and is not the referral's now; or
//                        it changed between read and commit three times
//   FAILED_PRECONDITION, PERMISSION_DENIED, INVALID_ARGUMENT  lifecycle::Apply
//                        and `refine`
// With no etag, a commit that loses a race (ABORTED) is planned again from a
// fresh read, up to three attempts, so "accept it as it is now" works.
absl::StatusOr<store::UpdateOutcome> RunLifecycleStep(store::Store& store, const Clock& clock,
                                                      LifecycleRequest request);

}  // namespace sprout::pipeline

#endif  // SPROUT_SERVER_PIPELINE_LIFECYCLE_RUN_H_
