#include "server/api/terminology_service.h"

#include <algorithm>
#include <optional>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "server/api/call.h"
#include "server/common/errors.h"
#include "snomed/ecl.h"
#include "snomed/sctid.h"
#include "snomed/search.h"

namespace sprout::api {
namespace {

using snomed::Terminology;

absl::StatusOr<uint64_t> ConceptIdField(absl::string_view text, absl::string_view field) {
  absl::StatusOr<uint64_t> id = snomed::ParseSctid(text, snomed::kConceptPartitions);
  if (!id.ok()) {
    return InvalidArgumentWithViolations({{std::string(field), std::string(id.status().message())}},
                                         "INVALID_SCTID");
  }
  return id;
}

// A refusal of an ECL field (a syntax error or a limit passed, in parsing
// or in evaluation) as a BadRequest naming the field; the message names the
// column.
absl::Status EclViolation(const absl::Status& status, absl::string_view field) {
  return InvalidArgumentWithViolations({{std::string(field), std::string(status.message())}},
                                       "INVALID_ECL");
}

// An ECL field, parsed under the default snomed::EclLimits.
absl::StatusOr<snomed::Ecl> EclField(absl::string_view text, absl::string_view field) {
  absl::StatusOr<snomed::Ecl> ecl = snomed::Ecl::Parse(text);
  if (!ecl.ok()) return EclViolation(ecl.status(), field);
  return ecl;
}

absl::Status ConceptNotFound(uint64_t id, const Terminology& t) {
  return ErrorWithInfo(
      absl::StatusCode::kNotFound, "CONCEPT_NOT_FOUND",
      absl::StrCat("concept ", id, " is not in the loaded release ", t.release().identity),
      {{"code", absl::StrCat(id)}});
}

sprout::v1::CodedConcept Coded(const Terminology& t, uint64_t id) {
  sprout::v1::CodedConcept c;
  c.set_code(absl::StrCat(id));
  if (auto pt = t.PreferredTerm(id)) c.set_display(std::string(*pt));
  return c;
}

sprout::v1::PreferredTermSource PreferredTermSourceOf(snomed::PreferredTermSource source) {
  switch (source) {
    case snomed::kTermFromNhsRealm:
      return sprout::v1::PREFERRED_TERM_SOURCE_EN_GB;
    case snomed::kTermFromGb:
      return sprout::v1::PREFERRED_TERM_SOURCE_GB;
    case snomed::kTermFromUs:
      return sprout::v1::PREFERRED_TERM_SOURCE_US;
    case snomed::kTermFromFsn:
      return sprout::v1::PREFERRED_TERM_SOURCE_FSN;
    case snomed::kTermNone:
      break;
  }
  return sprout::v1::PREFERRED_TERM_SOURCE_UNSPECIFIED;
}

std::string AssociationName(const snomed::HistoricalAssociation& a) { return std::string(a.type); }

void FillConcept(const Terminology& t, uint64_t id, sprout::v1::Concept* out) {
  const std::optional<snomed::Concept> concept = t.GetConcept(id);
  out->set_name(absl::StrCat("concepts/", id));
  out->set_code(absl::StrCat(id));
  out->set_active(concept->active);
  out->set_module(absl::StrCat(concept->module_id));
  out->set_fully_defined(concept->fully_defined);
  if (auto pt = t.PreferredTerm(id)) out->set_preferred_term(std::string(*pt));
  out->set_preferred_term_source(PreferredTermSourceOf(t.PreferredTermSourceOf(id)));
  if (auto fsn = t.Fsn(id)) out->set_fully_specified_name(std::string(*fsn));
  for (absl::string_view synonym : t.Synonyms(id)) {
    if (synonym != out->preferred_term()) out->add_synonyms(std::string(synonym));
  }
  for (uint64_t parent : t.Parents(id)) *out->add_parents() = Coded(t, parent);
  for (uint64_t child : t.Children(id)) *out->add_children() = Coded(t, child);
  if (!concept->active) {
    if (std::optional<snomed::History> history = t.GetHistory(id)) {
      std::string reason;
      if (history->inactivation_reason_id != 0) {
        reason = std::string(t.PreferredTerm(history->inactivation_reason_id)
                                 .value_or(absl::StrCat(history->inactivation_reason_id)));
      }
      for (const snomed::HistoricalAssociation& a : history->associations) {
        sprout::v1::HistoricalTarget* target = out->add_replacements();
        *target->mutable_concept() = Coded(t, a.target_id);
        target->set_association(AssociationName(a));
        target->set_inactivation_reason(reason);
      }
    }
  }
}

// Appends, up to `limit` hits in all, the concepts the deployment's code
// maps give for terms matching `query` (the referrers' own words, e.g. a job
// centre's "Debt or money problems"), skipping concepts already `found` and,
// when `allowed` (sorted concept indexes) is given, those outside it.
void AddRelatedTerms(const Terminology& t, const intake::CodeMaps& maps, absl::string_view query,
                     const std::vector<uint32_t>* allowed, size_t limit,
                     absl::flat_hash_set<uint64_t>* found,
                     sprout::v1::SearchConceptsResponse* response) {
  for (const intake::CodeMaps::Entry* entry : maps.EntriesMatching(query)) {
    if (static_cast<size_t>(response->hits_size()) >= limit) return;
    if (found->contains(entry->concept_id) || !t.IsActive(entry->concept_id)) continue;
    if (allowed != nullptr &&
        !std::binary_search(allowed->begin(), allowed->end(), t.IndexOf(entry->concept_id))) {
      continue;
    }
    found->insert(entry->concept_id);
    sprout::v1::SearchHit* out = response->add_hits();
    *out->mutable_concept() = Coded(t, entry->concept_id);
    out->set_matched_term(entry->display);
    out->set_active(true);
    out->set_related_term_source(absl::StrCat("code map ", entry->map->system, " ", entry->code));
  }
}

}  // namespace

grpc::ServerUnaryReactor* TerminologyServiceImpl::GetConcept(
    grpc::CallbackServerContext* context, const sprout::v1::GetConceptRequest* request,
    sprout::v1::Concept* response) {
  absl::StatusOr<Call> call = BeginCall(context, *state_, "GetConcept", *request);
  if (!call.ok()) return FinishUnary(context, call.status());
  absl::StatusOr<std::string> code = IdFromName(request->name(), "concepts", "name");
  if (!code.ok()) return FinishUnary(context, code.status());
  absl::StatusOr<uint64_t> id = ConceptIdField(*code, "name");
  if (!id.ok()) return FinishUnary(context, id.status());
  std::shared_ptr<const Terminology> t = call->components->terminology->Get();
  if (!t->Exists(*id)) return FinishUnary(context, ConceptNotFound(*id, *t));
  FillConcept(*t, *id, response);
  return FinishUnary(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* TerminologyServiceImpl::Subsumes(
    grpc::CallbackServerContext* context, const sprout::v1::SubsumesRequest* request,
    sprout::v1::SubsumesResponse* response) {
  absl::StatusOr<Call> call = BeginCall(context, *state_, "Subsumes", *request);
  if (!call.ok()) return FinishUnary(context, call.status());
  std::vector<FieldViolation> violations;
  absl::StatusOr<uint64_t> a = snomed::ParseSctid(request->code_a(), snomed::kConceptPartitions);
  absl::StatusOr<uint64_t> b = snomed::ParseSctid(request->code_b(), snomed::kConceptPartitions);
  if (!a.ok()) violations.push_back({"code_a", std::string(a.status().message())});
  if (!b.ok()) violations.push_back({"code_b", std::string(b.status().message())});
  if (!violations.empty()) {
    return FinishUnary(context, InvalidArgumentWithViolations(violations, "INVALID_SCTID"));
  }
  std::shared_ptr<const Terminology> t = call->components->terminology->Get();
  if (!t->Exists(*a)) return FinishUnary(context, ConceptNotFound(*a, *t));
  if (!t->Exists(*b)) return FinishUnary(context, ConceptNotFound(*b, *t));
  sprout::v1::SubsumptionOutcome outcome = sprout::v1::SUBSUMPTION_OUTCOME_NOT_SUBSUMED;
  if (*a == *b) {
    outcome = sprout::v1::SUBSUMPTION_OUTCOME_EQUIVALENT;
  } else if (t->Subsumes(*a, *b)) {
    outcome = sprout::v1::SUBSUMPTION_OUTCOME_SUBSUMES;
  } else if (t->Subsumes(*b, *a)) {
    outcome = sprout::v1::SUBSUMPTION_OUTCOME_SUBSUMED_BY;
  }
  response->set_outcome(outcome);
  return FinishUnary(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* TerminologyServiceImpl::ExpandEcl(
    grpc::CallbackServerContext* context, const sprout::v1::ExpandEclRequest* request,
    sprout::v1::ExpandEclResponse* response) {
  absl::StatusOr<Call> call = BeginCall(context, *state_, "ExpandEcl", *request);
  if (!call.ok()) return FinishUnary(context, call.status());
  absl::StatusOr<snomed::Ecl> ecl = EclField(request->ecl(), "ecl");
  if (!ecl.ok()) return FinishUnary(context, ecl.status());
  absl::StatusOr<int> page_size = PageSizeOf(request->page_size(), 100, 1000);
  if (!page_size.ok()) return FinishUnary(context, page_size.status());
  // The page token is the last SCTID of the previous page: results are in
  // SCTID order, so paging stays stable for one release.
  uint64_t after = 0;
  if (!request->page_token().empty() && !absl::SimpleAtoi(request->page_token(), &after)) {
    return FinishUnary(context,
                       InvalidArgumentWithViolations({{"page_token",
                                                       "is not a token this method returned; "
                                                       "start again without it"}}));
  }
  std::shared_ptr<const Terminology> t = call->components->terminology->Get();
  absl::StatusOr<std::vector<uint64_t>> evaluated = ecl->EvaluateBounded(*t);
  if (!evaluated.ok()) return FinishUnary(context, EclViolation(evaluated.status(), "ecl"));
  const std::vector<uint64_t>& ids = *evaluated;
  response->set_total_size(static_cast<int64_t>(ids.size()));
  auto it = std::upper_bound(ids.begin(), ids.end(), after);
  for (; it != ids.end() && response->concepts_size() < *page_size; ++it) {
    *response->add_concepts() = Coded(*t, *it);
  }
  if (it != ids.end()) response->set_next_page_token(absl::StrCat(*(it - 1)));
  return FinishUnary(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* TerminologyServiceImpl::SearchConcepts(
    grpc::CallbackServerContext* context, const sprout::v1::SearchConceptsRequest* request,
    sprout::v1::SearchConceptsResponse* response) {
  absl::StatusOr<Call> call = BeginCall(context, *state_, "SearchConcepts", *request);
  if (!call.ok()) return FinishUnary(context, call.status());
  if (request->query().empty()) {
    return FinishUnary(
        context, InvalidArgumentWithViolations({{"query",
                                                 "is required: give one or more word prefixes, "
                                                 "e.g. \"soc iso\""}}));
  }
  std::optional<snomed::Ecl> constraint;
  if (!request->ecl().empty()) {
    absl::StatusOr<snomed::Ecl> ecl = EclField(request->ecl(), "ecl");
    if (!ecl.ok()) return FinishUnary(context, ecl.status());
    constraint = *std::move(ecl);
  }
  absl::StatusOr<int> page_size = PageSizeOf(request->page_size(), 20, 200);
  if (!page_size.ok()) return FinishUnary(context, page_size.status());
  std::shared_ptr<const Terminology> t = call->components->terminology->Get();
  snomed::SearchOptions options;
  options.limit = static_cast<size_t>(*page_size);
  std::vector<uint32_t> allowed;
  if (constraint) {
    absl::StatusOr<std::vector<uint32_t>> evaluated = constraint->EvaluateIndexesBounded(*t);
    if (!evaluated.ok()) return FinishUnary(context, EclViolation(evaluated.status(), "ecl"));
    allowed = *std::move(evaluated);
    options.allowed_concepts = &allowed;
  }
  options.include_inactive = request->include_inactive();
  absl::flat_hash_set<uint64_t> found;
  for (const snomed::SearchHit& hit : snomed::Search(*t, request->query(), options)) {
    sprout::v1::SearchHit* out = response->add_hits();
    out->mutable_concept()->set_code(absl::StrCat(hit.concept_id));
    out->mutable_concept()->set_display(std::string(hit.preferred_term));
    out->set_matched_term(std::string(hit.term));
    out->set_active(hit.active);
    found.insert(hit.concept_id);
  }
  AddRelatedTerms(*t, call->components->intake->Get()->coder().code_maps(), request->query(),
                  constraint ? &allowed : nullptr, static_cast<size_t>(*page_size), &found,
                  response);
  return FinishUnary(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* TerminologyServiceImpl::ValidateCode(
    grpc::CallbackServerContext* context, const sprout::v1::ValidateCodeRequest* request,
    sprout::v1::ValidateCodeResponse* response) {
  absl::StatusOr<Call> call = BeginCall(context, *state_, "ValidateCode", *request);
  if (!call.ok()) return FinishUnary(context, call.status());
  std::optional<snomed::Ecl> binding;
  if (!request->ecl().empty()) {
    absl::StatusOr<snomed::Ecl> ecl = EclField(request->ecl(), "ecl");
    if (!ecl.ok()) return FinishUnary(context, ecl.status());
    binding = *std::move(ecl);
  }
  // A code that is not a valid SCTID is an answer (valid=false), not an error:
  // this method exists to tell callers what is wrong with a code.
  absl::StatusOr<uint64_t> id = snomed::ParseSctid(request->code(), snomed::kConceptPartitions);
  if (!id.ok()) {
    response->set_valid(false);
    response->set_message(std::string(id.status().message()));
    return FinishUnary(context, absl::OkStatus());
  }
  std::shared_ptr<const Terminology> t = call->components->terminology->Get();
  if (!t->Exists(*id)) {
    response->set_valid(false);
    response->set_message(
        absl::StrCat("concept ", *id, " is not in the loaded release ", t->release().identity));
    return FinishUnary(context, absl::OkStatus());
  }
  *response->mutable_concept() = Coded(*t, *id);
  response->set_active(t->IsActive(*id));
  response->set_valid(response->active());
  if (!response->active()) {
    response->set_message(
        absl::StrCat("concept ", *id, " is inactive; TranslateCode gives its replacements"));
  } else if (binding) {
    absl::StatusOr<bool> in_binding = binding->MatchesBounded(*t, *id);
    if (!in_binding.ok()) return FinishUnary(context, EclViolation(in_binding.status(), "ecl"));
    if (!*in_binding) {
      response->set_valid(false);
      response->set_message(
          absl::StrCat("concept ", *id, " is not in the binding ", binding->text()));
    }
  }
  return FinishUnary(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* TerminologyServiceImpl::TranslateCode(
    grpc::CallbackServerContext* context, const sprout::v1::TranslateCodeRequest* request,
    sprout::v1::TranslateCodeResponse* response) {
  absl::StatusOr<Call> call = BeginCall(context, *state_, "TranslateCode", *request);
  if (!call.ok()) return FinishUnary(context, call.status());
  if (!request->system().empty() && request->system() != "http://snomed.info/sct") {
    std::shared_ptr<const intake::ReferralIntake> intake = call->components->intake->Get();
    const intake::CodeMaps* maps = &intake->coder().code_maps();
    const intake::CodeMaps::Map* map = maps->FindSystem(request->system());
    if (map == nullptr) {
      return FinishUnary(
          context, ErrorWithInfo(absl::StatusCode::kNotFound, "UNKNOWN_CODE_SYSTEM",
                                 absl::StrCat("no code map for system \"", request->system(), "\""),
                                 {{"system", request->system()}}));
    }
    const intake::CodeMaps::Entry* entry = maps->Find(request->system(), request->code());
    if (entry == nullptr) {
      return FinishUnary(context,
                         ErrorWithInfo(absl::StatusCode::kNotFound, "UNKNOWN_LOCAL_CODE",
                                       absl::StrCat("code \"", request->code(), "\" is not in map ",
                                                    map->system, "@", map->version),
                                       {{"system", request->system()}, {"code", request->code()}}));
    }
    std::shared_ptr<const Terminology> t = call->components->terminology->Get();
    sprout::v1::Translation* tr = response->add_translations();
    *tr->mutable_concept() = Coded(*t, entry->concept_id);
    tr->set_relationship("equivalent");
    tr->set_source_version(absl::StrCat(map->system, "@", map->version));
    return FinishUnary(context, absl::OkStatus());
  }
  absl::StatusOr<uint64_t> id = ConceptIdField(request->code(), "code");
  if (!id.ok()) return FinishUnary(context, id.status());
  std::shared_ptr<const Terminology> t = call->components->terminology->Get();
  if (!t->Exists(*id)) return FinishUnary(context, ConceptNotFound(*id, *t));
  if (t->IsActive(*id)) {
    sprout::v1::Translation* same = response->add_translations();
    *same->mutable_concept() = Coded(*t, *id);
    same->set_relationship("active");
    same->set_source_version(t->release().identity);
    return FinishUnary(context, absl::OkStatus());
  }
  if (std::optional<snomed::History> history = t->GetHistory(*id)) {
    for (const snomed::HistoricalAssociation& a : history->associations) {
      sprout::v1::Translation* tr = response->add_translations();
      *tr->mutable_concept() = Coded(*t, a.target_id);
      tr->set_relationship(AssociationName(a));
      tr->set_source_version(t->release().identity);
    }
  }
  return FinishUnary(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* TerminologyServiceImpl::GetRelease(
    grpc::CallbackServerContext* context, const sprout::v1::GetReleaseRequest* request,
    sprout::v1::Release* response) {
  absl::StatusOr<Call> call = BeginCall(context, *state_, "GetRelease", *request);
  if (!call.ok()) return FinishUnary(context, call.status());
  std::shared_ptr<const Terminology> t = call->components->terminology->Get();
  response->set_id(t->release().identity);
  for (const std::string& f : t->release().folders) response->add_folders(f);
  response->set_load_millis(absl::ToInt64Milliseconds(t->release().load_duration));
  response->set_effective_time(t->release().effective_date);
  response->set_concepts(static_cast<int64_t>(t->concept_count()));
  response->set_from_cache(t->release().from_cache);
  int64_t active = 0, descriptions = 0, relationships = 0;
  for (const snomed::ModuleSummary& m : t->modules()) {
    sprout::v1::ReleaseModule* out = response->add_modules();
    out->set_module(absl::StrCat(m.module_id));
    if (auto pt = t->PreferredTerm(m.module_id)) out->set_display(std::string(*pt));
    out->set_concepts(static_cast<int64_t>(m.concepts));
    out->set_active_concepts(static_cast<int64_t>(m.active_concepts));
    out->set_descriptions(static_cast<int64_t>(m.descriptions));
    out->set_relationships(static_cast<int64_t>(m.relationships));
    active += static_cast<int64_t>(m.active_concepts);
    descriptions += static_cast<int64_t>(m.descriptions);
    relationships += static_cast<int64_t>(m.relationships);
  }
  response->set_active_concepts(active);
  response->set_descriptions(descriptions);
  response->set_relationships(relationships);
  return FinishUnary(context, absl::OkStatus());
}

}  // namespace sprout::api
