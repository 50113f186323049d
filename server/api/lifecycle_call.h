// File: server/api/lifecycle_call.h
//
// How every lifecycle RPC (accept, decline, return to triage, reassign,
// record a contact, close, withdraw, resolve a coding review) begins and
// answers; the step itself is pipeline::RunLifecycleStep, shared with the
// FHIR door.
#ifndef SPROUT_SERVER_API_LIFECYCLE_CALL_H_
#define SPROUT_SERVER_API_LIFECYCLE_CALL_H_

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "server/api/call.h"
#include "server/lifecycle/lifecycle.h"
#include "server/pipeline/lifecycle_run.h"
#include "server/store/lifecycle_update.h"
#include "server/store/store.h"

namespace sprout::api {

using pipeline::LifecycleRequest;

// RunLifecycleStep()
//
// pipeline::RunLifecycleStep with the call's store and clock. Blocks on the
// store: call it from FinishUnaryBlocking work.
absl::StatusOr<store::UpdateOutcome> RunLifecycleStep(const Call& call, LifecycleRequest request);

// Begins a lifecycle RPC: names the referral from `name` (field
// `name_field`), fills the step's transition, actor and time. Errors are the
// call's (BeginCall) and INVALID_ARGUMENT for a malformed name.
absl::StatusOr<LifecycleRequest> BeginLifecycle(const Call& call, lifecycle::Transition transition,
                                                absl::string_view name, absl::string_view etag,
                                                absl::string_view name_field = "name");

// Runs `request` on the blocking pool and finishes the call; on success
// `respond` fills the response from what was stored.
grpc::ServerUnaryReactor* FinishLifecycle(
    grpc::CallbackServerContext* context, Call call, LifecycleRequest request,
    std::function<void(store::UpdateOutcome& outcome)> respond);

}  // namespace sprout::api

#endif  // SPROUT_SERVER_API_LIFECYCLE_CALL_H_
