// Sproutd's Prometheus metrics (doc/metrics.md lists each one). Counters and
// histograms are updated as calls finish; gauges that describe the state of
// the service (queue depth, WAL size, versions) are computed when scraped.
//
// No label carries patient data: labels are methods, status codes, ErrorInfo
// reasons, source types, PCN codes, coding methods and versions, all from
// closed sets or configuration.
#ifndef SPROUT_SERVER_METRICS_SERVICE_METRICS_H_
#define SPROUT_SERVER_METRICS_SERVICE_METRICS_H_

#include <grpcpp/grpcpp.h>
#include <prometheus/collectable.h>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/metric_family.h>
#include <prometheus/registry.h>

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "sprout/v1/referral.pb.h"

namespace sprout::metrics {

// One gauge value with its labels, for ScrapeGauges.
struct GaugeValue {
  std::vector<std::pair<std::string, std::string>> labels;
  double value = 0;
};

// A gauge family computed at each scrape.
struct ScrapeGauge {
  std::string name;
  std::string help;
  std::function<std::vector<GaugeValue>()> values;
};

// Thread-safe.
class ServiceMetrics {
 public:
  ServiceMetrics();
  ServiceMetrics(const ServiceMetrics&) = delete;
  ServiceMetrics& operator=(const ServiceMetrics&) = delete;

  // Everything to expose: the counters and histograms, and the scrape gauges.
  std::vector<std::weak_ptr<prometheus::Collectable>> collectables() const;

  // One finished RPC: `full_method` as gRPC names it
  // ("/sprout.v1.ReferralService/SubmitReferral"), its status and latency.
  // An error's google.rpc.ErrorInfo reason (RATE_LIMITED, PCN_QUEUE_FULL,
  // WRITER_QUEUE_FULL, ...) is counted too.
  void RecordRpc(absl::string_view full_method, const grpc::Status& status, absl::Duration latency);

  // One finished FHIR request: its route ("process-message", "ServiceRequest",
  // "Task", "metadata", "MessageDefinition", "other"), HTTP status and latency.
  void RecordFhirRequest(absl::string_view route, int http_status, absl::Duration latency);

  // A referral newly stored (not a replay): its source type, PCN (or triage)
  // and the coding method of each reason.
  void RecordReferral(const sprout::v1::Referral& stored);

  // One write transaction of the store's writer (store::WriterObserver).
  void RecordWriterBatch(size_t jobs, absl::Duration commit, bool committed);

  // One fsync of a SQLite store (store::SyncObserver): the file kind
  // ("wal", "database", "journal") and how long it took.
  void RecordSync(absl::string_view file, absl::Duration took);

  // Adds a gauge family computed at each scrape. Call before serving.
  void AddScrapeGauge(ScrapeGauge gauge);

 private:
  class ScrapeCollectable;

  std::shared_ptr<prometheus::Registry> registry_;
  std::shared_ptr<ScrapeCollectable> scraped_;
  prometheus::Family<prometheus::Counter>& rpcs_;
  prometheus::Family<prometheus::Histogram>& rpc_seconds_;
  prometheus::Family<prometheus::Counter>& rpc_errors_;
  prometheus::Family<prometheus::Counter>& fhir_requests_;
  prometheus::Family<prometheus::Histogram>& fhir_seconds_;
  prometheus::Family<prometheus::Counter>& referrals_;
  prometheus::Family<prometheus::Counter>& routed_;
  prometheus::Family<prometheus::Counter>& coded_reasons_;
  prometheus::Family<prometheus::Counter>& writer_transactions_;
  prometheus::Histogram& writer_batch_jobs_;
  prometheus::Histogram& writer_commit_seconds_;
  prometheus::Family<prometheus::Histogram>& sqlite_fsync_seconds_;
};

// "/sprout.v1.ReferralService/SubmitReferral" -> {"ReferralService", "SubmitReferral"}.
std::pair<std::string, std::string> ServiceAndMethod(absl::string_view full_method);

}  // namespace sprout::metrics

#endif  // SPROUT_SERVER_METRICS_SERVICE_METRICS_H_
