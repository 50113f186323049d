#include "server/pipeline/lifecycle_run.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "server/common/errors.h"
#include "server/pipeline/referral_read.h"

namespace sprout::pipeline {
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

LifecycleRequest LifecycleRequestFor(const auth::Principal& caller, const Clock& clock,
                                     lifecycle::Transition transition, absl::string_view name,
                                     absl::string_view referral_id) {
  LifecycleRequest request;
  request.method = std::string(lifecycle::MethodOf(transition));
  request.name = std::string(name);
  request.referral_id = std::string(referral_id);
  request.step.transition = transition;
  request.step.actor = caller;
  request.step.now = clock.Now();
  return request;
}

absl::StatusOr<store::UpdateOutcome> RunLifecycleStep(store::Store& store, const Clock& clock,
                                                      LifecycleRequest request) {
  const auth::Principal& caller = request.step.actor;
  absl::Status refusal;
  for (int attempt = 1;; ++attempt) {
    absl::StatusOr<store::LifecycleRead> read = store::ReadForChange(store, request.referral_id);
    if (!read.ok()) {
      refusal = read.status().code() == absl::StatusCode::kNotFound ? ReferralNotFound(request.name)
                                                                    : read.status();
      break;
    }
    const sprout::v1::QueueItem* item = read->item_or_null();
    const lifecycle::Standing standing = lifecycle::StandingOf(caller, read->referral, item);
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
    store::AuditEvent audit =
        AuditEventFor(caller, request.method, request.name, absl::OkStatus(), clock.Now());
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
  if (absl::Status audited = store.AppendAudit(
          AuditEventFor(caller, request.method, request.name, refusal, clock.Now()));
      !audited.ok()) {
    return audited;
  }
  return refusal;
}

}  // namespace sprout::pipeline
