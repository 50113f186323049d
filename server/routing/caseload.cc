#include "server/routing/caseload.h"

namespace sprout::routing {

void InMemoryCaseload::SetLoad(absl::string_view link_worker_id, LinkWorkerLoad load) {
  absl::MutexLock lock(&mu_);
  loads_[link_worker_id] = load;
}

void InMemoryCaseload::RecordAccepted(absl::string_view link_worker_id,
                                      absl::string_view person_key) {
  absl::MutexLock lock(&mu_);
  LinkWorkerLoad& load = loads_[link_worker_id];
  ++load.accepted_this_year;
  ++load.open_caseload;
  if (!person_key.empty()) episodes_[person_key] = std::string(link_worker_id);
}

void InMemoryCaseload::CloseEpisode(absl::string_view person_key) {
  absl::MutexLock lock(&mu_);
  auto it = episodes_.find(person_key);
  if (it == episodes_.end()) return;
  LinkWorkerLoad& load = loads_[it->second];
  if (load.open_caseload > 0) --load.open_caseload;
  episodes_.erase(it);
}

absl::StatusOr<LinkWorkerLoad> InMemoryCaseload::LoadOf(absl::string_view link_worker_id,
                                                        absl::CivilDay /*date*/) const {
  absl::MutexLock lock(&mu_);
  auto it = loads_.find(link_worker_id);
  return it == loads_.end() ? LinkWorkerLoad{} : it->second;
}

absl::StatusOr<std::optional<std::string>> InMemoryCaseload::OpenEpisodeLinkWorker(
    absl::string_view person_key) const {
  absl::MutexLock lock(&mu_);
  auto it = episodes_.find(person_key);
  if (it == episodes_.end()) return std::optional<std::string>();
  return std::optional<std::string>(it->second);
}

}  // namespace sprout::routing
