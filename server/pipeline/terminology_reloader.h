// File: server/pipeline/terminology_reloader.h
//
// Loads the intake (bindings, code maps, lexicons and the coder over a SNOMED
// CT release) at start-up, and swaps in a new release without a restart
// (AdminService.ReloadTerminology, and SIGHUP with
// --reload_terminology_on_sighup). A reload loads the new release beside the
// running one, rebuilds everything that names concepts against it (the
// bindings, every code map and lexicon, every routing rule's ECL and the
// directory's specialisms) and swaps only if all of it still resolves;
// otherwise it refuses, saying which file and what, and the release in force
// is untouched. Calls already running keep the snapshot they started with;
// every coded reason and routing decision records the release it used.
// Accepting a phrase from coding review into a lexicon rebuilds the intake
// the same way, against the release in force.
//
//   SPROUT_ASSIGN_OR_RETURN(auto intake,
//                           LoadIntake(sources, terminology, options, clock, accepted));
//   TerminologyReloader reloader(deps);
//   absl::StatusOr<TerminologyReloadOutcome> o = reloader.Reload(actor, {});
#ifndef SPROUT_SERVER_PIPELINE_TERMINOLOGY_RELOADER_H_
#define SPROUT_SERVER_PIPELINE_TERMINOLOGY_RELOADER_H_

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "base/clock.h"
#include "server/intake/intake.h"
#include "server/pipeline/routing_reloader.h"
#include "server/routing/directory_holder.h"
#include "server/routing/routing_config.h"
#include "server/store/store.h"
#include "snomed/terminology_holder.h"

namespace sprout::pipeline {

// Where the release and what names its concepts are read from, as given at
// start-up.
struct TerminologySources {
  std::vector<std::string> release_dirs;  // --snomed_release
  std::string cache_file;                 // --snomed_cache; empty: none
  std::string bindings_file;              // --bindings
  std::string codemaps_dir;               // --codemaps
  std::string lexicons_dir;               // --lexicons
};

// LoadIntake()
//
// The bindings, code maps and lexicons (with the phrases `accepted` from
// coding review added, intake::WithAccepted) read and checked against
// `terminology`, and the intake built over them with `options` (its coder
// options are filled from the bindings and lexicons). Errors as start-up
// reports them: "bindings: ...", "code maps: ...", "lexicons: ...",
// "intake: ...".
absl::StatusOr<std::shared_ptr<const intake::ReferralIntake>> LoadIntake(
    const TerminologySources& sources, std::shared_ptr<const snomed::Terminology> terminology,
    intake::IntakeOptions options, const Clock* clock,
    const std::vector<intake::AcceptedPhrase>& accepted);

// AcceptedPhrases()
//
// The phrases administrators accepted into lexicons (the store's lexicon
// additions), as the intake adds them.
absl::StatusOr<std::vector<intake::AcceptedPhrase>> AcceptedPhrases(store::Store& store);

// What a successful reload put in force.
struct TerminologyReloadOutcome {
  std::string release;           // "starter 20251001"
  std::string previous_release;  // the one it replaced
  std::vector<std::string> folders;
  size_t concepts = 0;
  absl::Duration load_time;
  bool from_cache = false;
  size_t routing_rules = 0;
  absl::Time reload_time;
};

// The collaborators of a reloader. All must outlive it.
struct TerminologyReloaderDeps {
  TerminologySources sources;
  intake::IntakeOptions intake_options;  // limits; the rest comes from the files
  RoutingSources routing_sources;
  snomed::TerminologyHolder* terminology = nullptr;
  intake::IntakeHolder* intake = nullptr;
  routing::RoutingConfigHolder* config = nullptr;
  routing::DirectoryHolder* directory = nullptr;  // may be null
  // Directory reloads and terminology reloads never interleave.
  RoutingReloader* routing_reloader = nullptr;
  store::Store* store = nullptr;
  const Clock* clock = nullptr;
};

// Thread-safe; reloads are serialised with each other and with directory
// reloads.
class TerminologyReloader {
 public:
  explicit TerminologyReloader(TerminologyReloaderDeps deps);

  // Reload()
  //
  // Loads the release from `release_dirs` (empty: the folders in force, as
  // they are on disk now), rebuilds the intake and the routing configuration
  // against it, records an audit record of `actor`, and swaps all three in.
  // Errors, after which the release in force is unchanged:
  //   FAILED_PRECONDITION  the release does not load, or something that
  //                        names concepts no longer resolves against it:
  //                        "the new release cannot replace <release>:
  //                        <what>: <problem>", ErrorInfo reason
  //                        TERMINOLOGY_RELOAD_REFUSED (an audit record of
  //                        the refusal is attempted too)
  //   UNAVAILABLE etc.     the store could not record the audit record
  absl::StatusOr<TerminologyReloadOutcome> Reload(const ReloadActor& actor,
                                                  std::vector<std::string> release_dirs);

  // AcceptPhrase()
  //
  // Adds `addition` to its agency's lexicon: rebuilds the intake against
  // the release in force with every accepted phrase and this one (the files
  // as they are on disk now), stores the addition with `audit` in one
  // transaction, and swaps the intake in. Returns the lexicon's new label
  // ("police@2026-12+reviewed.1"). Errors, after which nothing changed:
  //   FAILED_PRECONDITION  the lexicons do not build with it ("lexicons:
  //                        ..."), ErrorInfo reason LEXICON_PHRASE_REFUSED
  //   ALREADY_EXISTS       the agency has accepted the phrase before
  //   UNAVAILABLE etc.     the store's
  absl::StatusOr<std::string> AcceptPhrase(const store::LexiconAddition& addition,
                                           const store::AuditEvent& audit);

 private:
  absl::StatusOr<std::string> AcceptPhraseLocked(const store::LexiconAddition& addition,
                                                 const store::AuditEvent& audit);
  absl::StatusOr<TerminologyReloadOutcome> ReloadLocked(const ReloadActor& actor,
                                                        std::vector<std::string> release_dirs);

  const TerminologyReloaderDeps deps_;
  absl::Mutex mu_;
};

}  // namespace sprout::pipeline

#endif  // SPROUT_SERVER_PIPELINE_TERMINOLOGY_RELOADER_H_
