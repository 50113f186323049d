// Load against capacity per PCN and link worker, as at a day: what GetStats
// reports and what an administrator checks before changing caps.
#ifndef SPROUT_SERVER_ROUTING_CAPACITY_H_
#define SPROUT_SERVER_ROUTING_CAPACITY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "server/routing/caseload.h"
#include "server/routing/directory.h"

namespace sprout::routing {

struct LinkWorkerCapacity {
  std::string link_worker_id;
  int64_t accepted_this_year = 0;
  int64_t annual_cap = 0;
  int64_t open_caseload = 0;
  int64_t open_cap = 0;
  int64_t waiting = 0;     // On their queue, not yet accepted (not caseload).
  bool available = false;  // Available on the day asked about.
};

struct PcnCapacity {
  std::string pcn_code;
  std::string pcn_name;
  std::vector<LinkWorkerCapacity> link_workers;  // Sorted by id.
  // Sums over the PCN's link workers available on the day.
  int64_t accepted_this_year = 0;
  int64_t annual_cap = 0;
  int64_t open_caseload = 0;
  int64_t open_cap = 0;
  // Waiting on any of the PCN's link workers' queues (available or not).
  int64_t waiting = 0;
};

// CapacityByPcn()
//
// One entry per PCN of `directory`, in directory order, with each link
// worker's load from `caseload` as at `day`. Returns the view's error if any.
absl::StatusOr<std::vector<PcnCapacity>> CapacityByPcn(const Directory& directory,
                                                       const CaseloadView& caseload,
                                                       absl::CivilDay day);

}  // namespace sprout::routing

#endif  // SPROUT_SERVER_ROUTING_CAPACITY_H_
