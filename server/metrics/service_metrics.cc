#include "server/metrics/service_metrics.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace sprout::metrics {

// The scrape gauges, as a prometheus Collectable.
class ServiceMetrics::ScrapeCollectable : public prometheus::Collectable {
 public:
  void Add(ScrapeGauge gauge) {
    absl::MutexLock lock(&mu_);
    gauges_.push_back(std::move(gauge));
  }

  std::vector<prometheus::MetricFamily> Collect() const override {
    absl::MutexLock lock(&mu_);
    std::vector<prometheus::MetricFamily> families;
    for (const ScrapeGauge& g : gauges_) {
      prometheus::MetricFamily family;
      family.name = g.name;
      family.help = g.help;
      family.type = prometheus::MetricType::Gauge;
      for (const GaugeValue& v : g.values()) {
        prometheus::ClientMetric metric;
        for (const auto& [name, value] : v.labels) metric.label.push_back({name, value});
        metric.gauge.value = v.value;
        family.metric.push_back(std::move(metric));
      }
      families.push_back(std::move(family));
    }
    return families;
  }

 private:
  mutable absl::Mutex mu_;
  std::vector<ScrapeGauge> gauges_ ABSL_GUARDED_BY(mu_);
};

namespace {

// Latency buckets, seconds: a cached read takes well under a millisecond, a
// durable submission a few milliseconds, a slow PostgreSQL a second.
const prometheus::Histogram::BucketBoundaries& LatencyBuckets() {
  static const auto* const buckets = new prometheus::Histogram::BucketBoundaries{
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  return *buckets;
}

std::string ErrorReasonOf(const grpc::Status& status) {
  if (status.error_details().empty()) return "";
  google::rpc::Status details;
  if (!details.ParseFromString(status.error_details())) return "";
  google::rpc::ErrorInfo info;
  for (const auto& any : details.details()) {
    if (any.UnpackTo(&info)) return info.reason();
  }
  return "";
}

// "SOURCE_TYPE_POLICE" -> "POLICE": the enum value without its prefix.
std::string EnumLabel(const std::string& name, absl::string_view prefix) {
  absl::string_view label = name;
  absl::ConsumePrefix(&label, prefix);
  return std::string(label);
}

}  // namespace

std::pair<std::string, std::string> ServiceAndMethod(absl::string_view full_method) {
  absl::ConsumePrefix(&full_method, "/");
  const std::pair<absl::string_view, absl::string_view> parts =
      absl::StrSplit(full_method, absl::MaxSplits('/', 1));
  absl::string_view service = parts.first;
  if (const size_t dot = service.rfind('.'); dot != absl::string_view::npos) {
    service = service.substr(dot + 1);
  }
  return {std::string(service), std::string(parts.second)};
}

ServiceMetrics::ServiceMetrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      scraped_(std::make_shared<ScrapeCollectable>()),
      rpcs_(prometheus::BuildCounter()
                .Name("sprout_rpc_handled_total")
                .Help("RPCs finished, by service, method and gRPC status code")
                .Register(*registry_)),
      rpc_seconds_(prometheus::BuildHistogram()
                       .Name("sprout_rpc_duration_seconds")
                       .Help("Time from a call's arrival to its status, by service and method")
                       .Register(*registry_)),
      rpc_errors_(prometheus::BuildCounter()
                      .Name("sprout_rpc_errors_total")
                      .Help("Failed RPCs by method and google.rpc.ErrorInfo reason (refusals "
                            "such as RATE_LIMITED, PCN_QUEUE_FULL and WRITER_QUEUE_FULL)")
                      .Register(*registry_)),
      fhir_requests_(prometheus::BuildCounter()
                         .Name("sprout_fhir_requests_total")
                         .Help("FHIR requests finished, by route and HTTP status")
                         .Register(*registry_)),
      fhir_seconds_(prometheus::BuildHistogram()
                        .Name("sprout_fhir_request_duration_seconds")
                        .Help("Time from a FHIR request's arrival to its answer, by route")
                        .Register(*registry_)),
      referrals_(prometheus::BuildCounter()
                     .Name("sprout_referrals_total")
                     .Help("Referrals stored (replays not counted), by referrer source type")
                     .Register(*registry_)),
      routed_(prometheus::BuildCounter()
                  .Name("sprout_referrals_routed_total")
                  .Help("Referrals stored, by the PCN they were routed to (pcn=\"triage\" when "
                        "they went to a triage queue)")
                  .Register(*registry_)),
      coded_reasons_(prometheus::BuildCounter()
                         .Name("sprout_coded_reasons_total")
                         .Help("Reasons for referral of stored referrals, by how each was coded")
                         .Register(*registry_)),
      writer_transactions_(prometheus::BuildCounter()
                               .Name("sprout_writer_transactions_total")
                               .Help("Write transactions the store's writer ended, by outcome "
                                     "(committed or failed)")
                               .Register(*registry_)),
      writer_batch_jobs_(
          prometheus::BuildHistogram()
              .Name("sprout_writer_batch_jobs")
              .Help("Jobs (submissions, lifecycle steps, audit appends) per write "
                    "transaction: the group commit's batch size")
              .Register(*registry_)
              .Add({}, prometheus::Histogram::BucketBoundaries{1, 2, 4, 8, 16, 32, 64, 128, 256})),
      writer_commit_seconds_(
          prometheus::BuildHistogram()
              .Name("sprout_writer_commit_seconds")
              .Help("Time a write transaction's COMMIT took, the fsync (SQLite) "
                    "or the server's flush (PostgreSQL) included")
              .Register(*registry_)
              .Add({}, prometheus::Histogram::BucketBoundaries{0.0001, 0.00025, 0.0005, 0.001,
                                                               0.0025, 0.005, 0.01, 0.025, 0.05,
                                                               0.1, 0.25, 1})),
      sqlite_fsync_seconds_(prometheus::BuildHistogram()
                                .Name("sprout_sqlite_fsync_seconds")
                                .Help("Time each fsync of a SQLite file took, by file: wal (a "
                                      "commit's), database (a checkpoint's), journal")
                                .Register(*registry_)) {}

std::vector<std::weak_ptr<prometheus::Collectable>> ServiceMetrics::collectables() const {
  return {registry_, scraped_};
}

void ServiceMetrics::RecordRpc(absl::string_view full_method, const grpc::Status& status,
                               absl::Duration latency) {
  const auto [service, method] = ServiceAndMethod(full_method);
  const std::string code =
      absl::StatusCodeToString(static_cast<absl::StatusCode>(status.error_code()));
  rpcs_.Add({{"service", service}, {"method", method}, {"code", code}}).Increment();
  rpc_seconds_.Add({{"service", service}, {"method", method}}, LatencyBuckets())
      .Observe(absl::ToDoubleSeconds(latency));
  if (!status.ok()) {
    std::string reason = ErrorReasonOf(status);
    rpc_errors_.Add({{"method", method}, {"reason", reason.empty() ? code : reason}}).Increment();
  }
}

void ServiceMetrics::RecordFhirRequest(absl::string_view route, int http_status,
                                       absl::Duration latency) {
  fhir_requests_.Add({{"route", std::string(route)}, {"status", absl::StrCat(http_status)}})
      .Increment();
  fhir_seconds_.Add({{"route", std::string(route)}}, LatencyBuckets())
      .Observe(absl::ToDoubleSeconds(latency));
}

void ServiceMetrics::RecordReferral(const sprout::v1::Referral& stored) {
  referrals_
      .Add({{"source_type", EnumLabel(sprout::v1::SourceType_Name(stored.referrer().source_type()),
                                      "SOURCE_TYPE_")}})
      .Increment();
  absl::string_view pcn = stored.route().pcn();
  absl::ConsumePrefix(&pcn, "pcns/");
  routed_.Add({{"pcn", pcn.empty() ? "triage" : std::string(pcn)}}).Increment();
  for (const sprout::v1::CodedReason& reason : stored.coded_reasons()) {
    coded_reasons_
        .Add({{"method",
               EnumLabel(sprout::v1::CodingMethod_Name(reason.method()), "CODING_METHOD_")}})
        .Increment();
  }
}

void ServiceMetrics::RecordWriterBatch(size_t jobs, absl::Duration commit, bool committed) {
  writer_transactions_.Add({{"outcome", committed ? "committed" : "failed"}}).Increment();
  writer_batch_jobs_.Observe(static_cast<double>(jobs));
  if (committed) writer_commit_seconds_.Observe(absl::ToDoubleSeconds(commit));
}

void ServiceMetrics::RecordSync(absl::string_view file, absl::Duration took) {
  sqlite_fsync_seconds_
      .Add({{"file", std::string(file)}},
           prometheus::Histogram::BucketBoundaries{0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025,
                                                   0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1})
      .Observe(absl::ToDoubleSeconds(took));
}

void ServiceMetrics::AddScrapeGauge(ScrapeGauge gauge) { scraped_->Add(std::move(gauge)); }

}  // namespace sprout::metrics
