// File: server/api/caseload_view.cc
#include "server/api/caseload_view.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "server/common/errors.h"
#include "server/common/proto_time.h"
#include "server/lifecycle/caseload_accounting.h"

namespace sprout::api {
namespace {

absl::Status CaseloadNotFound(const CaseloadName& name) {
  const std::string resource = name.link_worker() + "/caseload";
  return ErrorWithInfo(absl::StatusCode::kNotFound, "CASELOAD_NOT_FOUND",
                       absl::StrCat(resource, " was not found among the caseloads you may read"),
                       {{"resource", resource}});
}

}  // namespace

absl::StatusOr<CaseloadName> ParseCaseloadName(absl::string_view name) {
  const std::vector<absl::string_view> parts = absl::StrSplit(name, '/');
  if (parts.size() != 5 || parts[0] != "pcns" || parts[2] != "linkWorkers" ||
      parts[4] != "caseload" || parts[1].empty() || parts[3].empty()) {
    return InvalidArgumentWithViolations(
        {{"name", "must name a caseload: pcns/{pcn}/linkWorkers/{id}/caseload"}});
  }
  return CaseloadName{std::string(parts[1]), std::string(parts[3])};
}

absl::StatusOr<sprout::v1::Caseload> ReadCaseload(const Call& call, const CaseloadName& name) {
  const auth::Principal& p = call.principal;
  const bool own = p.role == auth::Role::kLinkWorker && p.organisation_code == name.pcn &&
                   p.link_worker_id == name.link_worker_id;
  if (!own && p.role != auth::Role::kAdmin) return CaseloadNotFound(name);
  std::shared_ptr<const routing::Directory> directory = call.components->directory->Get();
  const routing::LinkWorker* worker = directory->FindLinkWorker(name.link_worker_id);
  if (worker == nullptr || worker->pcn_code != name.pcn) return CaseloadNotFound(name);

  store::Store& store = *call.components->store;
  const absl::Time now = call.components->clock->Now();
  const std::string link_worker = name.link_worker();
  absl::StatusOr<std::vector<store::LinkWorkerCounts>> loads =
      store.LinkWorkerLoads(lifecycle::NhsFinancialYear(now));
  if (!loads.ok()) return loads.status();
  absl::StatusOr<std::vector<sprout::v1::Referral>> open = store.ListOpenReferrals(link_worker);
  if (!open.ok()) return open.status();

  sprout::v1::Caseload caseload;
  caseload.set_name(link_worker + "/caseload");
  caseload.set_annual_cap(worker->annual_cap);
  caseload.set_open_cap(worker->open_cap);
  for (const store::LinkWorkerCounts& c : *loads) {
    if (c.link_worker != link_worker) continue;
    caseload.set_accepted_this_year(c.accepted_this_year);
    caseload.set_open_caseload(c.open_caseload);
    caseload.set_waiting(c.waiting);
  }
  for (const sprout::v1::Referral& r : *open) {
    caseload.add_open_referrals(r.name());
    sprout::v1::CaseloadEntry& e = *caseload.add_entries();
    e.set_referral(r.name());
    e.set_state(r.state());
    *e.mutable_accept_time() = r.accept_time();
    e.set_contact_count(r.contact_count());
    if (r.has_accept_time()) {
      e.set_days_open(static_cast<int>((now - FromProtoTime(r.accept_time())) / absl::Hours(24)));
    }
    for (const sprout::v1::CodedReason& reason : r.coded_reasons()) {
      if (!reason.concept().code().empty()) *e.add_reasons() = reason.concept();
    }
  }
  return caseload;
}

}  // namespace sprout::api
