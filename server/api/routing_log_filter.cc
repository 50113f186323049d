#include "server/api/routing_log_filter.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/common/errors.h"
#include "server/common/filter.h"
#include "snomed/sctid.h"
#include "sprout/v1/common.pb.h"
#include "sprout/v1/routing.pb.h"

namespace sprout::api {
namespace {

constexpr absl::string_view kAccepted =
    "pcn =, practice =, source_type =, outcome =, rule =, reason = or <<, "
    "decide_time >=, >, <, <=";

absl::Status TermError(const FilterTerm& term, absl::string_view what) {
  return InvalidArgumentWithViolations(
      {{"filter", absl::StrCat("column ", term.column, ": ", what)}}, "INVALID_FILTER");
}

// Parses an enum value with or without its prefix ("POLICE", "SOURCE_TYPE_POLICE").
template <typename Enum, typename ParseFn>
absl::StatusOr<int> EnumValue(const FilterTerm& term, absl::string_view prefix, ParseFn parse) {
  Enum value;
  std::string name = term.value;
  if (!absl::StartsWith(name, prefix)) name = absl::StrCat(prefix, name);
  if (!parse(name, &value) || static_cast<int>(value) == 0) {
    return TermError(term, absl::StrCat("\"", term.value, "\" is not a ", term.field, " value"));
  }
  return static_cast<int>(value);
}

}  // namespace

bool IsDecideTimeTerm(const FilterTerm& term) {
  return term.field == "decide_time" &&
         (term.op == ">=" || term.op == ">" || term.op == "<" || term.op == "<=");
}

absl::Status ApplyDecideTimeTerm(const FilterTerm& term, store::RoutingLogQuery* query) {
  absl::Time t;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, term.value, &t, &error)) {
    return TermError(term, absl::StrCat("\"", term.value,
                                        "\" is not an RFC 3339 time such as "
                                        "2026-01-01T00:00:00Z"));
  }
  if (term.op == ">=") query->decided_after = t;
  if (term.op == ">") query->decided_after = t + absl::Nanoseconds(1);
  if (term.op == "<") query->decided_before = t;
  if (term.op == "<=") query->decided_before = t + absl::Nanoseconds(1);
  return absl::OkStatus();
}

absl::StatusOr<store::RoutingLogQuery> ParseRoutingLogFilter(
    absl::string_view filter, const snomed::Terminology& terminology) {
  absl::StatusOr<std::vector<FilterTerm>> terms = ParseFilter(filter);
  if (!terms.ok()) return terms.status();
  store::RoutingLogQuery query;
  for (const FilterTerm& term : *terms) {
    const bool eq = term.op == "=";
    if (term.field == "pcn" && eq) {
      query.pcn_code = term.value;
    } else if (term.field == "practice" && eq) {
      query.practice_code = term.value;
    } else if (term.field == "rule" && eq) {
      query.rule = term.value;
    } else if (term.field == "source_type" && eq) {
      absl::StatusOr<int> v =
          EnumValue<sprout::v1::SourceType>(term, "SOURCE_TYPE_", sprout::v1::SourceType_Parse);
      if (!v.ok()) return v.status();
      query.source_type = *v;
    } else if (term.field == "outcome" && eq) {
      absl::StatusOr<int> v = EnumValue<sprout::v1::RoutingOutcome>(
          term, "ROUTING_OUTCOME_", sprout::v1::RoutingOutcome_Parse);
      if (!v.ok()) return v.status();
      query.outcome = *v;
    } else if (term.field == "reason" && (eq || term.op == "<<")) {
      absl::StatusOr<uint64_t> id = snomed::ParseSctid(term.value, snomed::kConceptPartitions);
      if (!id.ok()) return TermError(term, id.status().message());
      query.reason_any_of.push_back(*id);
      if (term.op == "<<") {
        for (uint64_t d : terminology.Descendants(*id)) query.reason_any_of.push_back(d);
      }
    } else if (IsDecideTimeTerm(term)) {
      absl::Status applied = ApplyDecideTimeTerm(term, &query);
      if (!applied.ok()) return applied;
    } else {
      return UnsupportedFilterTerm(term, kAccepted);
    }
  }
  return query;
}

}  // namespace sprout::api
