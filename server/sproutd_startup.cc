#include "server/sproutd_startup.h"

#include <spdlog/spdlog.h>

#include <cmath>
#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "base/private_files.h"
#include "base/status_macros.h"

namespace sprout {
namespace {

bool IsLoopback(absl::string_view address) {
  return absl::StartsWith(address, "127.") || absl::StartsWith(address, "localhost:") ||
         absl::StartsWith(address, "[::1]:");
}

}  // namespace

absl::Status CheckSproutdOptions(const SproutdOptions& options) {
  if (options.insecure_dev && !IsLoopback(options.listen_address)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--insecure_dev is allowed only on a loopback address, not ", options.listen_address));
  }
  if (options.snomed_release_dirs.empty()) {
    return absl::InvalidArgumentError("--snomed_release: at least one release folder is needed");
  }
  if (options.tls_reload_seconds < 0) {
    return absl::InvalidArgumentError("--tls_reload_seconds must be 0 (read once) or more");
  }
  if (options.audit_anchor_every < 1) {
    return absl::InvalidArgumentError("--audit_anchor_every must be at least 1");
  }
  if (options.blocking_threads < 1 || options.blocking_threads > 256) {
    return absl::InvalidArgumentError("--blocking_threads must be between 1 and 256");
  }
  if (options.max_calls_in_flight < 0) {
    return absl::InvalidArgumentError(
        "--max_calls_in_flight must be 0 (no limit) or a positive number of calls");
  }
  if (options.max_streams_per_connection < 1) {
    return absl::InvalidArgumentError("--max_streams_per_connection must be at least 1");
  }
  if (options.max_pending_writes < 1) {
    return absl::InvalidArgumentError("--max_pending_writes must be at least 1");
  }
  if (!(options.agency_rate_per_second >= 0) || std::isinf(options.agency_rate_per_second)) {
    return absl::InvalidArgumentError(
        "--agency_rate_per_second must be a number of calls a second, 0 to disable");
  }
  if (options.agency_rate_per_second > 0 && options.agency_burst < 1) {
    return absl::InvalidArgumentError("--agency_burst must be at least 1");
  }
  if (options.pcn_queue_limit < 0) {
    return absl::InvalidArgumentError("--pcn_queue_limit must be 0 (no limit) or more");
  }
  if (options.overdue_working_days < 1 || options.overdue_urgent_working_days < 1) {
    return absl::InvalidArgumentError(
        "--overdue_working_days and --overdue_urgent_working_days must be at least 1");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<const snomed::Terminology>> LoadStartupTerminology(
    const SproutdOptions& options, absl::Duration* load_time) {
  const absl::Time t0 = absl::Now();
  snomed::LoadOptions snomed_options;
  snomed_options.release_dirs = options.snomed_release_dirs;
  snomed_options.cache_path = options.snomed_cache_file;
  if (!options.snomed_cache_file.empty()) {
    // Often the database's folder too (var/): made private like it.
    SPROUT_RETURN_IF_ERROR(CreatePrivateFolders(
        std::filesystem::path(options.snomed_cache_file).parent_path().string()));
  }
  absl::StatusOr<std::shared_ptr<const snomed::Terminology>> terminology =
      snomed::Terminology::Load(snomed_options);
  if (!terminology.ok()) {
    return absl::Status(terminology.status().code(),
                        absl::StrCat("SNOMED release: ", terminology.status().message()));
  }
  *load_time = absl::Now() - t0;
  spdlog::info("sproutd: SNOMED CT {} ({} concepts) loaded in {} ms{}",
               (*terminology)->release().identity, (*terminology)->concept_count(),
               absl::ToInt64Milliseconds(*load_time),
               (*terminology)->release().from_cache ? " from cache" : "");
  for (const snomed::ModuleSummary& m : (*terminology)->modules()) {
    spdlog::info(
        "sproutd: SNOMED CT module {}: {} concepts ({} active), {} descriptions, {} "
        "relationships",
        m.module_id, m.concepts, m.active_concepts, m.descriptions, m.relationships);
  }
  return terminology;
}

}  // namespace sprout
