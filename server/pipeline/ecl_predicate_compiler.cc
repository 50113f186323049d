#include "server/pipeline/ecl_predicate_compiler.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "snomed/ecl.h"

namespace sprout::pipeline {
namespace {

class EclPredicate final : public routing::ConceptPredicate {
 public:
  EclPredicate(snomed::Ecl ecl, std::shared_ptr<const snomed::Terminology> terminology)
      : ecl_(std::move(ecl)), terminology_(std::move(terminology)) {}

  bool Matches(uint64_t concept_id) const override {
    return ecl_.Matches(*terminology_, concept_id);
  }

 private:
  const snomed::Ecl ecl_;
  const std::shared_ptr<const snomed::Terminology> terminology_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<routing::ConceptPredicate>> EclPredicateCompiler::Compile(
    absl::string_view ecl) const {
  absl::StatusOr<snomed::Ecl> parsed = snomed::Ecl::Parse(ecl);
  if (!parsed.ok()) return parsed.status();
  std::shared_ptr<const snomed::Terminology> terminology = terminology_->Get();
  std::vector<uint64_t> unknown = parsed->UnknownConcepts(*terminology);
  if (!unknown.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("ECL names concept(s) not in the loaded release ",
                     terminology->release().identity, ": ", absl::StrJoin(unknown, ", ")));
  }
  return std::make_unique<EclPredicate>(*std::move(parsed), std::move(terminology));
}

}  // namespace sprout::pipeline
