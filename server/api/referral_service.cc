#include "server/api/referral_service.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "server/api/call.h"
#include "server/api/filtered_listing.h"
#include "server/api/lifecycle_call.h"
#include "server/api/lifecycle_checks.h"
#include "server/api/message_filter.h"
#include "server/api/referral_watch_stream.h"
#include "server/auth/need_to_know.h"
#include "server/auth/policy.h"
#include "server/common/errors.h"
#include "server/pipeline/referral_read.h"

namespace sprout::api {
namespace {

using sprout::v1::Referral;

// How a caller may read referrals: administrators see them pseudonymised
// unless they make a break-glass read, which needs a stated reason.
struct ReadAccess {
  bool pseudonymise = false;
  std::string break_glass_reason;
};

constexpr size_t kMinBreakGlassReason = 10;
constexpr size_t kMaxBreakGlassReason = 500;

absl::StatusOr<ReadAccess> ReadAccessOf(const auth::Principal& caller,
                                        absl::string_view break_glass_reason) {
  ReadAccess access;
  if (caller.role != auth::Role::kAdmin) {
    if (!break_glass_reason.empty()) {
      return InvalidArgumentWithViolations(
          {{"break_glass_reason",
            "only administrators make break-glass reads; leave it empty (you already see the "
            "referrals you may read in full)"}});
    }
    return access;
  }
  const absl::string_view reason = absl::StripAsciiWhitespace(break_glass_reason);
  if (reason.empty()) {
    access.pseudonymise = true;
    return access;
  }
  if (reason.size() < kMinBreakGlassReason || reason.size() > kMaxBreakGlassReason) {
    return InvalidArgumentWithViolations(
        {{"break_glass_reason",
          absl::StrCat("must be ", kMinBreakGlassReason, " to ", kMaxBreakGlassReason,
                       " characters saying why full patient data is needed, e.g. "
                       "\"safeguarding review requested by the PCN lead, ticket 4411\"")}});
  }
  access.break_glass_reason = std::string(reason);
  return access;
}

}  // namespace

grpc::ServerUnaryReactor* ReferralServiceImpl::SubmitReferral(
    grpc::CallbackServerContext* context, const sprout::v1::SubmitReferralRequest* request,
    sprout::v1::SubmitReferralResponse* response) {
  absl::StatusOr<Call> call = BeginCall(context, *state_, "SubmitReferral", *request);
  if (!call.ok()) return FinishUnary(context, call.status());
  Referral referral = request->referral();
  if (absl::Status s = pipeline::StampReferrer(call->principal, referral); !s.ok()) {
    return FinishUnary(context, s);
  }
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  // Routing reads the caseloads and the person's open episode from the
  // store: on the pool unless those reads are local (Components::
  // route_inline). The commit then answers from the writer thread.
  const Components& components = *call->components;
  auto submit = [call = *std::move(call), request_id = request->request_id(),
                 referral = std::move(referral), reactor, response] {
    call.components->pipeline->SubmitAsync(
        request_id, referral, call.principal,
        [reactor, response,
         metrics = call.components->metrics](absl::StatusOr<store::SubmitOutcome> outcome) {
          if (outcome.ok()) {
            if (metrics != nullptr && !outcome->replayed) {
              metrics->RecordReferral(outcome->referral);
            }
            *response->mutable_referral() = std::move(outcome->referral);
            // The referrer reads its new referral as GetReferral would show it.
            auth::MinimiseForReferrer(*response->mutable_referral());
            response->set_replayed(outcome->replayed);
          }
          reactor->Finish(ToGrpcStatus(outcome.status()));
        });
  };
  if (components.route_inline) {
    submit();
  } else {
    RunBlocking(components, std::move(submit));
  }
  return reactor;
}

grpc::ServerUnaryReactor* ReferralServiceImpl::ValidateReferral(
    grpc::CallbackServerContext* context, const sprout::v1::ValidateReferralRequest* request,
    sprout::v1::ValidateReferralResponse* response) {
  absl::StatusOr<Call> call = BeginCall(context, *state_, "ValidateReferral", *request);
  if (!call.ok()) return FinishUnary(context, call.status());
  Referral referral = request->referral();
  if (absl::Status s = pipeline::StampReferrer(call->principal, referral); !s.ok()) {
    return FinishUnary(context, s);
  }
  // Routing reads the store (caseloads, open episodes): on the pool unless
  // those reads are local, as SubmitReferral.
  const Components& components = *call->components;
  auto preview = [call = *std::move(call), referral = std::move(referral),
                  response](CallAudit&) -> absl::Status {
    SPROUT_ASSIGN_OR_RETURN(pipeline::PreparedReferral prepared,
                            call.components->pipeline->Preview(referral, call.principal));
    *response->mutable_referral() = std::move(prepared.referral);
    *response->mutable_decision() = std::move(prepared.decision);
    response->set_preview(true);
    return absl::OkStatus();
  };
  if (components.route_inline) {
    CallAudit none;  // a preview stores and audits nothing
    return FinishUnary(context, preview(none));
  }
  return FinishUnaryBlocking(context, components, std::move(preview));
}

grpc::ServerUnaryReactor* ReferralServiceImpl::GetReferral(
    grpc::CallbackServerContext* context, const sprout::v1::GetReferralRequest* request,
    sprout::v1::Referral* response) {
  absl::StatusOr<Call> call = BeginCall(context, *state_, "GetReferral", *request);
  if (!call.ok()) return FinishUnary(context, call.status());
  absl::StatusOr<std::string> id = IdFromName(request->name(), "referrals", "name");
  if (!id.ok()) return FinishUnary(context, id.status());
  absl::StatusOr<ReadAccess> access = ReadAccessOf(call->principal, request->break_glass_reason());
  if (!access.ok()) return FinishUnary(context, access.status());
  return FinishUnaryBlocking(context, *call->components,
                             [call = *std::move(call), id = *std::move(id), name = request->name(),
                              access = *access, response](CallAudit& audit) -> absl::Status {
                               pipeline::ReferralRead read = pipeline::ReadReferralFor(
                                   *call.components->store, call.components->clock->Now(),
                                   call.principal, "GetReferral", name, id, access.pseudonymise);
                               // Every read of patient data is audited, found or not, before the
                               // answer leaves; a read that cannot be audited is not answered.
                               read.audit.stated_reason = access.break_glass_reason;
                               audit.Add(std::move(read.audit));
                               if (!read.referral.ok()) return read.referral.status();
                               *response = *std::move(read.referral);
                               return absl::OkStatus();
                             });
}

grpc::ServerUnaryReactor* ReferralServiceImpl::ListReferrals(
    grpc::CallbackServerContext* context, const sprout::v1::ListReferralsRequest* request,
    sprout::v1::ListReferralsResponse* response) {
  absl::StatusOr<Call> call = BeginCall(context, *state_, "ListReferrals", *request);
  if (!call.ok()) return FinishUnary(context, call.status());
  absl::StatusOr<MessageFilter> filter =
      MessageFilter::Parse(request->filter(), *Referral::descriptor(),
                           {{"state"},
                            {"priority"},
                            {"source_type", "referrer.source_type"},
                            {"create_time"},
                            {"needs_coding_review"},
                            {"needs_review", "needs_coding_review"}});
  if (!filter.ok()) return FinishUnary(context, filter.status());
  absl::StatusOr<int> page_size = PageSizeOf(request->page_size(), 50, 500);
  if (!page_size.ok()) return FinishUnary(context, page_size.status());
  // Referrers list what their organisation sent; administrators list every
  // organisation's referrals, pseudonymised.
  const bool admin = call->principal.role == auth::Role::kAdmin;
  std::string scope = admin ? "" : call->principal.organisation_code;
  return FinishUnaryBlocking(
      context, *call->components,
      [call = *std::move(call), scope = std::move(scope), admin, size = *page_size,
       token = request->page_token(), filter = *std::move(filter),
       response](CallAudit& audit) -> absl::Status {
        absl::StatusOr<store::Page<Referral>> page = FilteredPage<Referral>(
            filter, size, token,
            [&](int n, const std::string& t) {
              return call.components->store->ListReferrals(scope, n, t);
            },
            [](Referral r) { return r; });
        std::vector<std::string> returned;
        if (page.ok()) {
          for (const Referral& r : page->items) returned.push_back(r.name());
        }
        audit.Access(call, "ListReferrals",
                     admin ? "referrals" : absl::StrCat("organisations/", scope, "/referrals"),
                     page.status(), std::move(returned));
        if (!page.ok()) return page.status();
        for (Referral& r : page->items) {
          if (admin) {
            auth::Pseudonymise(r);
          } else {
            auth::MinimiseForReferrer(r);
          }
          *response->add_referrals() = std::move(r);
        }
        response->set_next_page_token(page->next_page_token);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* ReferralServiceImpl::WithdrawReferral(
    grpc::CallbackServerContext* context, const sprout::v1::WithdrawReferralRequest* request,
    sprout::v1::Referral* response) {
  absl::StatusOr<Call> call = BeginCall(context, *state_, "WithdrawReferral", *request);
  if (!call.ok()) return FinishUnary(context, call.status());
  absl::StatusOr<LifecycleRequest> step =
      BeginLifecycle(*call, lifecycle::Transition::kWithdraw, request->name(), request->etag());
  if (!step.ok()) return FinishUnary(context, step.status());
  if (absl::Status checked = CheckWithdraw(*request, step->step); !checked.ok()) {
    return FinishUnary(context, checked);
  }
  const bool admin = call->principal.role == auth::Role::kAdmin;
  return FinishLifecycle(context, *std::move(call), *std::move(step),
                         [response, admin](store::UpdateOutcome& outcome) {
                           *response = std::move(outcome.referral);
                           if (admin) {
                             auth::Pseudonymise(*response);
                           } else {
                             auth::MinimiseForReferrer(*response);
                           }
                         });
}

grpc::ServerWriteReactor<sprout::v1::ReferralEvent>* ReferralServiceImpl::WatchReferral(
    grpc::CallbackServerContext* context, const sprout::v1::WatchReferralRequest* request) {
  using sprout::v1::ReferralEvent;
  absl::StatusOr<Call> call = BeginCall(context, *state_, "WatchReferral", *request);
  if (!call.ok()) return FinishStream<ReferralEvent>(call.status());
  absl::StatusOr<std::string> id = IdFromName(request->name(), "referrals", "name");
  if (!id.ok()) return FinishStream<ReferralEvent>(id.status());
  if (request->after_sequence() < 0) {
    return FinishStream<ReferralEvent>(InvalidArgumentWithViolations(
        {{"after_sequence",
          "must not be negative; pass 0, or the sequence of the last event received"}}));
  }
  QueueWatchHub* hub = call->components->queue_watch;
  const bool admin = call->principal.role == auth::Role::kAdmin;
  // Who may watch is decided, and the watch audited, on the hub's thread
  // before any event: a referral the caller may not read answers as missing.
  auto opening = [call = *std::move(call), id = *id, name = request->name()]() -> absl::Status {
    absl::StatusOr<Referral> referral = call.components->store->GetReferral(id);
    absl::Status outcome = referral.status();
    if (referral.ok() ? !pipeline::MayRead(call.principal, *referral)
                      : outcome.code() == absl::StatusCode::kNotFound) {
      outcome = ReferralNotFound(name);
    }
    SPROUT_RETURN_IF_ERROR(
        AuditAccess(call, "WatchReferral", name, outcome,
                    outcome.ok() ? std::vector<std::string>{name} : std::vector<std::string>{}));
    return outcome;
  };
  return new ReferralWatchStream(hub, *std::move(id), request->after_sequence(),
                                 /*summary_visible=*/!admin, std::move(opening));
}

}  // namespace sprout::api
