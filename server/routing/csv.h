// A small RFC 4180 CSV reader for the directory files: comma separated, fields
// optionally in double quotes (a quoted field may hold commas, newlines and ""
// for a quote), LF or CRLF line ends, a UTF-8 byte-order mark ignored, blank
// lines skipped. Surrounding spaces of unquoted fields are trimmed.
#ifndef SPROUT_SERVER_ROUTING_CSV_H_
#define SPROUT_SERVER_ROUTING_CSV_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sprout::routing {

struct CsvRow {
  int line = 0;  // 1-based line on which the row starts.
  std::vector<std::string> fields;
};

// ParseCsv()
//
// Splits `content` into rows. On malformed quoting returns INVALID_ARGUMENT
// "<filename>:<line>: <what is wrong>".
absl::StatusOr<std::vector<CsvRow>> ParseCsv(absl::string_view content, absl::string_view filename);

}  // namespace sprout::routing

#endif  // SPROUT_SERVER_ROUTING_CSV_H_
