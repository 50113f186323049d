// File: server/pipeline/routing_reloader.h
//
// Loads the routing configuration (directory folder + routing policy file)
// and reloads it without a restart. Start-up, AdminService.ReloadDirectory
// and SIGHUP all go through here, so a reload is checked exactly as strictly
// as start-up.
//
//   SPROUT_ASSIGN_OR_RETURN(auto config, LoadRoutingConfig(sources, compiler));
//   routing::RoutingConfigHolder holder(config);
//   RoutingReloader reloader({sources, &compiler, &holder, &directory, store, clock});
//   absl::StatusOr<ReloadOutcome> outcome = reloader.Reload({"Y99001", "admin"});
#ifndef SPROUT_SERVER_PIPELINE_ROUTING_RELOADER_H_
#define SPROUT_SERVER_PIPELINE_ROUTING_RELOADER_H_

#include <memory>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "base/clock.h"
#include "server/routing/concept_predicate.h"
#include "server/routing/directory_holder.h"
#include "server/routing/routing_config.h"
#include "server/store/store.h"

namespace sprout::pipeline {

// The files the routing configuration is read from, as given at start-up.
struct RoutingSources {
  std::string directory_dir;  // the five directory CSVs (directory_loader.h)
  std::string policy_file;    // sprout.config.v1.RoutingPolicy, text format
};

// LoadRoutingConfig()
//
// Reads and validates everything before anything is used: the directory
// files, the policy (syntax, ECL, rule names) and the policy against the
// directory (PCNs, link workers, specialisms, triage Sub-ICB Location it
// names). On failure FAILED_PRECONDITION with
//   * message "directory: <problem>" or "routing policy: <problem>", where the
//     problem names the file and line or the rule and its position, as the
//     loaders report it;
//   * a PreconditionFailure {type "DIRECTORY" or "ROUTING_POLICY", subject:
//     the file at fault, description: the problem};
//   * an ErrorInfo, reason "ROUTING_CONFIG_INVALID", metadata {"file"}.
absl::StatusOr<std::shared_ptr<const routing::RoutingConfig>> LoadRoutingConfig(
    const RoutingSources& sources, const routing::ConceptPredicateCompiler& compiler);

// Who asked for a reload, for the audit trail.
struct ReloadActor {
  std::string organisation;  // e.g. the admin's ODS code, or "sproutd" for SIGHUP
  std::string role;          // e.g. "admin", or "operator" for SIGHUP
};

// What a successful reload put in force.
struct ReloadOutcome {
  std::string directory_version;
  std::string previous_directory_version;
  std::string policy_name;
  std::string policy_version;
  std::string previous_policy_version;
  absl::Time reload_time;
  // For the log line.
  size_t pcn_count = 0;
  size_t link_worker_count = 0;
  size_t rule_count = 0;
};

// The collaborators of a reloader. All must outlive it.
struct ReloaderDeps {
  RoutingSources sources;
  const routing::ConceptPredicateCompiler* compiler = nullptr;
  routing::RoutingConfigHolder* config = nullptr;
  // Kept in step with `config` for the directory listings; may be null.
  routing::DirectoryHolder* directory = nullptr;
  store::Store* store = nullptr;
  const Clock* clock = nullptr;
};

// Thread-safe. Reloads are serialised: a second caller waits for the first
// to finish and then loads the files as they are by then.
class RoutingReloader {
 public:
  explicit RoutingReloader(ReloaderDeps deps) : deps_(std::move(deps)) {}

  // Reload()
  //
  // Re-reads the sources, validates them fully (LoadRoutingConfig), records
  // the directory version (Store::RecordDirectoryVersion) and an audit
  // record of `actor`, then swaps the new configuration in. Requests already
  // routing keep the configuration they started with. Errors, after which
  // the configuration in force is unchanged:
  //   FAILED_PRECONDITION  as LoadRoutingConfig (an audit record of the
  //                        refusal is attempted too)
  //   UNAVAILABLE etc.     the store could not record the version or audit
  absl::StatusOr<ReloadOutcome> Reload(const ReloadActor& actor);

  // RunSerialised()
  //
  // Runs `body` with directory reloads held off, for a reload that swaps the
  // routing configuration too (a terminology reload).
  void RunSerialised(absl::FunctionRef<void()> body) {
    absl::MutexLock serialised(&reload_mu_);
    body();
  }

 private:
  const ReloaderDeps deps_;
  absl::Mutex reload_mu_;  // held for a whole Reload()
};

}  // namespace sprout::pipeline

#endif  // SPROUT_SERVER_PIPELINE_ROUTING_RELOADER_H_
