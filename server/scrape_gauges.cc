// File: server/scrape_gauges.cc
#include "server/scrape_gauges.h"

#include <grpcpp/grpcpp.h>
#include <sys/stat.h>

#include <memory>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "base/clock.h"
#include "server/api/overdue_items.h"

namespace sprout {

void AddScrapeGauges(metrics::ServiceMetrics& metrics, const ScrapeSources& sources) {
  using metrics::GaugeValue;
  metrics.AddScrapeGauge({"sprout_build_info", "Always 1; the labels say what is running", [] {
                            return std::vector<GaugeValue>{
                                {{{"version", SPROUT_VERSION}, {"grpc", grpc::Version()}}, 1}};
                          }});
  metrics.AddScrapeGauge(
      {"sprout_terminology_release_info", "Always 1; the SNOMED CT release in use",
       [holder = sources.terminology] {
         const snomed::ReleaseInfo& release = holder->Get()->release();
         return std::vector<GaugeValue>{
             {{{"release", release.identity}, {"effective_date", release.effective_date}}, 1}};
       }});
  const double load_seconds = absl::ToDoubleSeconds(sources.terminology_load_time);
  metrics.AddScrapeGauge({"sprout_terminology_load_seconds",
                          "How long the SNOMED CT release took to load at start-up",
                          [load_seconds] {
                            return std::vector<GaugeValue>{{{}, load_seconds}};
                          }});
  metrics.AddScrapeGauge(
      {"sprout_routing_config_info", "Always 1; the directory version and routing policy in force",
       [holder = sources.routing] {
         std::shared_ptr<const routing::RoutingConfig> config = holder->Get();
         return std::vector<GaugeValue>{{{{"directory_version", config->directory->version()},
                                          {"policy", config->policy->name()},
                                          {"policy_version", config->policy->version()}},
                                         1}};
       }});
  if (sources.queue_limits != nullptr && sources.queue_limits->enabled()) {
    metrics.AddScrapeGauge(
        {"sprout_pcn_queue_waiting",
         "Referrals waiting on each PCN's queues as the queue limit last counted them (every "
         "PCN that has had a submission since start-up)",
         [limits = sources.queue_limits, directory = sources.directory] {
           std::vector<GaugeValue> values;
           for (const routing::Pcn& pcn : directory->Get()->pcns()) {
             const int64_t waiting = limits->Occupancy(absl::StrCat("pcns/", pcn.code));
             if (waiting > 0) values.push_back({{{"pcn", pcn.code}}, double(waiting)});
           }
           return values;
         }});
  }
  metrics.AddScrapeGauge(
      {"sprout_writer_queue_depth",
       "Write jobs waiting for the store's writer (refused with "
       "RESOURCE_EXHAUSTED beyond --max_pending_writes)",
       [store = sources.store] {
         return std::vector<GaugeValue>{{{}, static_cast<double>(store->WriterQueueDepth())}};
       }});
  if (sources.calls_in_flight != nullptr) {
    metrics.AddScrapeGauge(
        {"sprout_calls_in_flight",
         "Unary calls being served now; past --max_calls_in_flight more are refused "
         "RESOURCE_EXHAUSTED (SERVER_BUSY)",
         [calls = sources.calls_in_flight] {
           return std::vector<GaugeValue>{{{}, static_cast<double>(calls->in_flight())}};
         }});
  }
  metrics.AddScrapeGauge(
      {"sprout_overdue_items",
       "Queue items left unclaimed past their time (--overdue_working_days), by PCN "
       "(pcn=\"triage\" for triage queues); read from the store at each scrape",
       [store = sources.store, policy = sources.overdue] {
         std::vector<GaugeValue> values;
         absl::StatusOr<absl::flat_hash_map<std::string, int64_t>> counts =
             api::CountOverdueItems(*store, RealClock()->Now(), policy);
         if (!counts.ok()) return values;
         for (const auto& [pcn, count] : *counts) {
           values.push_back({{{"pcn", pcn.empty() ? "triage" : pcn}}, double(count)});
         }
         return values;
       }});
  if (!sources.sqlite_wal.empty()) {
    metrics.AddScrapeGauge({"sprout_sqlite_wal_bytes",
                            "Size of the SQLite write-ahead log (-wal file)",
                            [wal = sources.sqlite_wal] {
                              struct stat st {};
                              const double bytes = stat(wal.c_str(), &st) == 0 ? st.st_size : 0;
                              return std::vector<GaugeValue>{{{}, bytes}};
                            }});
  }
}

}  // namespace sprout
