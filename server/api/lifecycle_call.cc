// File: server/api/lifecycle_call.cc
#include "server/api/lifecycle_call.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "server/common/errors.h"

namespace sprout::api {
namespace {

constexpr int kAttempts = 3;

absl::Status EtagMismatch(absl::string_view name) {
  return ErrorWithInfo(absl::StatusCode::kAborted, "ETAG_MISMATCH",
                       absl::StrCat(name,
                                    " has changed since the etag you sent; read it again "
                                    "and retry with its current etag"),
                       {{"resource", std::string(name)}});
}

}  // namespace

absl::StatusOr<store::UpdateOutcome> RunLifecycleStep(const Call& call, LifecycleRequest request) {
  store::Store& store = *call.components->store;
  absl::Status refusal;
  for (int attempt = 1;; ++attempt) {
    absl::StatusOr<store::LifecycleRead> read = store::ReadForChange(store, request.referral_id);
    if (!read.ok()) {
      refusal = read.status().code() == absl::StatusCode::kNotFound ? ReferralNotFound(request.name)
                                                                    : read.status();
      break;
    }
    const sprout::v1::QueueItem* item = read->item_or_null();
    const lifecycle::Standing standing =
        lifecycle::StandingOf(request.step.actor, read->referral, item);
    if (standing == lifecycle::Standing::kNone) {
      refusal = ReferralNotFound(request.name);
      break;
    }
    if (!request.etag.empty() && request.etag != read->referral.etag()) {
      refusal = EtagMismatch(request.name);
      break;
    }
    lifecycle::Step step = request.step;
    if (request.refine) {
      if (absl::Status refined = request.refine(*read, step); !refined.ok()) {
        refusal = refined;
        break;
      }
    }
    absl::StatusOr<lifecycle::Change> change =
        lifecycle::Apply(step, standing, read->referral, item);
    if (!change.ok()) {
      refusal = change.status();
      break;
    }
    store::AuditEvent audit = AuditEventOf(call, request.method, request.name, absl::OkStatus());
    // Reasons given as free text go in the audit trail, never to referrers.
    audit.stated_reason = step.reason;
    absl::StatusOr<store::UpdateOutcome> outcome = store.UpdateReferral(store::UpdateOf(
        *std::move(change), step, read->referral, item, std::move(audit), request.request_id));
    if (outcome.ok()) return outcome;
    if (outcome.status().code() != absl::StatusCode::kAborted) {
      refusal = outcome.status();
      break;
    }
    // Someone changed the referral or its item between our read and commit.
    if (!request.etag.empty() || attempt == kAttempts) {
      refusal = EtagMismatch(request.name);
      break;
    }
  }
  // Nothing was stored: record the refusal on its own.
  if (absl::Status audited = AuditAccess(call, request.method, request.name, refusal);
      !audited.ok()) {
    return audited;
  }
  return refusal;
}

absl::StatusOr<LifecycleRequest> BeginLifecycle(const Call& call, lifecycle::Transition transition,
                                                absl::string_view name, absl::string_view etag,
                                                absl::string_view name_field) {
  absl::StatusOr<std::string> id = IdFromName(name, "referrals", name_field);
  if (!id.ok()) return id.status();
  LifecycleRequest request;
  request.method = std::string(lifecycle::MethodOf(transition));
  request.name = std::string(name);
  request.referral_id = *std::move(id);
  request.etag = std::string(etag);
  request.step.transition = transition;
  request.step.actor = call.principal;
  request.step.now = call.components->clock->Now();
  return request;
}

grpc::ServerUnaryReactor* FinishLifecycle(
    grpc::CallbackServerContext* context, Call call, LifecycleRequest request,
    std::function<void(store::UpdateOutcome& outcome)> respond) {
  const Components& components = *call.components;
  return FinishUnaryBlocking(context, components,
                             [call = std::move(call), request = std::move(request),
                              respond = std::move(respond)](CallAudit&) mutable -> absl::Status {
                               absl::StatusOr<store::UpdateOutcome> outcome =
                                   RunLifecycleStep(call, std::move(request));
                               if (!outcome.ok()) return outcome.status();
                               respond(*outcome);
                               return absl::OkStatus();
                             });
}

}  // namespace sprout::api
