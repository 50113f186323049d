#include "tests/integration/metrics_scrape.h"

#include <httplib.h>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace sprout::testing {

absl::StatusOr<std::string> ScrapeMetrics(int port) {
  httplib::Client http("127.0.0.1", port);
  httplib::Result result = http.Get("/metrics");
  if (!result) {
    return absl::UnavailableError(
        absl::StrCat("GET /metrics: ", httplib::to_string(result.error())));
  }
  if (result->status != 200) {
    return absl::UnavailableError(absl::StrCat("GET /metrics answered ", result->status));
  }
  if (!absl::StrContains(result->get_header_value("Content-Type"), "text/plain")) {
    return absl::UnavailableError("GET /metrics did not answer Prometheus text");
  }
  return result->body;
}

double MetricSample(const std::string& text, const std::string& series) {
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (!absl::StartsWith(line, series + " ")) continue;
    double value = 0;
    if (absl::SimpleAtod(line.substr(series.size() + 1), &value)) return value;
  }
  return -1;
}

double ScrapeSample(int port, const std::string& series) {
  absl::StatusOr<std::string> text = ScrapeMetrics(port);
  return text.ok() ? MetricSample(*text, series) : -1;
}

}  // namespace sprout::testing
