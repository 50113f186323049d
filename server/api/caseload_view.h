// File: server/api/caseload_view.h
//
// GetCaseload's answer: a link worker's open referrals (contacts so far, days
// open, coded reasons; no free text) and their counts against the caps the
// directory in force gives them.
#ifndef SPROUT_SERVER_API_CASELOAD_VIEW_H_
#define SPROUT_SERVER_API_CASELOAD_VIEW_H_

#include <string>

#include "absl/status/statusor.h"
#include "server/api/call.h"
#include "sprout/v1/queue.pb.h"

namespace sprout::api {

// "pcns/{pcn}/linkWorkers/{id}/caseload", split.
struct CaseloadName {
  std::string pcn;
  std::string link_worker_id;
  std::string link_worker() const { return "pcns/" + pcn + "/linkWorkers/" + link_worker_id; }
};

// INVALID_ARGUMENT on "name" unless it is a caseload name.
absl::StatusOr<CaseloadName> ParseCaseloadName(absl::string_view name);

// Reads the caseload for `call`. A link worker may read only their own, an
// administrator any; anyone else, or a link worker the directory in force
// does not list, gets NOT_FOUND (CASELOAD_NOT_FOUND), the same either way.
// Blocks on the store.
absl::StatusOr<sprout::v1::Caseload> ReadCaseload(const Call& call, const CaseloadName& name);

}  // namespace sprout::api

#endif  // SPROUT_SERVER_API_CASELOAD_VIEW_H_
