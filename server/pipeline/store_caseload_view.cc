#include "server/pipeline/store_caseload_view.h"

#include "absl/strings/str_split.h"
#include "server/lifecycle/caseload_accounting.h"

namespace sprout::pipeline {
namespace {

// "pcns/U00001/linkWorkers/LW001" -> "LW001".
std::string LinkWorkerIdOf(absl::string_view resource_name) {
  const size_t slash = resource_name.rfind('/');
  return std::string(slash == absl::string_view::npos ? resource_name
                                                      : resource_name.substr(slash + 1));
}

}  // namespace

absl::StatusOr<routing::LinkWorkerLoad> StoreCaseloadView::LoadOf(absl::string_view link_worker_id,
                                                                  absl::CivilDay date) const {
  absl::MutexLock lock(&mu_);
  if (!loaded_) {
    absl::StatusOr<std::vector<store::LinkWorkerCounts>> counts =
        store_->LinkWorkerLoads(lifecycle::NhsFinancialYear(date));
    if (!counts.ok()) return counts.status();
    for (const store::LinkWorkerCounts& c : *counts) {
      routing::LinkWorkerLoad& load = loads_[LinkWorkerIdOf(c.link_worker)];
      load.accepted_this_year += c.accepted_this_year;
      load.open_caseload += c.open_caseload;
      load.waiting += c.waiting;
    }
    loaded_ = true;
  }
  auto it = loads_.find(link_worker_id);
  return it == loads_.end() ? routing::LinkWorkerLoad{} : it->second;
}

absl::StatusOr<std::optional<std::string>> StoreCaseloadView::OpenEpisodeLinkWorker(
    absl::string_view person_key) const {
  if (person_key.empty()) return std::optional<std::string>();
  absl::StatusOr<std::optional<store::OpenEpisode>> episode = store_->FindOpenEpisode(person_key);
  if (!episode.ok()) return episode.status();
  if (!episode->has_value() || (*episode)->link_worker.empty()) {
    return std::optional<std::string>();
  }
  return std::optional<std::string>(LinkWorkerIdOf((*episode)->link_worker));
}

}  // namespace sprout::pipeline
