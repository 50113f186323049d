// Binds routing's concept predicates to the SNOMED CT ECL engine.
#ifndef SPROUT_SERVER_PIPELINE_ECL_PREDICATE_COMPILER_H_
#define SPROUT_SERVER_PIPELINE_ECL_PREDICATE_COMPILER_H_

#include <memory>

#include "server/routing/concept_predicate.h"
#include "snomed/terminology_holder.h"

namespace sprout::pipeline {

// Compiles ECL against the terminology current at compile time. A predicate
// keeps that terminology alive, so rules compiled before a terminology reload
// answer from the release they were validated against until the directory
// and policy are reloaded. Thread-safe; `terminology` must outlive it.
class EclPredicateCompiler final : public routing::ConceptPredicateCompiler {
 public:
  explicit EclPredicateCompiler(const snomed::TerminologyHolder* terminology)
      : terminology_(terminology) {}

  // routing::ConceptPredicateCompiler
  //
  // INVALID_ARGUMENT with the ECL parser's column-exact message, or naming
  // the concepts the expression uses that the release does not contain.
  absl::StatusOr<std::unique_ptr<routing::ConceptPredicate>> Compile(
      absl::string_view ecl) const override;

 private:
  const snomed::TerminologyHolder* const terminology_;
};

}  // namespace sprout::pipeline

#endif  // SPROUT_SERVER_PIPELINE_ECL_PREDICATE_COMPILER_H_
