#include "server/routing/capacity.h"

namespace sprout::routing {

absl::StatusOr<std::vector<PcnCapacity>> CapacityByPcn(const Directory& directory,
                                                       const CaseloadView& caseload,
                                                       absl::CivilDay day) {
  std::vector<PcnCapacity> result;
  result.reserve(directory.pcns().size());
  for (const Pcn& pcn : directory.pcns()) {
    PcnCapacity entry;
    entry.pcn_code = pcn.code;
    entry.pcn_name = pcn.name;
    for (const LinkWorker* w : directory.LinkWorkersInPcn(pcn.code)) {
      absl::StatusOr<LinkWorkerLoad> load = caseload.LoadOf(w->id, day);
      if (!load.ok()) return load.status();
      LinkWorkerCapacity c;
      c.link_worker_id = w->id;
      c.accepted_this_year = load->accepted_this_year;
      c.annual_cap = w->annual_cap;
      c.open_caseload = load->open_caseload;
      c.open_cap = w->open_cap;
      c.waiting = load->waiting;
      c.available = w->AvailableOn(day);
      entry.waiting += c.waiting;
      if (c.available) {
        entry.accepted_this_year += c.accepted_this_year;
        entry.annual_cap += c.annual_cap;
        entry.open_caseload += c.open_caseload;
        entry.open_cap += c.open_cap;
      }
      entry.link_workers.push_back(std::move(c));
    }
    result.push_back(std::move(entry));
  }
  return result;
}

}  // namespace sprout::routing
