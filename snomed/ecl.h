// File: snomed/ecl.h
//
// SNOMED CT Expression Constraint Language (ECL 2.2): parse once, then
// evaluate to a concept set, count, or test one concept without expanding.
//
//   SPROUT_ASSIGN_OR_RETURN(Ecl binding, Ecl::Parse("<< 404684003 |Clinical finding|"));
//   bool ok = binding.Matches(*terminology, 267076002);        // routing / code binding
//   std::vector<uint64_t> ids = binding.Evaluate(*terminology);  // sorted SCTIDs
//
// Supported (snomed/README.md has the table, with examples):
//  - self, < << <! <<! > >> >! >>! and their long forms (descendantOf ...),
//    top !!> and bottom !!<, ^ memberOf, * wildcard, AND / OR / MINUS (and ','
//    for AND; mixing operators needs parentheses), parentheses, |terms|,
//    comments;
//  - concept references by SCTID or alternate identifier: scheme#code
//    (http://snomed.info/sct#SCTID, or a scheme named by its concept's term,
//    resolved through the release's sct2_Identifier file);
//  - refinements over active inferred relationships with attribute groups
//    { }, cardinality [m..n], = and !=, reverse attributes (R), dotted
//    attributes (x . attr), and concrete values (#500, #0.5, "text" with =,
//    !=, <, <=, >, >=) from sct2_RelationshipConcreteValues;
//  - description filters {{ D term = "word prefixes" / match: / wild:, type,
//    typeId, language, dialect = en-gb (prefer) / dialectId, preferredIn,
//    acceptableIn, languageRefSetId, moduleId, effectiveTime, active, id }}
//    (one block's conditions hold for the same description; descriptions
//    are active unless `active` says otherwise);
//  - concept filters {{ C active, definitionStatus(Id), moduleId,
//    effectiveTime }};
//  - member filters ^ refset {{ M targetComponentId / valueId /
//    referencedComponentId / refsetId = constraint, moduleId, effectiveTime,
//    active }} (active rows unless `active` says otherwise) and field
//    selection ^ [targetComponentId, ...] refset / ^ [*] refset, which
//    yields the concepts in the concept-valued fields selected;
//  - history supplements {{ +HISTORY-MIN }} (SAME AS), -MOD (+ REPLACED BY,
//    WAS A, PARTIALLY EQUIVALENT TO), -MAX / +HISTORY (every association),
//    {{ +HISTORY (refsets) }}: adds the inactive concepts associated with a
//    member of the set.
// Not supported, refused with a parse error saying so: boolean concrete
// values, comparisons of string-valued member fields (mapTarget ...),
// selecting fields that are not concepts (id, effectiveTime, active,
// mapTarget); language refset members (descriptions) are not members for ^.
//
// Results: hierarchy operators and * yield active concepts only; a bare
// concept, ^ refset or a history supplement can yield inactive ones.
// Concept ids absent from the release match nothing (see UnknownConcepts
// and UnknownAlternateIdentifiers to validate). Filter comparands (modules,
// definition statuses, refsets) are compared as ids, so they need not be
// concepts of the release unless given as a constraint.
//
// Matches() decides one concept from its own rows (subsumption, its
// relationships, descriptions, history) wherever it can; member filters,
// field selection, top/bottom and upward operators evaluate the sets they
// need once per call.
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

// Limits on the work one expression may cause. An expression from a request
// is untrusted: these bound the parser's and the evaluator's recursion (so no
// input can exhaust a thread's stack), their memory and their CPU time.
// Configured expressions (routing rules, bindings) use the same defaults.
struct EclLimits {
  // Longest expression, in bytes. Default 32768 (1000 codes with terms).
  size_t max_length = 32768;
  // Deepest nesting of ( ), ^ ( ), refinements, attribute groups, filter
  // blocks {{ }} (their comparands are constraints) and dotted
  // attributes. Each level costs a few hundred bytes of stack. Default 64.
  int max_depth = 64;
  // Most constraints (concept ids, *, ^, nested expressions) in one
  // expression. Default 2000.
  int max_operands = 2000;
  // Most evaluation steps (a concept visited, a relationship or description
  // tested) of one *Bounded call: about 10-20 ns each, so the default of
  // 50M bounds one evaluation to well under a second of CPU.
  uint64_t max_cost = 50'000'000;
};

class Ecl {
 public:
  // Parse()
  //
  // Parses `text`. On a syntax error returns INVALID_ARGUMENT with the 1-based
  // column and what was expected, e.g.
  //   "ECL syntax error at column 4: expected a concept id, '*', '^' or '(', found 'x'"
  // Concept ids are fully validated (Verhoeff, concept partition). An
  // expression over one of `limits` is INVALID_ARGUMENT naming the limit and
  // the column where it was passed, e.g.
  //   "ECL limit exceeded at column 129: nesting deeper than 64 levels (max_depth)"
  static absl::StatusOr<Ecl> Parse(absl::string_view text, const EclLimits& limits = {});

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

  // EvaluateBounded(), EvaluateIndexesBounded(), MatchesBounded()
  //
  // As Evaluate, EvaluateIndexes and Matches, but stop once the evaluation has
  // taken more than the max_cost steps of the limits given to Parse, and then
  // return INVALID_ARGUMENT naming the limit and the column of the
  // constraint being evaluated. Use these for expressions from requests.
  absl::StatusOr<std::vector<uint64_t>> EvaluateBounded(const Terminology& t) const;
  absl::StatusOr<std::vector<uint32_t>> EvaluateIndexesBounded(const Terminology& t) const;
  absl::StatusOr<bool> MatchesBounded(const Terminology& t, uint64_t concept_id) const;

  // UnknownConcepts()
  //
  // The concept ids named in the expression that `t` does not contain, sorted.
  // Use it to reject a routing rule or binding that names a missing concept.
  std::vector<uint64_t> UnknownConcepts(const Terminology& t) const;

  // UnknownAlternateIdentifiers()
  //
  // The alternate identifiers (scheme#code, as written) that name no concept
  // of `t`: an unknown scheme alias, or a code the identifier file does not
  // hold. Sorted. They match nothing when evaluated.
  std::vector<std::string> UnknownAlternateIdentifiers(const Terminology& t) const;

 private:
  Ecl(std::string text, std::shared_ptr<const ecl::Expr> root, uint64_t max_cost)
      : text_(std::move(text)), root_(std::move(root)), max_cost_(max_cost) {}

  std::string text_;
  std::shared_ptr<const ecl::Expr> root_;
  uint64_t max_cost_;  // EclLimits::max_cost at Parse
};

}  // namespace sprout::snomed

#endif  // SPROUT_SNOMED_ECL_H_
