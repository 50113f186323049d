#include "client/cli/output.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"

namespace sprout::client::cli {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;
using google::protobuf::util::TimeUtil;

// "ReferralState" -> "REFERRAL_STATE_".
std::string EnumPrefix(absl::string_view type_name) {
  std::string prefix;
  for (size_t i = 0; i < type_name.size(); ++i) {
    const char c = type_name[i];
    if (i > 0 && absl::ascii_isupper(static_cast<unsigned char>(c))) prefix.push_back('_');
    prefix.push_back(absl::ascii_toupper(static_cast<unsigned char>(c)));
  }
  prefix.push_back('_');
  return prefix;
}

// A one-line rendering for messages that read best as one value; empty when
// the message has no such rendering.
std::string InlineValue(const Message& m) {
  const std::string& type = m.GetDescriptor()->full_name();
  if (type == "google.protobuf.Timestamp") {
    return FormatTimestamp(static_cast<const google::protobuf::Timestamp&>(m));
  }
  if (type == "google.protobuf.Duration") {
    return TimeUtil::ToString(static_cast<const google::protobuf::Duration&>(m));
  }
  if (type == "sprout.v1.Date") {
    const auto& d = static_cast<const sprout::v1::Date&>(m);
    return absl::StrFormat("%04d-%02d-%02d", d.year(), d.month(), d.day());
  }
  if (type == "sprout.v1.CodedConcept") {
    return FormatConcept(static_cast<const sprout::v1::CodedConcept&>(m));
  }
  return "";
}

std::string ScalarValue(const Message& m, const FieldDescriptor& f, int index) {
  const Reflection& r = *m.GetReflection();
  const bool rep = f.is_repeated();
  switch (f.cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      return absl::StrCat(rep ? r.GetRepeatedInt32(m, &f, index) : r.GetInt32(m, &f));
    case FieldDescriptor::CPPTYPE_INT64:
      return absl::StrCat(rep ? r.GetRepeatedInt64(m, &f, index) : r.GetInt64(m, &f));
    case FieldDescriptor::CPPTYPE_UINT32:
      return absl::StrCat(rep ? r.GetRepeatedUInt32(m, &f, index) : r.GetUInt32(m, &f));
    case FieldDescriptor::CPPTYPE_UINT64:
      return absl::StrCat(rep ? r.GetRepeatedUInt64(m, &f, index) : r.GetUInt64(m, &f));
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return absl::StrCat(rep ? r.GetRepeatedDouble(m, &f, index) : r.GetDouble(m, &f));
    case FieldDescriptor::CPPTYPE_FLOAT:
      return absl::StrCat(rep ? r.GetRepeatedFloat(m, &f, index) : r.GetFloat(m, &f));
    case FieldDescriptor::CPPTYPE_BOOL:
      return (rep ? r.GetRepeatedBool(m, &f, index) : r.GetBool(m, &f)) ? "true" : "false";
    case FieldDescriptor::CPPTYPE_ENUM:
      return EnumName(*f.enum_type(),
                      rep ? r.GetRepeatedEnumValue(m, &f, index) : r.GetEnumValue(m, &f));
    case FieldDescriptor::CPPTYPE_STRING:
      return rep ? r.GetRepeatedString(m, &f, index) : r.GetString(m, &f);
    case FieldDescriptor::CPPTYPE_MESSAGE:
      break;
  }
  return "";
}

void PrintField(const Message& m, const FieldDescriptor& f, std::ostream& out, int indent) {
  const std::string pad(indent, ' ');
  const Reflection& r = *m.GetReflection();
  if (f.cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) {
    if (!f.is_repeated()) {
      out << pad << f.name() << ": " << ScalarValue(m, f, 0) << "\n";
      return;
    }
    out << pad << f.name() << ":\n";
    for (int i = 0; i < r.FieldSize(m, &f); ++i) {
      out << pad << "  - " << ScalarValue(m, f, i) << "\n";
    }
    return;
  }
  if (f.is_map()) {
    out << pad << f.name() << ":\n";
    for (int i = 0; i < r.FieldSize(m, &f); ++i) {
      const Message& entry = r.GetRepeatedMessage(m, &f, i);
      const Descriptor* d = entry.GetDescriptor();
      out << pad << "  " << ScalarValue(entry, *d->field(0), 0) << ": "
          << ScalarValue(entry, *d->field(1), 0) << "\n";
    }
    return;
  }
  if (!f.is_repeated()) {
    const Message& sub = r.GetMessage(m, &f);
    const std::string inline_value = InlineValue(sub);
    if (!inline_value.empty()) {
      out << pad << f.name() << ": " << inline_value << "\n";
      return;
    }
    out << pad << f.name() << ":\n";
    PrintFields(sub, out, indent + 2);
    return;
  }
  out << pad << f.name() << ":\n";
  for (int i = 0; i < r.FieldSize(m, &f); ++i) {
    const Message& sub = r.GetRepeatedMessage(m, &f, i);
    const std::string inline_value = InlineValue(sub);
    if (!inline_value.empty()) {
      out << pad << "  - " << inline_value << "\n";
    } else {
      out << pad << "  -\n";
      PrintFields(sub, out, indent + 4);
    }
  }
}

}  // namespace

Table::Table(std::vector<std::string> headers) : headers_(std::move(headers)) {
  for (std::string& h : headers_) absl::AsciiStrToUpper(&h);
}

void Table::AddRow(std::vector<std::string> cells) {
  cells.resize(headers_.size());
  rows_.push_back(std::move(cells));
}

void Table::Print(std::ostream& out) const {
  if (rows_.empty()) {
    out << "(none)\n";
    return;
  }
  std::vector<size_t> width(headers_.size());
  for (size_t c = 0; c < headers_.size(); ++c) width[c] = headers_[c].size();
  for (const auto& row : rows_) {
    for (size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  }
  auto print_row = [&](const std::vector<std::string>& row) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) {
      line += row[c];
      if (c + 1 < row.size()) line += std::string(width[c] - row[c].size() + 2, ' ');
    }
    // An empty last cell would leave padding behind.
    line.erase(line.find_last_not_of(' ') + 1);
    out << line << "\n";
  };
  print_row(headers_);
  for (const auto& row : rows_) print_row(row);
}

std::string ToJson(const Message& message, bool pretty) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = pretty;
  options.always_print_primitive_fields = true;
  std::string json;
  auto status = google::protobuf::util::MessageToJsonString(message, &json, options);
  if (!status.ok()) {
    // Only possible for messages with unresolvable Any types; say so in JSON.
    return absl::StrCat("{\"error\": \"", status.message().ToString(), "\"}");
  }
  if (pretty && !json.empty() && json.back() == '\n') json.pop_back();
  return json;
}

void PrintFields(const Message& message, std::ostream& out, int indent) {
  const Reflection& r = *message.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  r.ListFields(message, &fields);  // set fields only, in field-number order
  for (const FieldDescriptor* f : fields) PrintField(message, *f, out, indent);
}

std::string EnumName(const google::protobuf::EnumDescriptor& type, int number) {
  const google::protobuf::EnumValueDescriptor* value = type.FindValueByNumber(number);
  if (value == nullptr) return absl::StrCat(number);
  absl::string_view name = value->name();
  const std::string prefix = EnumPrefix(type.name());
  if (absl::StartsWith(name, prefix) && name.size() > prefix.size()) {
    name.remove_prefix(prefix.size());
  }
  return std::string(name);
}

std::string FormatConcept(const sprout::v1::CodedConcept& concept) {
  if (concept.display().empty()) return concept.code();
  return absl::StrCat(concept.code(), " |", concept.display(), "|");
}

std::string FormatTimestamp(const google::protobuf::Timestamp& t) {
  if (t.seconds() == 0 && t.nanos() == 0) return "-";
  return TimeUtil::ToString(t);
}

void PrintMessage(const Message& message, bool json, std::ostream& out) {
  if (json) {
    out << ToJson(message, /*pretty=*/true) << "\n";
  } else {
    PrintFields(message, out);
  }
}

void PrintNextPage(absl::string_view token, std::ostream& out) {
  if (!token.empty()) out << "next page: --page-token " << token << "\n";
}

}  // namespace sprout::client::cli
