// File: client/cli/bulk_submit.h
//
// `sproutctl referral submit --bulk FILE.jsonl`: submits a file of referrals,
// one protobuf JSON object per line (a Referral or a whole
// SubmitReferralRequest, as for --file), with a bounded number of calls in
// flight, a progress bar on a terminal, and a summary of what was refused by
// reason and line.
//
// Resumable by construction: a line without its own requestId is sent with one
// derived from the line's text ("bulk-" + 32 hex digits of its SHA-256), so
// running the same file again (or from --from-line) replays the lines already
// stored instead of storing them twice; the server answers with the original
// referral and `replayed`. Identical lines are one referral.
#ifndef SPROUT_CLIENT_CLI_BULK_SUBMIT_H_
#define SPROUT_CLIENT_CLI_BULK_SUBMIT_H_

#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "client/sprout_client.h"

namespace sprout::client::cli {

struct BulkOptions {
  std::string file;
  // Calls in flight at once, 1 to 64.
  int concurrency = 8;
  // The first line to send (1-based); earlier lines are skipped.
  int from_line = 1;
  // One row per line on `out` after the run: JSON lines or CSV. Without
  // either, only the summary is printed (on `out`).
  enum class Rows { kNone, kJson, kCsv };
  Rows rows = Rows::kNone;
  // Progress on `err` (done/total, rate, ETA): a bar redrawn in place for a
  // terminal, or a plain line every 10 seconds for a log file.
  enum class Progress { kRedraw, kLines };
  Progress progress = Progress::kLines;
  // How often kLines writes a line.
  absl::Duration line_every = absl::Seconds(10);
};

// How one line ended.
struct BulkLineResult {
  enum class Outcome { kAccepted, kReplayed, kRefused, kFailed, kUnreadable };
  int line = 0;  // 1-based line number in the file
  Outcome outcome = Outcome::kFailed;
  std::string request_id;
  std::string referral;  // referrals/{id} when accepted or replayed
  std::string code;      // gRPC code name when refused or failed, e.g. "INVALID_ARGUMENT"
  std::string reason;    // google.rpc.ErrorInfo reason, when sent
  std::string field;     // the first BadRequest field violation's path, when sent
  std::string message;   // the server's message (never patient data) or the parse error
};

// BulkRequestId()
//
// The request id for a line that carries none: "bulk-" and the first 16
// bytes of SHA-256(line) in hex.
std::string BulkRequestId(absl::string_view line);

// RunBulkSubmit()
//
// Sends every non-blank line of `options.file` (lines starting '#' are
// comments) from `options.from_line` through `client` and prints rows and the
// summary. A line the server cannot take yet (UNAVAILABLE, or
// RESOURCE_EXHAUSTED with RetryInfo) is sent again as client/retry_policy.h
// says, for up to two minutes. Returns OK when
// every line was accepted or replayed; otherwise a status whose code gives
// sproutctl's exit code: DEADLINE_EXCEEDED when some lines could not be sent
// (re-run to finish), else INVALID_ARGUMENT when some lines were refused. A file that cannot be
// read, or bad options, is a usage error.
absl::Status RunBulkSubmit(const BulkOptions& options, SproutClient& client, std::ostream& out,
                           std::ostream& err);

}  // namespace sprout::client::cli

#endif  // SPROUT_CLIENT_CLI_BULK_SUBMIT_H_
