#include "server/api/stats.h"

#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "server/api/overdue_items.h"
#include "server/api/routing_log_filter.h"
#include "server/common/england_time.h"
#include "server/common/filter.h"
#include "server/lifecycle/caseload_accounting.h"
#include "server/pipeline/store_caseload_view.h"
#include "server/routing/capacity.h"
#include "server/routing/caseload.h"
#include "sprout/v1/common.pb.h"

namespace sprout::api {
namespace {

constexpr absl::string_view kAccepted = "pcn =, decide_time >=, >, <, <=";

std::string LinkWorkerName(absl::string_view pcn_code, absl::string_view id) {
  return absl::StrCat("pcns/", pcn_code, "/linkWorkers/", id);
}

}  // namespace

absl::StatusOr<store::RoutingLogQuery> ParseStatsFilter(absl::string_view filter) {
  absl::StatusOr<std::vector<FilterTerm>> terms = ParseFilter(filter);
  if (!terms.ok()) return terms.status();
  store::RoutingLogQuery query;
  for (const FilterTerm& term : *terms) {
    if (term.field == "pcn" && term.op == "=") {
      absl::string_view code = term.value;
      absl::ConsumePrefix(&code, "pcns/");
      query.pcn_code = std::string(code);
    } else if (IsDecideTimeTerm(term)) {
      absl::Status applied = ApplyDecideTimeTerm(term, &query);
      if (!applied.ok()) return applied;
    } else {
      return UnsupportedFilterTerm(term, kAccepted);
    }
  }
  return query;
}

absl::StatusOr<sprout::v1::Stats> ComputeStats(const store::RoutingLogQuery& query,
                                               store::Store& store,
                                               const routing::Directory& directory,
                                               const snomed::Terminology& terminology,
                                               absl::Time now,
                                               const lifecycle::OverduePolicy& overdue) {
  sprout::v1::Stats stats;
  absl::StatusOr<store::RoutingCounts> counts = store.CountRoutingDecisions(query);
  if (!counts.ok()) return counts.status();
  stats.set_total(counts->total);
  for (const auto& [pcn_code, count] : counts->by_pcn) {
    sprout::v1::StatsRow* row = stats.add_by_pcn();
    if (pcn_code.empty()) {
      row->set_key("triage");
      row->set_display("Sub-ICB triage queues (no PCN)");
    } else {
      row->set_key(absl::StrCat("pcns/", pcn_code));
      // A PCN gone from the directory since keeps its count, without a name.
      if (const routing::Pcn* pcn = directory.FindPcn(pcn_code)) row->set_display(pcn->name);
    }
    row->set_count(count);
  }
  for (const auto& [source_type, count] : counts->by_source_type) {
    sprout::v1::StatsRow* row = stats.add_by_source_type();
    const std::string& name =
        sprout::v1::SourceType_Name(static_cast<sprout::v1::SourceType>(source_type));
    row->set_key(name.empty() ? absl::StrCat(source_type) : name);
    row->set_display(row->key());
    row->set_count(count);
  }
  for (const auto& [reason, count] : counts->by_reason) {
    sprout::v1::StatsRow* row = stats.add_by_reason();
    row->set_key(absl::StrCat(reason));
    if (std::optional<absl::string_view> term = terminology.PreferredTerm(reason)) {
      row->set_display(std::string(*term));
    }
    row->set_count(count);
  }

  // Load as routing sees it: open caseload and waiting kept apart.
  const absl::CivilDay today = absl::ToCivilDay(now, EnglandTimeZone());
  absl::StatusOr<absl::flat_hash_map<std::string, int64_t>> overdue_by_pcn =
      CountOverdueItems(store, now, overdue);
  if (!overdue_by_pcn.ok()) return overdue_by_pcn.status();
  for (const auto& [pcn_code, count] : *overdue_by_pcn) {
    if (query.pcn_code.empty() || pcn_code == query.pcn_code) {
      stats.set_overdue_items(stats.overdue_items() + count);
    }
  }
  pipeline::StoreCaseloadView caseload(&store);
  absl::StatusOr<std::vector<routing::PcnCapacity>> capacity =
      routing::CapacityByPcn(directory, caseload, today);
  if (!capacity.ok()) return capacity.status();
  for (const routing::PcnCapacity& pcn : *capacity) {
    if (!query.pcn_code.empty() && pcn.pcn_code != query.pcn_code) continue;
    sprout::v1::PcnLoad* pcn_load = stats.add_pcns();
    pcn_load->set_pcn(absl::StrCat("pcns/", pcn.pcn_code));
    pcn_load->set_display(pcn.pcn_name);
    pcn_load->set_accepted_this_year(pcn.accepted_this_year);
    pcn_load->set_annual_cap(pcn.annual_cap);
    pcn_load->set_open_caseload(pcn.open_caseload);
    pcn_load->set_open_cap(pcn.open_cap);
    pcn_load->set_link_worker_count(static_cast<int32_t>(pcn.link_workers.size()));
    if (auto it = overdue_by_pcn->find(pcn.pcn_code); it != overdue_by_pcn->end()) {
      pcn_load->set_overdue(it->second);
    }
    int32_t available = 0;
    for (const routing::LinkWorkerCapacity& w : pcn.link_workers) {
      const std::string name = LinkWorkerName(pcn.pcn_code, w.link_worker_id);
      sprout::v1::LinkWorkerLoad* load = stats.add_link_workers();
      load->set_link_worker(name);
      load->set_accepted_this_year(static_cast<int32_t>(w.accepted_this_year));
      load->set_annual_cap(static_cast<int32_t>(w.annual_cap));
      load->set_open_caseload(static_cast<int32_t>(w.open_caseload));
      load->set_open_cap(static_cast<int32_t>(w.open_cap));
      load->set_waiting(static_cast<int32_t>(w.waiting));
      load->set_available(w.available);
      if (w.available) ++available;
    }
    pcn_load->set_waiting(pcn.waiting);
    pcn_load->set_available_link_workers(available);
  }
  stats.set_directory_version(directory.version());
  return stats;
}

}  // namespace sprout::api
