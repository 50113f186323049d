// File: server/reload_logging.cc
#include "server/reload_logging.h"

#include <spdlog/spdlog.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "server/store/data_keys.h"

namespace sprout {
absl::StatusOr<pipeline::ReloadOutcome> ReloadAndLog(pipeline::RoutingReloader& reloader,
                                                     const pipeline::ReloadActor& actor) {
  absl::StatusOr<pipeline::ReloadOutcome> outcome = reloader.Reload(actor);
  if (!outcome.ok()) {
    spdlog::error(
        "sproutd: reload by {} ({}) refused, still serving the previous directory and "
        "policy: {}",
        actor.organisation, actor.role, std::string(outcome.status().message()));
    return outcome;
  }
  spdlog::info(
      "sproutd: reloaded by {} ({}): directory {} -> {} ({} PCNs, {} link workers), policy '{}' "
      "{} -> {} ({} rules)",
      actor.organisation, actor.role, outcome->previous_directory_version,
      outcome->directory_version, outcome->pcn_count, outcome->link_worker_count,
      outcome->policy_name, outcome->previous_policy_version, outcome->policy_version,
      outcome->rule_count);
  return outcome;
}

absl::StatusOr<pipeline::TerminologyReloadOutcome> ReloadTerminologyAndLog(
    pipeline::TerminologyReloader& reloader, const pipeline::ReloadActor& actor,
    std::vector<std::string> release_dirs) {
  absl::StatusOr<pipeline::TerminologyReloadOutcome> outcome =
      reloader.Reload(actor, std::move(release_dirs));
  if (!outcome.ok()) {
    spdlog::error("sproutd: terminology reload by {} ({}) refused: {}", actor.organisation,
                  actor.role, std::string(outcome.status().message()));
    return outcome;
  }
  spdlog::info(
      "sproutd: terminology reloaded by {} ({}): SNOMED CT {} -> {} ({} concepts, loaded in {} "
      "ms{}), {} routing rules recompiled",
      actor.organisation, actor.role, outcome->previous_release, outcome->release,
      outcome->concepts, absl::ToInt64Milliseconds(outcome->load_time),
      outcome->from_cache ? " from cache" : "", outcome->routing_rules);
  return outcome;
}

absl::StatusOr<std::vector<std::string>> ReloadDataKeys(const std::string& path,
                                                        store::BodyCipher& cipher) {
  absl::StatusOr<store::DataKeyRing> keys = store::DataKeyRing::ReadFile("--data_key_file", path);
  if (!keys.ok()) {
    spdlog::error("sproutd: data keys not reloaded, still using write key {}: {}",
                  cipher.write_key_id(), std::string(keys.status().message()));
    return keys.status();
  }
  const std::vector<std::string> before = cipher.key_ids();
  cipher.ReplaceKeys(*std::move(keys));
  std::vector<std::string> ids = cipher.key_ids();
  if (before != ids) {
    spdlog::info("sproutd: data keys reloaded: write key {} -> {} (keys {} -> {})", before.back(),
                 ids.back(), absl::StrJoin(before, ", "), absl::StrJoin(ids, ", "));
  }
  return ids;
}

std::string SummaryLine(const auth::CertificateSummary& c) {
  return absl::StrCat(c.subject, ", ", c.fingerprint, ", expires ",
                      absl::FormatTime("%Y-%m-%d %H:%M UTC", c.not_after, absl::UTCTimeZone()),
                      "; ", c.client_cas, " client CA certificate(s)");
}

absl::StatusOr<auth::CertificateSummary> ReloadCertificatesAndLog(
    auth::ServerCertificates& certificates, absl::string_view by, std::string* last_refusal) {
  absl::StatusOr<auth::CertificateSummary> reloaded = certificates.Reload();
  const std::string refusal = reloaded.ok() ? "" : std::string(reloaded.status().message());
  const bool repeated = last_refusal != nullptr && *last_refusal == refusal;
  if (last_refusal != nullptr) *last_refusal = refusal;
  if (!reloaded.ok()) {
    if (!repeated) {
      spdlog::error("sproutd: TLS certificates not reloaded ({}), still serving {}: {}",
                    std::string(by), certificates.current().fingerprint,
                    std::string(reloaded.status().message()));
    }
    return reloaded;
  }
  if (reloaded->changed) {
    spdlog::info("sproutd: TLS certificates reloaded ({}): {}; new connections use them",
                 std::string(by), SummaryLine(*reloaded));
  }
  if (reloaded->changed && reloaded->not_after - absl::Now() < kCertificateExpiryWarning) {
    spdlog::warn("sproutd: the server certificate {} expires within 14 days; replace it",
                 reloaded->fingerprint);
  }
  return reloaded;
}

}  // namespace sprout
