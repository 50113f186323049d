// AdminService's coding review learning: the proposals review has made and
// accepting one into an agency's lexicon (server/intake/coding_proposals.h).
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/api/admin_service.h"
#include "server/api/call.h"
#include "server/auth/principal.h"
#include "server/common/errors.h"
#include "server/intake/coding_proposals.h"
#include "server/intake/lexicons.h"

namespace sprout::api {
namespace {

using Violations = std::vector<FieldViolation>;

// Whether `agency` names a referrer kind as lexicons do ("police").
bool IsReferrerKind(absl::string_view agency) {
  for (int i = sprout::v1::SourceType_MIN; i <= sprout::v1::SourceType_MAX; ++i) {
    if (!sprout::v1::SourceType_IsValid(i) || i == sprout::v1::SOURCE_TYPE_UNSPECIFIED) continue;
    if (intake::AgencyName(static_cast<sprout::v1::SourceType>(i)) == agency) return true;
  }
  return false;
}

// The proposals the store's choices make now, against the lexicons in force.
absl::StatusOr<std::vector<intake::Proposal>> CurrentProposals(const Components& c,
                                                               const intake::ProposalQuery& query) {
  absl::StatusOr<std::vector<store::CodingChoice>> stored = c.store->ListCodingChoices();
  if (!stored.ok()) return stored.status();
  std::vector<intake::ReviewChoice> choices;
  choices.reserve(stored->size());
  for (store::CodingChoice& s : *stored) {
    choices.push_back({intake::AgencyName(static_cast<sprout::v1::SourceType>(s.source_type)),
                       std::move(s.phrase), std::move(s.referral_id), std::move(s.concept),
                       s.time});
  }
  return intake::ProposalsOf(choices, c.intake->Get()->coder().lexicons(), query);
}

}  // namespace

grpc::ServerUnaryReactor* AdminServiceImpl::ListCodingProposals(
    grpc::CallbackServerContext* context, const sprout::v1::ListCodingProposalsRequest* request,
    sprout::v1::ListCodingProposalsResponse* response) {
  absl::StatusOr<Call> call = BeginCall(context, *state_, "ListCodingProposals", *request);
  if (!call.ok()) return FinishUnary(context, call.status());
  intake::ProposalQuery query;
  query.agency = request->agency();
  query.include_in_lexicon = request->include_in_lexicon();
  if (request->min_referrals() != 0) query.min_referrals = request->min_referrals();
  Violations v;
  if (!query.agency.empty() && !IsReferrerKind(query.agency)) {
    v.push_back({"agency", absl::StrCat("is not a referrer kind as lexicons name them (\"police\", "
                                        "\"housing_provider\", ...); leave it empty for all")});
  }
  if (query.min_referrals < intake::kMinProposalReferrals) {
    v.push_back(
        {"min_referrals", absl::StrCat("is ", query.min_referrals, "; it must be at least ",
                                       intake::kMinProposalReferrals,
                                       ": words one referral used may be that person's own")});
  }
  if (!v.empty()) return FinishUnary(context, InvalidArgumentWithViolations(v));
  return FinishUnaryBlocking(
      context, *call->components,
      [call = *std::move(call), query = std::move(query), response](CallAudit& audit) {
        absl::StatusOr<std::vector<intake::Proposal>> proposals =
            CurrentProposals(*call.components, query);
        std::vector<std::string> returned;
        if (proposals.ok()) {
          for (const intake::Proposal& p : *proposals) returned.push_back(p.view.name());
        }
        audit.Access(call, "ListCodingProposals", "codingProposals", proposals.status(),
                     std::move(returned));
        if (!proposals.ok()) return proposals.status();
        for (intake::Proposal& p : *proposals) *response->add_proposals() = std::move(p.view);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* AdminServiceImpl::AcceptCodingProposal(
    grpc::CallbackServerContext* context, const sprout::v1::AcceptCodingProposalRequest* request,
    sprout::v1::AcceptCodingProposalResponse* response) {
  absl::StatusOr<Call> call = BeginCall(context, *state_, "AcceptCodingProposal", *request);
  if (!call.ok()) return FinishUnary(context, call.status());
  if (!call->components->accept_lexicon_phrase) {
    return FinishUnary(context,
                       ErrorWithInfo(absl::StatusCode::kFailedPrecondition, "RELOAD_NOT_CONFIGURED",
                                     "this server was started without the lexicon files an "
                                     "accepted phrase is added to",
                                     {{"method", "AcceptCodingProposal"}}));
  }
  absl::StatusOr<std::string> id = IdFromName(request->name(), "codingProposals", "name");
  if (!id.ok()) return FinishUnary(context, id.status());
  // The concept must be one a reason may be coded as: active, inside the
  // reason binding.
  sprout::v1::ReasonInput input;
  input.set_snomed_code(request->code());
  intake::ReasonCoding coding =
      call->components->intake->Get()->coder().Code(input, "", sprout::v1::SOURCE_TYPE_UNSPECIFIED);
  if (request->code().empty() || !coding.violations.empty()) {
    Violations v;
    if (request->code().empty())
      v.push_back({"code", "is required: one of the proposal's choices"});
    for (intake::FieldViolation& w : coding.violations) {
      v.push_back({"code", std::move(w.description)});
    }
    return FinishUnary(context, InvalidArgumentWithViolations(v));
  }
  return FinishUnaryBlocking(
      context, *call->components,
      [call = *std::move(call), name = request->name(), concept = coding.coded.concept(),
       response](CallAudit& audit) -> absl::Status {
        const Components& c = *call.components;
        auto refuse = [&](absl::Status status) {
          audit.Access(call, "AcceptCodingProposal", name, status);
          return status;
        };
        intake::ProposalQuery query;
        query.min_referrals = intake::kMinProposalReferrals;
        query.include_in_lexicon = true;
        absl::StatusOr<std::vector<intake::Proposal>> proposals = CurrentProposals(c, query);
        if (!proposals.ok()) return refuse(proposals.status());
        const intake::Proposal* found = nullptr;
        for (const intake::Proposal& p : *proposals) {
          if (p.view.name() == name) found = &p;
        }
        if (found == nullptr) {
          return refuse(absl::NotFoundError(
              absl::StrCat(name, " not found: list the proposals with ListCodingProposals")));
        }
        if (found->view.state() == sprout::v1::CODING_PROPOSAL_STATE_IN_LEXICON) {
          return refuse(FailedPreconditionWithViolation(
              "PHRASE_IN_LEXICON", "CODING_PROPOSAL", name,
              absl::StrCat("the phrase is in the lexicon ", found->view.lexicon(),
                           " already; nothing to accept")));
        }
        std::vector<std::string> chosen;
        for (const sprout::v1::ProposedConcept& pc : found->view.choices()) {
          chosen.push_back(pc.concept().code());
        }
        if (std::find(chosen.begin(), chosen.end(), concept.code()) == chosen.end()) {
          return refuse(FailedPreconditionWithViolation(
              "CONCEPT_NOT_CHOSEN", "CODING_PROPOSAL", name,
              absl::StrCat(
                  "reviewers did not choose ", concept.code(),
                  " for this phrase; accept one they chose: ", absl::StrJoin(chosen, ", "))));
        }
        store::LexiconAddition addition;
        addition.agency = found->view.agency();
        addition.phrase_key = found->phrase_key;
        addition.phrase = found->view.phrase();
        addition.concept = concept;
        addition.accepted_by = auth::PrincipalUri(call.principal);
        addition.time = c.clock->Now();
        // The addition and its audit record commit together; a refusal is
        // audited on its own.
        absl::StatusOr<std::string> lexicon = c.accept_lexicon_phrase(
            addition, AuditEventOf(call, "AcceptCodingProposal", name, absl::OkStatus()));
        if (!lexicon.ok()) return refuse(lexicon.status());
        sprout::v1::CodingProposal accepted = found->view;
        accepted.set_state(sprout::v1::CODING_PROPOSAL_STATE_IN_LEXICON);
        accepted.set_lexicon(*lexicon);
        *response->mutable_proposal() = std::move(accepted);
        response->set_lexicon(*lexicon);
        return absl::OkStatus();
      });
}

}  // namespace sprout::api
