#include "server/api/message_filter.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/timestamp.pb.h"
#include "server/common/errors.h"
#include "server/common/filter.h"
#include "server/common/proto_time.h"

namespace sprout::api {
namespace {

using google::protobuf::FieldDescriptor;

absl::Status TermError(const FilterTerm& term, absl::string_view what) {
  return InvalidArgumentWithViolations(
      {{"filter", absl::StrCat("column ", term.column, ": ", what)}}, "INVALID_FILTER");
}

bool IsTimestamp(const FieldDescriptor& field) {
  return field.type() == FieldDescriptor::TYPE_MESSAGE &&
         field.message_type()->full_name() == "google.protobuf.Timestamp";
}

// The enum's common prefix, e.g. "REFERRAL_STATE_" from REFERRAL_STATE_UNSPECIFIED.
std::string EnumPrefix(const google::protobuf::EnumDescriptor& e) {
  const std::string& zero = e.value(0)->name();
  const size_t at = zero.rfind("UNSPECIFIED");
  return at == std::string::npos ? std::string() : zero.substr(0, at);
}

std::string EnumValueList(const google::protobuf::EnumDescriptor& e) {
  const std::string prefix = EnumPrefix(e);
  std::vector<std::string> names;
  for (int i = 0; i < e.value_count(); ++i) {
    if (e.value(i)->number() == 0) continue;
    names.push_back(e.value(i)->name().substr(prefix.size()));
  }
  return absl::StrJoin(names, ", ");
}

std::string Describe(const std::vector<FilterableField>& accepted) {
  std::vector<std::string> names;
  for (const FilterableField& f : accepted) names.push_back(f.name);
  return absl::StrJoin(names, ", ");
}

template <typename T>
bool Compare(const std::string& op, const T& a, const T& b) {
  if (op == "=") return a == b;
  if (op == "!=") return a != b;
  if (op == "<") return a < b;
  if (op == "<=") return a <= b;
  if (op == ">") return a > b;
  if (op == ">=") return a >= b;
  return false;
}

}  // namespace

absl::StatusOr<MessageFilter> MessageFilter::Parse(absl::string_view filter,
                                                   const google::protobuf::Descriptor& type,
                                                   const std::vector<FilterableField>& accepted) {
  absl::StatusOr<std::vector<FilterTerm>> terms = ParseFilter(filter);
  if (!terms.ok()) return terms.status();
  MessageFilter out;
  std::vector<std::string> canonical;
  for (const FilterTerm& t : *terms) {
    const FilterableField* spec = nullptr;
    for (const FilterableField& f : accepted) {
      if (f.name == t.field) spec = &f;
    }
    if (spec == nullptr) {
      return TermError(
          t, absl::StrCat("\"", t.field, "\" is not a field this method filters on; it accepts ",
                          Describe(accepted)));
    }
    Term term;
    term.op = t.op;
    const bool equality = t.op == "=" || t.op == "!=";
    if (spec->derived_bool) {
      if (!equality) return TermError(t, absl::StrCat(t.field, " takes = or !=, not ", t.op));
      if (t.value != "true" && t.value != "false") {
        return TermError(t, absl::StrCat(t.field, " is true or false, not \"", t.value, "\""));
      }
      term.derived_bool = spec->derived_bool;
      term.bool_value = t.value == "true";
      canonical.push_back(absl::StrCat(t.field, " ", t.op, " ", t.value));
      out.terms_.push_back(std::move(term));
      continue;
    }
    const google::protobuf::Descriptor* within = &type;
    for (absl::string_view part :
         absl::StrSplit(spec->proto_field.empty() ? spec->name : spec->proto_field, '.')) {
      if (term.field != nullptr) {
        if (term.field->type() != FieldDescriptor::TYPE_MESSAGE) within = nullptr;
        if (within != nullptr) within = term.field->message_type();
        term.via.push_back(term.field);
      }
      term.field = within == nullptr ? nullptr : within->FindFieldByName(std::string(part));
      if (term.field == nullptr || term.field->is_repeated()) {
        return TermError(t, absl::StrCat("\"", t.field, "\" cannot be filtered on"));
      }
    }
    if (term.field->type() == FieldDescriptor::TYPE_ENUM) {
      const google::protobuf::EnumDescriptor& e = *term.field->enum_type();
      const std::string prefix = EnumPrefix(e);
      const google::protobuf::EnumValueDescriptor* v = e.FindValueByName(t.value);
      if (v == nullptr) v = e.FindValueByName(absl::StrCat(prefix, t.value));
      if (!equality) {
        return TermError(t, absl::StrCat(t.field, " takes = or !=, not ", t.op));
      }
      if (v == nullptr || v->number() == 0) {
        return TermError(t, absl::StrCat("\"", t.value, "\" is not a ", t.field, "; use one of ",
                                         EnumValueList(e)));
      }
      term.enum_value = v->number();
    } else if (term.field->type() == FieldDescriptor::TYPE_BOOL) {
      if (!equality) return TermError(t, absl::StrCat(t.field, " takes = or !=, not ", t.op));
      if (t.value != "true" && t.value != "false") {
        return TermError(t, absl::StrCat(t.field, " is true or false, not \"", t.value, "\""));
      }
      term.bool_value = t.value == "true";
    } else if (IsTimestamp(*term.field)) {
      std::string error;
      if (t.op == "<<" || !absl::ParseTime(absl::RFC3339_full, t.value, &term.time_value, &error)) {
        return TermError(t, t.op == "<<" ? absl::StrCat(t.field, " takes =, !=, <, <=, > or >=")
                                         : absl::StrCat("\"", t.value,
                                                        "\" is not an RFC 3339 time such as "
                                                        "2026-01-01T00:00:00Z"));
      }
    } else if (term.field->type() == FieldDescriptor::TYPE_STRING) {
      if (!equality) return TermError(t, absl::StrCat(t.field, " takes = or !=, not ", t.op));
      term.string_value = t.value;
    } else {
      return TermError(t, absl::StrCat("\"", t.field, "\" cannot be filtered on"));
    }
    canonical.push_back(absl::StrCat(term.field->name(), " ", t.op, " ", t.value));
    out.terms_.push_back(std::move(term));
  }
  out.canonical_ = absl::StrJoin(canonical, " AND ");
  return out;
}

bool MessageFilter::Holds(const Term& term, const google::protobuf::Message& message) {
  if (term.derived_bool) return Compare(term.op, term.derived_bool(message), term.bool_value);
  const google::protobuf::Message* m = &message;
  for (const FieldDescriptor* step : term.via) m = &m->GetReflection()->GetMessage(*m, step);
  return HoldsOn(term, *m);
}

bool MessageFilter::HoldsOn(const Term& term, const google::protobuf::Message& message) {
  const google::protobuf::Reflection& r = *message.GetReflection();
  const FieldDescriptor& f = *term.field;
  if (f.type() == FieldDescriptor::TYPE_ENUM) {
    return Compare(term.op, r.GetEnumValue(message, &f), term.enum_value);
  }
  if (f.type() == FieldDescriptor::TYPE_BOOL) {
    return Compare(term.op, r.GetBool(message, &f), term.bool_value);
  }
  if (f.type() == FieldDescriptor::TYPE_STRING) {
    return Compare(term.op, r.GetString(message, &f), term.string_value);
  }
  // A Timestamp; an unset one is the epoch, before every real time.
  const auto& time = static_cast<const google::protobuf::Timestamp&>(r.GetMessage(message, &f));
  return Compare(term.op, FromProtoTime(time), term.time_value);
}

bool MessageFilter::Matches(const google::protobuf::Message& message) const {
  for (const Term& term : terms_) {
    if (!Holds(term, message)) return false;
  }
  return true;
}

}  // namespace sprout::api
