// Reading sproutd's Prometheus endpoint in integration tests: one scrape, and
// one sample from it.
#ifndef SPROUT_TESTS_INTEGRATION_METRICS_SCRAPE_H_
#define SPROUT_TESTS_INTEGRATION_METRICS_SCRAPE_H_

#include <string>

#include "absl/status/statusor.h"

namespace sprout::testing {

// The body of GET /metrics on 127.0.0.1:`port`; an error if the endpoint
// did not answer 200 with Prometheus text.
absl::StatusOr<std::string> ScrapeMetrics(int port);

// The value of the sample whose name and labels are exactly `series` (e.g.
// "sprout_calls_in_flight" or "sprout_referrals_total{source_type=\"POLICE\"}")
// in scraped `text`, or -1 when there is none.
double MetricSample(const std::string& text, const std::string& series);

// MetricSample of a fresh scrape; -1 when the scrape fails too.
double ScrapeSample(int port, const std::string& series);

}  // namespace sprout::testing

#endif  // SPROUT_TESTS_INTEGRATION_METRICS_SCRAPE_H_
