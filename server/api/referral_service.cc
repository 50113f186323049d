#include "server/api/referral_service.h"

#include "absl/strings/str_cat.h"
#include "server/api/call.h"
#include "server/auth/policy.h"
#include "server/common/errors.h"

namespace sprout::api {
namespace {

using sprout::v1::Referral;

// The submitting organisation is the caller's: a referral may not claim to
// come from another organisation. Fills it in when the client left it empty.
absl::Status StampReferrer(const auth::Principal& caller, Referral& referral) {
  sprout::v1::Referrer* referrer = referral.mutable_referrer();
  if (referrer->organisation_code().empty()) {
    referrer->set_organisation_code(caller.organisation_code);
  } else if (referrer->organisation_code() != caller.organisation_code) {
    return InvalidArgumentWithViolations(
        {{"referral.referrer.organisation_code",
          absl::StrCat("must be your own organisation, ", caller.organisation_code,
                       " (as in your client certificate), or left empty")}});
  }
  return absl::OkStatus();
}

}  // namespace

grpc::ServerUnaryReactor* ReferralServiceImpl::SubmitReferral(
    grpc::CallbackServerContext* context, const sprout::v1::SubmitReferralRequest* request,
    sprout::v1::SubmitReferralResponse* response) {
  absl::StatusOr<Call> call = BeginCall(context, *state_, "SubmitReferral");
  if (!call.ok()) return FinishUnary(context, call.status());
  Referral referral = request->referral();
  if (absl::Status s = StampReferrer(call->principal, referral); !s.ok()) {
    return FinishUnary(context, s);
  }
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  call->components->pipeline->SubmitAsync(
      request->request_id(), referral, call->principal,
      [reactor, response](absl::StatusOr<store::SubmitOutcome> outcome) {
        if (outcome.ok()) {
          *response->mutable_referral() = std::move(outcome->referral);
          response->set_replayed(outcome->replayed);
        }
        reactor->Finish(ToGrpcStatus(outcome.status()));
      });
  return reactor;
}

grpc::ServerUnaryReactor* ReferralServiceImpl::ValidateReferral(
    grpc::CallbackServerContext* context, const sprout::v1::ValidateReferralRequest* request,
    sprout::v1::ValidateReferralResponse* response) {
  absl::StatusOr<Call> call = BeginCall(context, *state_, "ValidateReferral");
  if (!call.ok()) return FinishUnary(context, call.status());
  Referral referral = request->referral();
  if (absl::Status s = StampReferrer(call->principal, referral); !s.ok()) {
    return FinishUnary(context, s);
  }
  absl::StatusOr<pipeline::PreparedReferral> prepared =
      call->components->pipeline->Prepare(referral, call->principal);
  if (prepared.ok()) {
    *response->mutable_referral() = std::move(prepared->referral);
    *response->mutable_decision() = std::move(prepared->decision);
  }
  return FinishUnary(context, prepared.status());
}

grpc::ServerUnaryReactor* ReferralServiceImpl::GetReferral(
    grpc::CallbackServerContext* context, const sprout::v1::GetReferralRequest* request,
    sprout::v1::Referral* response) {
  absl::StatusOr<Call> call = BeginCall(context, *state_, "GetReferral");
  if (!call.ok()) return FinishUnary(context, call.status());
  absl::StatusOr<std::string> id = IdFromName(request->name(), "referrals", "name");
  if (!id.ok()) return FinishUnary(context, id.status());
  absl::StatusOr<Referral> referral = call->components->store->GetReferral(*id);
  if (!referral.ok()) return FinishUnary(context, referral.status());
  absl::Status allowed =
      call->principal.role == auth::Role::kLinkWorker
          ? auth::AuthorizeQueue(call->principal, referral->route().pcn())
          : auth::AuthorizeReferralRead(call->principal, referral->referrer().organisation_code());
  // Every read of patient data is audited, refused ones included.
  absl::Status audited = AuditAccess(*call, "GetReferral", request->name(), allowed);
  if (!allowed.ok()) return FinishUnary(context, allowed);
  if (!audited.ok()) return FinishUnary(context, audited);
  *response = *std::move(referral);
  return FinishUnary(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* ReferralServiceImpl::ListReferrals(
    grpc::CallbackServerContext* context, const sprout::v1::ListReferralsRequest* request,
    sprout::v1::ListReferralsResponse* response) {
  absl::StatusOr<Call> call = BeginCall(context, *state_, "ListReferrals");
  if (!call.ok()) return FinishUnary(context, call.status());
  if (!request->filter().empty()) {
    return FinishUnary(context,
                       InvalidArgumentWithViolations({{"filter",
                                                       "filtering referrals is not supported yet; "
                                                       "leave filter empty"}}));
  }
  absl::StatusOr<int> page_size = PageSizeOf(request->page_size(), 50, 500);
  if (!page_size.ok()) return FinishUnary(context, page_size.status());
  absl::StatusOr<store::Page<Referral>> page = call->components->store->ListReferrals(
      call->principal.organisation_code, *page_size, request->page_token());
  if (!page.ok()) return FinishUnary(context, page.status());
  for (Referral& r : page->items) *response->add_referrals() = std::move(r);
  response->set_next_page_token(page->next_page_token);
  return FinishUnary(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* ReferralServiceImpl::WithdrawReferral(
    grpc::CallbackServerContext* context, const sprout::v1::WithdrawReferralRequest* request,
    sprout::v1::Referral* response) {
  return FinishUnary(context, NotImplemented("WithdrawReferral"));
}

grpc::ServerWriteReactor<sprout::v1::ReferralEvent>* ReferralServiceImpl::WatchReferral(
    grpc::CallbackServerContext* context, const sprout::v1::WatchReferralRequest* request) {
  return FinishStream<sprout::v1::ReferralEvent>(NotImplemented("WatchReferral"));
}

}  // namespace sprout::api
