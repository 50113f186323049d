#include "server/routing/csv.h"

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace sprout::routing {

absl::StatusOr<std::vector<CsvRow>> ParseCsv(absl::string_view content,
                                             absl::string_view filename) {
  if (absl::StartsWith(content, "\xEF\xBB\xBF")) content.remove_prefix(3);
  std::vector<CsvRow> rows;
  size_t i = 0;
  int line = 1;
  const size_t n = content.size();
  while (i < n) {
    CsvRow row;
    row.line = line;
    bool row_done = false;
    while (!row_done) {
      std::string field;
      bool quoted = false;
      // Skip leading blanks of the field (quotes may follow them).
      size_t start = i;
      while (i < n && (content[i] == ' ' || content[i] == '\t')) ++i;
      if (i < n && content[i] == '"') {
        quoted = true;
        const int quote_line = line;
        ++i;
        while (true) {
          if (i >= n) {
            return absl::InvalidArgumentError(absl::StrCat(
                filename, ":", quote_line, ": unterminated quoted field (missing closing '\"')"));
          }
          const char c = content[i];
          if (c == '"') {
            if (i + 1 < n && content[i + 1] == '"') {
              field.push_back('"');
              i += 2;
              continue;
            }
            ++i;
            break;
          }
          if (c == '\n') ++line;
          field.push_back(c);
          ++i;
        }
        while (i < n && (content[i] == ' ' || content[i] == '\t')) ++i;
        if (i < n && content[i] != ',' && content[i] != '\n' && content[i] != '\r') {
          return absl::InvalidArgumentError(
              absl::StrCat(filename, ":", line, ": unexpected character '",
                           absl::string_view(&content[i], 1), "' after a closing quote"));
        }
      } else {
        i = start;
        while (i < n && content[i] != ',' && content[i] != '\n' && content[i] != '\r') {
          if (content[i] == '"') {
            return absl::InvalidArgumentError(absl::StrCat(
                filename, ":", line, ": a quote inside an unquoted field (quote the whole field)"));
          }
          field.push_back(content[i]);
          ++i;
        }
      }
      row.fields.push_back(quoted ? field : std::string(absl::StripAsciiWhitespace(field)));
      if (i < n && content[i] == ',') {
        ++i;
        continue;
      }
      // End of line or input.
      if (i < n && content[i] == '\r') ++i;
      if (i < n && content[i] == '\n') ++i;
      ++line;
      row_done = true;
    }
    const bool blank = row.fields.size() == 1 && row.fields[0].empty();
    if (!blank) rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace sprout::routing
