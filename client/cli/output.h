// How sproutctl prints: aligned tables and readable messages for people,
// protobuf JSON (--json) for scripts.
#ifndef SPROUT_CLIENT_CLI_OUTPUT_H_
#define SPROUT_CLIENT_CLI_OUTPUT_H_

#include <ostream>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"
#include "sprout/v1/common.pb.h"

namespace sprout::client::cli {

// A table printed with columns padded to their widest cell, two spaces apart,
// headers in upper case. Not thread-safe.
class Table {
 public:
  explicit Table(std::vector<std::string> headers);

  // REQUIRES: cells.size() == number of headers.
  void AddRow(std::vector<std::string> cells);
  size_t rows() const { return rows_.size(); }

  // Prints the header and rows; nothing but "(none)" when there are no rows.
  void Print(std::ostream& out) const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

// Canonical proto3 JSON (camelCase names, enums by name, 64-bit integers as
// strings), with fields at their default values included so scripts see
// `"valid": false`. `pretty` indents; otherwise one line (for streams).
std::string ToJson(const google::protobuf::Message& message, bool pretty);

// A message as indented "field: value" lines, for people. Enums lose their
// type prefix (REFERRAL_STATE_QUEUED -> QUEUED), timestamps are RFC 3339,
// durations "90s", sprout.v1.Date "YYYY-MM-DD", CodedConcept
// "267076002 |Feeling lonely|"; unset fields are skipped.
void PrintFields(const google::protobuf::Message& message, std::ostream& out, int indent = 0);

// The short name of an enum value: the value name without the prefix derived
// from its type (SourceType -> SOURCE_TYPE_). Unknown numbers print as digits.
std::string EnumName(const google::protobuf::EnumDescriptor& type, int number);

// Typed shorthands of EnumName.
template <typename Enum>
std::string ShortEnum(Enum value) {
  return EnumName(*google::protobuf::GetEnumDescriptor<Enum>(), static_cast<int>(value));
}

// "267076002 |Feeling lonely|", or the code alone when there is no display.
std::string FormatConcept(const sprout::v1::CodedConcept& concept);

// RFC 3339 in UTC, or "-" when unset (all zero).
std::string FormatTimestamp(const google::protobuf::Timestamp& t);

// Prints `message` as JSON (pretty) when `json`, else with PrintFields.
void PrintMessage(const google::protobuf::Message& message, bool json, std::ostream& out);

// After a paged list: "next page: --page-token TOKEN" when there is one.
void PrintNextPage(absl::string_view token, std::ostream& out);

}  // namespace sprout::client::cli

#endif  // SPROUT_CLIENT_CLI_OUTPUT_H_
