// File: server/scrape_gauges.h
//
// The gauges sproutd's metrics endpoint computes at each scrape
// (doc/metrics.md "Gauges"): what is running, what is in force, and how full
// the queues and the writer are.
#ifndef SPROUT_SERVER_SCRAPE_GAUGES_H_
#define SPROUT_SERVER_SCRAPE_GAUGES_H_

#include <string>

#include "absl/time/time.h"
#include "server/admission/calls_in_flight.h"
#include "server/admission/queue_limiter.h"
#include "server/lifecycle/queue_timing.h"
#include "server/metrics/service_metrics.h"
#include "server/routing/directory_holder.h"
#include "server/routing/routing_config.h"
#include "server/store/store.h"
#include "snomed/terminology_holder.h"

namespace sprout {

// What the gauges read. Every pointer must outlive the metrics endpoint.
struct ScrapeSources {
  const snomed::TerminologyHolder* terminology = nullptr;
  absl::Duration terminology_load_time;
  const routing::RoutingConfigHolder* routing = nullptr;
  const routing::DirectoryHolder* directory = nullptr;
  // Null, or disabled: no sprout_pcn_queue_waiting.
  const admission::QueueLimiter* queue_limits = nullptr;
  store::Store* store = nullptr;
  // Unary calls being served (--max_calls_in_flight).
  const admission::CallsInFlight* calls_in_flight = nullptr;
  lifecycle::OverduePolicy overdue;
  // The SQLite -wal file; empty with PostgreSQL (no sprout_sqlite_wal_bytes).
  std::string sqlite_wal;
};

// Adds every scrape gauge to `metrics`. Call before serving.
void AddScrapeGauges(metrics::ServiceMetrics& metrics, const ScrapeSources& sources);

}  // namespace sprout

#endif  // SPROUT_SERVER_SCRAPE_GAUGES_H_
