#include "client/cli/bulk_submit.h"

#include <openssl/sha.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <map>
#include <optional>
#include <thread>
#include <utility>

#include "absl/random/random.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "client/cli/exit_code.h"
#include "client/referral_builder.h"
#include "client/retry_policy.h"
#include "google/rpc/error_details.pb.h"
#include "nlohmann/json.hpp"
#include "rpc/status_conversion.h"

namespace sprout::client::cli {
namespace {

using Outcome = BulkLineResult::Outcome;

constexpr int kMaxConcurrency = 64;
// Lines listed per reason in the summary; the rest are counted.
constexpr size_t kLinesListed = 10;
// How long one line keeps waiting for a busy server before it counts as failed.
constexpr absl::Duration kBusyPatience = absl::Minutes(2);
// Within that time, how often to try again: back-off from 100 ms to 30 s.
constexpr RetryPolicy kPatientRetries{/*max_attempts=*/1000,
                                      /*initial_backoff=*/absl::Milliseconds(100),
                                      /*multiplier=*/2.0, /*max_backoff=*/absl::Seconds(30),
                                      /*jitter=*/0.2};

struct Job {
  int line;
  std::string text;
};

absl::string_view OutcomeName(Outcome o) {
  switch (o) {
    case Outcome::kAccepted:
      return "accepted";
    case Outcome::kReplayed:
      return "replayed";
    case Outcome::kRefused:
      return "refused";
    case Outcome::kFailed:
      return "failed";
    case Outcome::kUnreadable:
      return "unreadable";
  }
  return "failed";
}

// A call that may succeed if made again later (the server was away or busy).
bool IsTransient(absl::StatusCode code) {
  return code == absl::StatusCode::kUnavailable || code == absl::StatusCode::kDeadlineExceeded ||
         code == absl::StatusCode::kCancelled || code == absl::StatusCode::kResourceExhausted ||
         code == absl::StatusCode::kInternal || code == absl::StatusCode::kUnknown;
}

BulkLineResult SendLine(const Job& job, SproutClient& client) {
  BulkLineResult result;
  result.line = job.line;
  absl::StatusOr<v1::SubmitReferralRequest> request = ParseReferralJson(job.text);
  if (!request.ok()) {
    result.outcome = Outcome::kUnreadable;
    result.code = "INVALID_ARGUMENT";
    result.message = std::string(request.status().message());
    return result;
  }
  if (request->request_id().empty()) request->set_request_id(BulkRequestId(job.text));
  result.request_id = request->request_id();
  absl::StatusOr<v1::SubmitReferralResponse> response = client.SubmitReferral(*request);
  // The client already retried briefly. A bulk run is not in a hurry: while the
  // server is away or busy (restarting, the organisation's rate, a full queue),
  // keep waiting as the retry policy says (RetryInfo's delay in full) and send
  // again, so a large file flows at the rate the server allows instead of
  // failing. The request id makes it safe.
  const absl::Time give_up = absl::Now() + kBusyPatience;
  static thread_local absl::BitGen random;
  for (int retry = 1; !response.ok() && absl::Now() < give_up; ++retry) {
    std::optional<absl::Duration> wait =
        RetryDelay(response.status(), retry, Idempotency::kRetriable, kPatientRetries,
                   absl::Uniform(random, 0.0, 1.0));
    if (!wait.has_value()) break;
    absl::SleepFor(std::min(*wait, give_up - absl::Now()));
    response = client.SubmitReferral(*request);
  }
  if (response.ok()) {
    result.outcome = response->replayed() ? Outcome::kReplayed : Outcome::kAccepted;
    result.referral = response->referral().name();
    return result;
  }
  const absl::Status& status = response.status();
  result.outcome = IsTransient(status.code()) ? Outcome::kFailed : Outcome::kRefused;
  result.code = absl::StatusCodeToString(status.code());
  result.message = std::string(status.message());
  if (auto info = rpc::GetStatusDetail<google::rpc::ErrorInfo>(status)) {
    result.reason = info->reason();
  }
  if (auto bad = rpc::GetStatusDetail<google::rpc::BadRequest>(status)) {
    if (bad->field_violations_size() > 0) result.field = bad->field_violations(0).field();
  }
  return result;
}

std::string FormatEta(absl::Duration d) {
  const int64_t s = absl::ToInt64Seconds(d);
  return s >= 3600 ? absl::StrFormat("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                   : absl::StrFormat("%d:%02d", s / 60, s % 60);
}

// "[#######.............]  1234/10000  412/s  ETA 0:21"
std::string ProgressLine(size_t done, size_t total, absl::Duration elapsed) {
  constexpr int kWidth = 30;
  const double fraction = total == 0 ? 1.0 : static_cast<double>(done) / total;
  const int filled = static_cast<int>(fraction * kWidth);
  const double seconds = absl::ToDoubleSeconds(elapsed);
  const double rate = seconds > 0 ? done / seconds : 0;
  std::string eta = "--:--";
  if (rate > 0) eta = FormatEta(absl::Seconds((total - done) / rate));
  return absl::StrFormat("\r[%s%s] %*d/%d  %.0f/s  ETA %s ", std::string(filled, '#'),
                         std::string(kWidth - filled, '.'), absl::StrCat(total).size(), done, total,
                         rate, eta);
}

std::string CsvField(absl::string_view value) {
  if (value.find_first_of(",\"\n\r") == absl::string_view::npos) return std::string(value);
  std::string quoted = "\"";
  for (char c : value) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

void PrintRows(const std::vector<BulkLineResult>& results, BulkOptions::Rows rows,
               std::ostream& out) {
  if (rows == BulkOptions::Rows::kCsv) {
    out << "line,outcome,request_id,referral,code,reason,field,message\n";
  }
  for (const BulkLineResult& r : results) {
    if (rows == BulkOptions::Rows::kJson) {
      nlohmann::json row = {{"line", r.line}, {"outcome", OutcomeName(r.outcome)}};
      if (!r.request_id.empty()) row["requestId"] = r.request_id;
      if (!r.referral.empty()) row["referral"] = r.referral;
      if (!r.code.empty()) row["code"] = r.code;
      if (!r.reason.empty()) row["reason"] = r.reason;
      if (!r.field.empty()) row["field"] = r.field;
      if (!r.message.empty()) row["message"] = r.message;
      out << row.dump() << "\n";
    } else if (rows == BulkOptions::Rows::kCsv) {
      out << r.line << "," << OutcomeName(r.outcome) << "," << CsvField(r.request_id) << ","
          << CsvField(r.referral) << "," << r.code << "," << CsvField(r.reason) << ","
          << CsvField(r.field) << "," << CsvField(r.message) << "\n";
    }
  }
}

// What a refused or failed line is grouped by in the summary.
std::string ProblemKey(const BulkLineResult& r) {
  std::string key = r.code;
  if (!r.reason.empty()) absl::StrAppend(&key, " ", r.reason);
  if (!r.field.empty()) absl::StrAppend(&key, " at ", r.field);
  if (r.outcome == Outcome::kUnreadable) absl::StrAppend(&key, " (not a referral in JSON)");
  return key;
}

void PrintSummary(const std::vector<BulkLineResult>& results, absl::Duration elapsed,
                  std::ostream& out) {
  std::map<Outcome, size_t> counts;
  // Kept in order of first appearance, with the lines where each happened.
  std::vector<std::pair<std::string, std::vector<int>>> refused, failed;
  auto note = [](std::vector<std::pair<std::string, std::vector<int>>>& list,
                 const std::string& key, int line) {
    auto it = std::find_if(list.begin(), list.end(), [&](const auto& e) { return e.first == key; });
    if (it == list.end()) it = list.insert(list.end(), {key, {}});
    it->second.push_back(line);
  };
  for (const BulkLineResult& r : results) {
    ++counts[r.outcome];
    if (r.outcome == Outcome::kFailed) note(failed, ProblemKey(r), r.line);
    if (r.outcome == Outcome::kRefused || r.outcome == Outcome::kUnreadable) {
      note(refused, ProblemKey(r), r.line);
    }
  }
  const double seconds = absl::ToDoubleSeconds(elapsed);
  out << absl::StrFormat(
      "%d lines in %.1f s (%.0f/s): %d accepted, %d replayed (sent before), %d refused, %d "
      "failed\n",
      results.size(), seconds, seconds > 0 ? results.size() / seconds : 0.0,
      counts[Outcome::kAccepted], counts[Outcome::kReplayed],
      counts[Outcome::kRefused] + counts[Outcome::kUnreadable], counts[Outcome::kFailed]);
  auto print = [&out](const char* title,
                      const std::vector<std::pair<std::string, std::vector<int>>>& list) {
    if (list.empty()) return;
    out << title << "\n";
    for (const auto& [key, lines] : list) {
      std::vector<int> shown(lines.begin(), lines.begin() + std::min(lines.size(), kLinesListed));
      out << "  " << lines.size() << " x " << key << ": line" << (lines.size() > 1 ? "s " : " ")
          << absl::StrJoin(shown, ", ")
          << (lines.size() > shown.size()
                  ? absl::StrCat(" and ", lines.size() - shown.size(), " more")
                  : "")
          << "\n";
    }
  };
  print("refused (fix these lines, then run again: accepted lines are replayed, not stored twice):",
        refused);
  print("failed (the server was unreachable or busy; run again to send them):", failed);
}

}  // namespace

std::string BulkRequestId(absl::string_view line) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(line.data()), line.size(), digest);
  return absl::StrCat(
      "bulk-", absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(digest), 16)));
}

absl::Status RunBulkSubmit(const BulkOptions& options, SproutClient& client, std::ostream& out,
                           std::ostream& err) {
  if (options.concurrency < 1 || options.concurrency > kMaxConcurrency) {
    return UsageError(absl::StrCat("--concurrency must be 1 to ", kMaxConcurrency));
  }
  if (options.from_line < 1) return UsageError("--from-line must be 1 or more");
  std::ifstream in(options.file);
  if (!in) return UsageError(absl::StrCat(options.file, ": cannot be read"));
  std::vector<Job> jobs;
  std::string text;
  for (int line = 1; std::getline(in, text); ++line) {
    absl::string_view content = absl::StripTrailingAsciiWhitespace(text);
    if (line < options.from_line) continue;
    if (absl::StripLeadingAsciiWhitespace(content).empty() || content[0] == '#') continue;
    jobs.push_back(Job{line, std::string(content)});
  }
  if (in.bad()) return UsageError(absl::StrCat(options.file, ": read failed"));

  std::vector<BulkLineResult> results(jobs.size());
  std::atomic<size_t> next{0};
  std::atomic<size_t> done{0};
  const absl::Time start = absl::Now();
  absl::Notification finished;
  // A terminal gets a bar redrawn four times a second; a log a line every 10 s
  // (none for a run that ends sooner).
  const bool redraw = options.progress == BulkOptions::Progress::kRedraw;
  std::thread progress([&] {
    const absl::Duration every = redraw ? absl::Milliseconds(250) : options.line_every;
    while (!finished.WaitForNotificationWithTimeout(every)) {
      const std::string line = ProgressLine(done.load(), jobs.size(), absl::Now() - start);
      err << (redraw ? line : absl::StrCat(absl::StripPrefix(line, "\r"), "\n")) << std::flush;
    }
    if (redraw) {
      err << ProgressLine(done.load(), jobs.size(), absl::Now() - start) << "\n" << std::flush;
    }
  });
  std::vector<std::thread> workers;
  const int threads = std::min<int>(options.concurrency, std::max<size_t>(jobs.size(), 1));
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      for (size_t i = next++; i < jobs.size(); i = next++) {
        results[i] = SendLine(jobs[i], client);
        ++done;
      }
    });
  }
  for (std::thread& w : workers) w.join();
  finished.Notify();
  progress.join();
  const absl::Duration elapsed = absl::Now() - start;

  PrintRows(results, options.rows, out);
  // With rows on stdout for a program, the summary is for the person: stderr.
  PrintSummary(results, elapsed, options.rows == BulkOptions::Rows::kNone ? out : err);

  size_t refused = 0, failed = 0;
  for (const BulkLineResult& r : results) {
    if (r.outcome == Outcome::kFailed) ++failed;
    if (r.outcome == Outcome::kRefused || r.outcome == Outcome::kUnreadable) ++refused;
  }
  if (failed > 0) {
    // Exit 3, without the "is sproutd running" hint: the server answered.
    return absl::DeadlineExceededError(absl::StrCat(failed, " of ", results.size(),
                                                    " lines could not be sent in time; run again"));
  }
  if (refused > 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(refused, " of ", results.size(), " lines were refused"));
  }
  return absl::OkStatus();
}

}  // namespace sprout::client::cli
