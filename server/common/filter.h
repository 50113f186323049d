// A parser for the subset of AIP-160 filters Sprout's List/Query methods take:
// comparisons joined by AND.
//
//   pcn = "U00001" AND reason << 267076002 AND decide_time >= "2026-01-01T00:00:00Z"
//
// Grammar:  filter := term { "AND" term } ;  term := field op value
//           op := "=" | "!=" | "<" | "<=" | ">" | ">=" | "<<"
//           value := "double-quoted string" | bare word (letters, digits, _ - . :)
// Which fields and operators a method accepts is checked by the method.
#ifndef SPROUT_SERVER_COMMON_FILTER_H_
#define SPROUT_SERVER_COMMON_FILTER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sprout {

struct FilterTerm {
  std::string field;
  std::string op;
  std::string value;
  int column = 0;  // 1-based position of the term in the filter, for errors
};

// The longest filter, and the most terms, ParseFilter accepts: far beyond any
// useful query, and they keep a request's filter cheap to parse and to run.
inline constexpr size_t kMaxFilterLength = 2048;
inline constexpr size_t kMaxFilterTerms = 16;

// ParseFilter()
//
// Returns the terms in order (empty for an empty or all-blank filter), or
// INVALID_ARGUMENT with a BadRequest on field "filter" that names the column
// and what was expected, e.g. "column 12: expected an operator (=, !=, <, <=,
// >, >=, <<) after \"pcn\"", or that a limit above was passed.
absl::StatusOr<std::vector<FilterTerm>> ParseFilter(absl::string_view filter);

// INVALID_ARGUMENT on field "filter" for a term the method does not accept.
absl::Status UnsupportedFilterTerm(const FilterTerm& term, absl::string_view accepted);

}  // namespace sprout

#endif  // SPROUT_SERVER_COMMON_FILTER_H_
