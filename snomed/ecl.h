// File: snomed/ecl.h
//
// SNOMED CT Expression Constraint Language (ECL 2.x subset): parse once, then
// evaluate to a concept set, count, or test one concept without expanding.
//
//   SPROUT_ASSIGN_OR_RETURN(Ecl binding, Ecl::Parse("<< 404684003 |Clinical finding|"));
//   bool ok = binding.Matches(*terminology, 267076002);        // routing / code binding
//   std::vector<uint64_t> ids = binding.Evaluate(*terminology);  // sorted SCTIDs
//
// Supported: self, < << <! <<! > >> >! >>! (and the long forms descendantOf,
// descendantOrSelfOf, childOf, childOrSelfOf, ancestorOf, ancestorOrSelfOf,
// parentOf, parentOrSelfOf), ^ memberOf, * wildcard, AND / OR / MINUS (and ','
// for AND; mixing operators needs parentheses), parentheses, |terms|,
// refinements over active inferred relationships with attribute groups { },
// cardinality [m..n] / [m..*], = and !=, reverse attributes (R), dotted
// attributes (x . attr), and description filters
// {{ term = "word prefixes" / match:"..." / wild:"gluc*", type = syn|fsn|def,
// language = en }} (filters may be repeated; in one block they are ANDed and
// must hold for the same active description).
//
// Results: hierarchy operators and * yield active concepts only; a bare
// concept or ^ refset yields what is named (possibly inactive). Concept ids
// absent from the release match nothing (see UnknownConcepts to validate).
//
// An Ecl is immutable and thread-safe; it holds no reference to a Terminology.
#ifndef SPROUT_SNOMED_ECL_H_
#define SPROUT_SNOMED_ECL_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "snomed/terminology.h"

namespace sprout::snomed {

namespace ecl {
struct Expr;
}

class Ecl {
 public:
  // Parse()
  //
  // Parses `text`. On a syntax error returns INVALID_ARGUMENT with the 1-based
  // column and what was expected, e.g.
  //   "ECL syntax error at column 4: expected a concept id, '*', '^' or '(', found 'x'"
  // Concept ids are fully validated (Verhoeff, concept partition).
  static absl::StatusOr<Ecl> Parse(absl::string_view text);

  const std::string& text() const { return text_; }

  // Evaluate()
  //
  // The concepts satisfying the expression, as sorted SCTIDs.
  std::vector<uint64_t> Evaluate(const Terminology& t) const;
  // As Evaluate, as sorted concept indexes of `t`.
  std::vector<uint32_t> EvaluateIndexes(const Terminology& t) const;

  // Count()
  //
  // The size of Evaluate(t); a plain hierarchy constraint is counted from
  // the closure without materialising the set.
  size_t Count(const Terminology& t) const;

  // Matches()
  //
  // True iff `concept_id` is in Evaluate(t), decided for that one concept
  // (subsumption tests and the concept's own relationships) without expanding
  // the expression wherever the expression allows.
  bool Matches(const Terminology& t, uint64_t concept_id) const;
  bool MatchesIndex(const Terminology& t, uint32_t concept_index) const;

  // UnknownConcepts()
  //
  // The concept ids named in the expression that `t` does not contain, sorted.
  // Use it to reject a routing rule or binding that names a missing concept.
  std::vector<uint64_t> UnknownConcepts(const Terminology& t) const;

 private:
  Ecl(std::string text, std::shared_ptr<const ecl::Expr> root)
      : text_(std::move(text)), root_(std::move(root)) {}

  std::string text_;
  std::shared_ptr<const ecl::Expr> root_;
};

}  // namespace sprout::snomed

#endif  // SPROUT_SNOMED_ECL_H_
