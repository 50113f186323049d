// GetStats: routing decisions counted by PCN, source type and reason, and
// load against capacity per PCN and link worker. No gRPC headers: the admin
// service calls these and converts the status.
#ifndef SPROUT_SERVER_API_STATS_H_
#define SPROUT_SERVER_API_STATS_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/lifecycle/queue_timing.h"
#include "server/routing/directory.h"
#include "server/store/store.h"
#include "snomed/terminology.h"
#include "sprout/v1/admin_service.pb.h"

namespace sprout::api {

// ParseStatsFilter()
//
// The AIP-160 subset GetStats accepts: pcn = "U00001" (the code, or
// "pcns/U00001"), decide_time >=, >, <, <= RFC 3339, joined by AND.
// INVALID_ARGUMENT with a BadRequest on "filter" naming the column otherwise.
absl::StatusOr<store::RoutingLogQuery> ParseStatsFilter(absl::string_view filter);

// ComputeStats()
//
// Counts the decisions matching `query` (Store::CountRoutingDecisions) and
// reports the load of `directory`'s link workers as at `now` (the NHS
// financial year of `now` for accepted_this_year; Store::LinkWorkerLoads), narrowed to
// query.pcn_code when set. Display names: PCN names from `directory`,
// reasons' en-GB preferred terms from `terminology`, source types their enum
// names. Items overdue under `overdue` are counted per PCN and in all (the
// filter's PCN only when set). Returns the store's error (e.g. UNAVAILABLE)
// if it cannot be read.
absl::StatusOr<sprout::v1::Stats> ComputeStats(const store::RoutingLogQuery& query,
                                               store::Store& store,
                                               const routing::Directory& directory,
                                               const snomed::Terminology& terminology,
                                               absl::Time now,
                                               const lifecycle::OverduePolicy& overdue);

}  // namespace sprout::api

#endif  // SPROUT_SERVER_API_STATS_H_
