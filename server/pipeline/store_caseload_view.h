// The router's view of caseloads, read from the store.
#ifndef SPROUT_SERVER_PIPELINE_STORE_CASELOAD_VIEW_H_
#define SPROUT_SERVER_PIPELINE_STORE_CASELOAD_VIEW_H_

#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "server/routing/caseload.h"
#include "server/store/store.h"

namespace sprout::pipeline {

// A CaseloadView for one routing decision. Loads are read from the store once,
// on first use, for the NHS financial year of the first date asked, and reused for
// the rest of the decision, so a decision sees one consistent snapshot.
// Thread-safe; `store` must outlive it.
class StoreCaseloadView final : public routing::CaseloadView {
 public:
  explicit StoreCaseloadView(store::Store* store) : store_(store) {}

  // routing::CaseloadView
  absl::StatusOr<routing::LinkWorkerLoad> LoadOf(absl::string_view link_worker_id,
                                                 absl::CivilDay date) const override;
  absl::StatusOr<std::optional<std::string>> OpenEpisodeLinkWorker(
      absl::string_view person_key) const override;

 private:
  store::Store* const store_;
  mutable absl::Mutex mu_;
  mutable bool loaded_ ABSL_GUARDED_BY(mu_) = false;
  // Keyed by link worker id (the last part of its resource name).
  mutable absl::flat_hash_map<std::string, routing::LinkWorkerLoad> loads_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sprout::pipeline

#endif  // SPROUT_SERVER_PIPELINE_STORE_CASELOAD_VIEW_H_
