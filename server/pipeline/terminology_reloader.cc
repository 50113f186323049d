#include "server/pipeline/terminology_reloader.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/status_macros.h"
#include "server/common/errors.h"
#include "server/intake/bindings.h"
#include "server/intake/code_maps.h"
#include "server/intake/lexicons.h"
#include "server/pipeline/ecl_predicate_compiler.h"
#include "snomed/terminology.h"

namespace sprout::pipeline {
namespace {

absl::Status Prefixed(const absl::Status& status, absl::string_view what) {
  return WithMessage(status, absl::StrCat(what, ": ", status.message()));
}

intake::AcceptedPhrase AcceptedPhraseOf(const store::LexiconAddition& a) {
  return {a.agency,         a.phrase,
          a.concept.code(), a.concept.display(),
          a.accepted_by,    absl::FormatTime("%Y-%m-%d", a.time, absl::UTCTimeZone())};
}

}  // namespace

absl::StatusOr<std::shared_ptr<const intake::ReferralIntake>> LoadIntake(
    const TerminologySources& sources, std::shared_ptr<const snomed::Terminology> terminology,
    intake::IntakeOptions options, const Clock* clock,
    const std::vector<intake::AcceptedPhrase>& accepted) {
  absl::StatusOr<std::shared_ptr<const intake::CodeMaps>> code_maps =
      intake::CodeMaps::LoadDirectory(sources.codemaps_dir, *terminology);
  if (!code_maps.ok()) return Prefixed(code_maps.status(), "code maps");
  absl::StatusOr<std::shared_ptr<const intake::PhraseLexicons>> lexicons =
      intake::PhraseLexicons::LoadDirectory(sources.lexicons_dir, *terminology, accepted);
  if (!lexicons.ok()) return Prefixed(lexicons.status(), "lexicons");
  absl::StatusOr<intake::Bindings> bindings =
      intake::LoadBindings(sources.bindings_file, *terminology);
  if (!bindings.ok()) return Prefixed(bindings.status(), "bindings");
  intake::ApplyBindings(*bindings, &options);
  options.coder.lexicons = *lexicons;
  absl::StatusOr<std::unique_ptr<intake::ReferralIntake>> intake =
      intake::ReferralIntake::Create(std::move(terminology), *code_maps, clock, options);
  if (!intake.ok()) return Prefixed(intake.status(), "intake");
  return std::shared_ptr<const intake::ReferralIntake>(*std::move(intake));
}

absl::StatusOr<std::vector<intake::AcceptedPhrase>> AcceptedPhrases(store::Store& store) {
  absl::StatusOr<std::vector<store::LexiconAddition>> additions = store.ListLexiconAdditions();
  if (!additions.ok()) return additions.status();
  std::vector<intake::AcceptedPhrase> out;
  out.reserve(additions->size());
  for (const store::LexiconAddition& a : *additions) out.push_back(AcceptedPhraseOf(a));
  return out;
}

TerminologyReloader::TerminologyReloader(TerminologyReloaderDeps deps) : deps_(std::move(deps)) {}

absl::StatusOr<TerminologyReloadOutcome> TerminologyReloader::Reload(
    const ReloadActor& actor, std::vector<std::string> release_dirs) {
  absl::MutexLock serialised(&mu_);
  absl::StatusOr<TerminologyReloadOutcome> outcome = absl::UnknownError("not run");
  deps_.routing_reloader->RunSerialised(
      [&] { outcome = ReloadLocked(actor, std::move(release_dirs)); });
  return outcome;
}

absl::StatusOr<TerminologyReloadOutcome> TerminologyReloader::ReloadLocked(
    const ReloadActor& actor, std::vector<std::string> release_dirs) {
  const std::shared_ptr<const snomed::Terminology> previous = deps_.terminology->Get();
  const std::string previous_label = intake::ReleaseLabel(*previous);
  const absl::Time now = deps_.clock->Now();
  if (release_dirs.empty()) release_dirs = previous->release().folders;

  store::AuditEvent audit;
  audit.actor_organisation = actor.organisation;
  audit.actor_role = actor.role;
  audit.action = "ReloadTerminology";
  audit.time = now;
  auto refuse = [&](absl::string_view type, absl::string_view subject, absl::string_view problem) {
    absl::Status status = WithMessage(
        FailedPreconditionWithViolation("TERMINOLOGY_RELOAD_REFUSED", type, subject, problem),
        absl::StrCat("the new release cannot replace ", previous_label, ": ", problem));
    SetErrorInfo(status, "TERMINOLOGY_RELOAD_REFUSED",
                 {{"release", previous_label}, {"subject", std::string(subject)}});
    audit.resource = absl::StrCat("terminologyReleases/", previous_label);
    audit.outcome = absl::StatusCodeToString(status.code());
    // The refusal is what the caller must see; a failure to audit it is not.
    deps_.store->AppendAudit(audit).IgnoreError();
    return status;
  };

  // 1. The release, beside the one in force. The cache is for the folders
  //    given at start-up only.
  snomed::LoadOptions load;
  load.release_dirs = release_dirs;
  if (release_dirs == deps_.sources.release_dirs) load.cache_path = deps_.sources.cache_file;
  const absl::Time t0 = absl::Now();
  absl::StatusOr<std::shared_ptr<const snomed::Terminology>> next = snomed::Terminology::Load(load);
  const absl::Duration load_time = absl::Now() - t0;
  if (!next.ok()) {
    return refuse("SNOMED_RELEASE", absl::StrJoin(release_dirs, ","),
                  absl::StrCat("SNOMED release: ", next.status().message()));
  }

  // 2. Everything that names concepts, against it.
  absl::StatusOr<std::vector<intake::AcceptedPhrase>> accepted = AcceptedPhrases(*deps_.store);
  if (!accepted.ok()) return accepted.status();
  absl::StatusOr<std::shared_ptr<const intake::ReferralIntake>> intake =
      LoadIntake(deps_.sources, *next, deps_.intake_options, deps_.clock, *accepted);
  if (!intake.ok()) return refuse("INTAKE_CONFIG", "intake", intake.status().message());
  snomed::TerminologyHolder candidate(*next);
  EclPredicateCompiler compiler(&candidate);
  absl::StatusOr<std::shared_ptr<const routing::RoutingConfig>> config =
      LoadRoutingConfig(deps_.routing_sources, compiler);
  if (!config.ok()) return refuse("ROUTING_CONFIG", "routing", config.status().message());

  // 3. Durable records first, then the swaps, which cannot fail.
  const std::string label = intake::ReleaseLabel(**next);
  store::DirectoryVersion version;
  version.version = (*config)->directory->version();
  version.loaded_time = now;
  version.description =
      absl::StrCat("directory ", deps_.routing_sources.directory_dir, ", policy ",
                   deps_.routing_sources.policy_file, " '", (*config)->policy->name(), "' ",
                   (*config)->policy->version(), ", SNOMED CT ", label);
  SPROUT_RETURN_IF_ERROR(deps_.store->RecordDirectoryVersion(version));
  audit.resource = absl::StrCat("terminologyReleases/", label);
  audit.outcome = "OK";
  SPROUT_RETURN_IF_ERROR(deps_.store->AppendAudit(audit));

  if (deps_.directory != nullptr) {
    SPROUT_RETURN_IF_ERROR(deps_.directory->Replace((*config)->directory));
  }
  deps_.terminology->Set(*next);
  deps_.intake->Set(*intake);
  deps_.config->Replace(*config);

  TerminologyReloadOutcome outcome;
  outcome.release = label;
  outcome.previous_release = previous_label;
  outcome.folders = release_dirs;
  outcome.concepts = (*next)->concept_count();
  outcome.load_time = load_time;
  outcome.from_cache = (*next)->release().from_cache;
  outcome.routing_rules = (*config)->policy->rules().size();
  outcome.reload_time = now;
  return outcome;
}

absl::StatusOr<std::string> TerminologyReloader::AcceptPhrase(
    const store::LexiconAddition& addition, const store::AuditEvent& audit) {
  absl::MutexLock serialised(&mu_);
  absl::StatusOr<std::string> label = absl::UnknownError("not run");
  deps_.routing_reloader->RunSerialised([&] { label = AcceptPhraseLocked(addition, audit); });
  return label;
}

absl::StatusOr<std::string> TerminologyReloader::AcceptPhraseLocked(
    const store::LexiconAddition& addition, const store::AuditEvent& audit) {
  SPROUT_ASSIGN_OR_RETURN(std::vector<intake::AcceptedPhrase> accepted,
                          AcceptedPhrases(*deps_.store));
  accepted.push_back(AcceptedPhraseOf(addition));
  absl::StatusOr<std::shared_ptr<const intake::ReferralIntake>> intake = LoadIntake(
      deps_.sources, deps_.terminology->Get(), deps_.intake_options, deps_.clock, accepted);
  if (!intake.ok()) {
    absl::Status status =
        WithMessage(FailedPreconditionWithViolation("LEXICON_PHRASE_REFUSED", "LEXICON",
                                                    addition.agency, intake.status().message()),
                    absl::StrCat("the phrase cannot join the ", addition.agency,
                                 " lexicon: ", intake.status().message()));
    return status;
  }
  SPROUT_RETURN_IF_ERROR(deps_.store->AddLexiconPhrase(addition, audit));
  deps_.intake->Set(*intake);
  const intake::PhraseLexicons::Lexicon* lexicon =
      (*intake)->coder().lexicons().Find(addition.agency);
  return lexicon != nullptr ? lexicon->label() : addition.agency;
}

}  // namespace sprout::pipeline
