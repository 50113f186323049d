// File: server/routing/caseload.h
//
// The load and continuity facts routing needs from outside. The store
// implements CaseloadView over its tables; InMemoryCaseload serves tests, the
// fairness test and a store-less demo.
#ifndef SPROUT_SERVER_ROUTING_CASELOAD_H_
#define SPROUT_SERVER_ROUTING_CASELOAD_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"

namespace sprout::routing {

struct LinkWorkerLoad {
  // Referrals the link worker accepted in the caseload year containing the
  // referral date (the view decides the year; the NHS financial year,
  // 1 April - 31 March, is the expected choice).
  int64_t accepted_this_year = 0;
  // Referrals the link worker accepted and has not yet closed: what the
  // open-caseload cap limits.
  int64_t open_caseload = 0;
  // Referrals waiting unclaimed on the link worker's own queue. Not
  // caseload, so no cap counts them; routing ranks by them too, so new
  // referrals spread over a PCN before anyone accepts one.
  int64_t waiting = 0;
};

// A read-only view of current caseloads. Implementations must be thread-safe.
class CaseloadView {
 public:
  virtual ~CaseloadView() = default;
  // The load of `link_worker_id` as at `date`. Unknown ids have zero load.
  // Errors (e.g. UNAVAILABLE from a store) abort the routing decision.
  virtual absl::StatusOr<LinkWorkerLoad> LoadOf(absl::string_view link_worker_id,
                                                absl::CivilDay date) const = 0;
  // The link worker holding an open episode for `person_key`, if any.
  virtual absl::StatusOr<std::optional<std::string>> OpenEpisodeLinkWorker(
      absl::string_view person_key) const = 0;
};

// A CaseloadView kept in memory. Thread-safe. It does not roll years over: it
// reports whatever has been recorded.
class InMemoryCaseload final : public CaseloadView {
 public:
  // Sets a link worker's load outright.
  void SetLoad(absl::string_view link_worker_id, LinkWorkerLoad load);
  // Counts one accepted referral for the worker (accepted and open +1) and
  // opens an episode for `person_key` (if not empty) with that worker.
  void RecordAccepted(absl::string_view link_worker_id, absl::string_view person_key);
  // Closes `person_key`'s open episode, if any (open caseload -1).
  void CloseEpisode(absl::string_view person_key);

  // CaseloadView
  absl::StatusOr<LinkWorkerLoad> LoadOf(absl::string_view link_worker_id,
                                        absl::CivilDay date) const override;
  absl::StatusOr<std::optional<std::string>> OpenEpisodeLinkWorker(
      absl::string_view person_key) const override;

 private:
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, LinkWorkerLoad> loads_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, std::string> episodes_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sprout::routing

#endif  // SPROUT_SERVER_ROUTING_CASELOAD_H_
