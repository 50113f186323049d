// File: server/routing/concept_predicate.h
//
// The seam between routing and the terminology engine. Routing rules and link
// worker specialisms are written in ECL; routing never evaluates ECL itself. At
// policy or directory load each expression is compiled once, through a
// ConceptPredicateCompiler the server binds to the SNOMED engine, into a
// ConceptPredicate that answers "is this concept in the set?".
//
//   SPROUT_ASSIGN_OR_RETURN(std::unique_ptr<ConceptPredicate> p,
//                           compiler.Compile("<< 267076002"));
//   if (p->Matches(reason_id)) ...
#ifndef SPROUT_SERVER_ROUTING_CONCEPT_PREDICATE_H_
#define SPROUT_SERVER_ROUTING_CONCEPT_PREDICATE_H_

#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sprout::routing {

// A compiled concept set. Immutable; Matches() is thread-safe and must be cheap
// (it runs once per reason per rule on every routing decision).
class ConceptPredicate {
 public:
  virtual ~ConceptPredicate() = default;
  // Returns true if `concept_id` is a member of the set.
  virtual bool Matches(uint64_t concept_id) const = 0;
};

// Compiles ECL text into predicates. Thread-safe.
class ConceptPredicateCompiler {
 public:
  virtual ~ConceptPredicateCompiler() = default;
  // Compile()
  //
  // On success returns a predicate that stays valid independently of the
  // compiler. On a syntax or semantic error returns INVALID_ARGUMENT whose message
  // names the position in `ecl` (routing passes the message through verbatim,
  // prefixed with the rule or link worker that owns the expression).
  virtual absl::StatusOr<std::unique_ptr<ConceptPredicate>> Compile(
      absl::string_view ecl) const = 0;
};

}  // namespace sprout::routing

#endif  // SPROUT_SERVER_ROUTING_CONCEPT_PREDICATE_H_
