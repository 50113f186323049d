#include "server/pipeline/routing_reloader.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/common/errors.h"
#include "server/routing/directory_loader.h"
#include "server/routing/routing_policy_text.h"

namespace sprout::pipeline {
namespace {

// The configuration files are the server's, not the caller's: a bad one is a
// precondition of the reload that does not hold, whatever the caller sent.
absl::Status ConfigError(absl::string_view what, absl::string_view type, absl::string_view file,
                         absl::string_view problem) {
  absl::Status status =
      FailedPreconditionWithViolation("ROUTING_CONFIG_INVALID", type, file, problem);
  // The message leads with the part at fault, as start-up reports it.
  absl::Status out = WithMessage(status, absl::StrCat(what, ": ", problem));
  SetErrorInfo(out, "ROUTING_CONFIG_INVALID", {{"file", std::string(file)}});
  return out;
}

// The directory file an error is about: the loaders start their messages
// with its path. Falls back to the folder.
std::string DirectoryFileOf(absl::string_view message, const std::string& folder) {
  const routing::DirectoryFiles files = routing::DirectoryFiles::InFolder(folder);
  for (const std::string* path :
       {&files.sub_icb_locations, &files.pcn_details, &files.core_partners,
        &files.postcode_coverage, &files.link_workers, &files.referrers}) {
    if (absl::StrContains(message, *path)) return *path;
  }
  return folder;
}

std::string WithPath(absl::string_view message, const std::string& path) {
  if (absl::StrContains(message, path)) return std::string(message);
  return absl::StrCat(path, ": ", message);
}

}  // namespace

absl::StatusOr<std::shared_ptr<const routing::RoutingConfig>> LoadRoutingConfig(
    const RoutingSources& sources, const routing::ConceptPredicateCompiler& compiler) {
  absl::StatusOr<std::shared_ptr<const routing::Directory>> directory =
      routing::LoadDirectory(routing::DirectoryFiles::InFolder(sources.directory_dir), compiler);
  if (!directory.ok()) {
    const absl::string_view problem = directory.status().message();
    return ConfigError("directory", "DIRECTORY", DirectoryFileOf(problem, sources.directory_dir),
                       problem);
  }
  absl::StatusOr<std::shared_ptr<const routing::RoutingPolicy>> policy =
      routing::LoadRoutingPolicy(sources.policy_file, compiler);
  if (!policy.ok()) {
    return ConfigError("routing policy", "ROUTING_POLICY", sources.policy_file,
                       WithPath(policy.status().message(), sources.policy_file));
  }
  absl::StatusOr<std::shared_ptr<const routing::RoutingConfig>> config =
      routing::MakeRoutingConfig(*std::move(directory), *std::move(policy));
  if (!config.ok()) {
    // The policy names something the directory lacks: the policy is at fault
    // for this directory (ValidateAgainst names the rule and position).
    return ConfigError("routing policy", "ROUTING_POLICY", sources.policy_file,
                       WithPath(config.status().message(), sources.policy_file));
  }
  return config;
}

absl::StatusOr<ReloadOutcome> RoutingReloader::Reload(const ReloadActor& actor) {
  absl::MutexLock serialised(&reload_mu_);
  const std::shared_ptr<const routing::RoutingConfig> previous = deps_.config->Get();
  const absl::Time now = deps_.clock->Now();

  store::AuditEvent audit;
  audit.actor_organisation = actor.organisation;
  audit.actor_role = actor.role;
  audit.action = "ReloadDirectory";
  audit.time = now;

  absl::StatusOr<std::shared_ptr<const routing::RoutingConfig>> next =
      LoadRoutingConfig(deps_.sources, *deps_.compiler);
  if (!next.ok()) {
    audit.resource = absl::StrCat("directoryVersions/", previous->directory->version());
    audit.outcome = absl::StatusCodeToString(next.status().code());
    // The refusal is what the caller must see; a failure to audit it is not.
    deps_.store->AppendAudit(audit).IgnoreError();
    return next.status();
  }
  const routing::RoutingConfig& config = **next;

  // Durable records first, then the swap, which cannot fail: a configuration
  // is never in force without its version and audit record.
  store::DirectoryVersion version;
  version.version = config.directory->version();
  version.loaded_time = now;
  version.description = absl::StrCat("directory ", deps_.sources.directory_dir, ", policy ",
                                     deps_.sources.policy_file, " '", config.policy->name(), "' ",
                                     config.policy->version());
  absl::Status recorded = deps_.store->RecordDirectoryVersion(version);
  if (!recorded.ok()) return recorded;
  audit.resource = absl::StrCat("directoryVersions/", config.directory->version());
  audit.outcome = "OK";
  absl::Status audited = deps_.store->AppendAudit(audit);
  if (!audited.ok()) return audited;

  if (deps_.directory != nullptr) {
    absl::Status replaced = deps_.directory->Replace(config.directory);
    if (!replaced.ok()) return replaced;
  }
  deps_.config->Replace(*next);

  ReloadOutcome outcome;
  outcome.directory_version = config.directory->version();
  outcome.previous_directory_version = previous->directory->version();
  outcome.policy_name = config.policy->name();
  outcome.policy_version = config.policy->version();
  outcome.previous_policy_version = previous->policy->version();
  outcome.reload_time = now;
  outcome.pcn_count = config.directory->pcns().size();
  outcome.link_worker_count = config.directory->link_workers().size();
  outcome.rule_count = config.policy->rules().size();
  return outcome;
}

}  // namespace sprout::pipeline
