// A ConceptPredicateCompiler for tests: understands "id", "< id", "<< id" joined
// by OR, over a small hand-written is-a hierarchy. It stands in for the ECL
// engine, which the server binds in production.
#ifndef SPROUT_TESTS_SERVER_ROUTING_FAKE_CONCEPTS_H_
#define SPROUT_TESTS_SERVER_ROUTING_FAKE_CONCEPTS_H_

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "server/routing/concept_predicate.h"

namespace sprout::routing::testing {

// Reason and flag ids used by the tests (DOMAIN.md §1.4, §1.6).
inline constexpr uint64_t kFeelingLonely = 267076002;
inline constexpr uint64_t kSocialIsolation = 422650009;
inline constexpr uint64_t kFinancialProblem = 160932005;
inline constexpr uint64_t kHousingProblems = 81877007;
inline constexpr uint64_t kHousingUnsatisfactory = 105531004;
inline constexpr uint64_t kHomeless = 32911000;
inline constexpr uint64_t kDepressedMood = 366979004;
inline constexpr uint64_t kAnxiety = 48694002;
inline constexpr uint64_t kUnemployed = 73438004;
inline constexpr uint64_t kWidowed = 33553000;
inline constexpr uint64_t kSocialProblem = 161152002;
inline constexpr uint64_t kAtRiskOfDomesticViolence = 707087005;
inline constexpr uint64_t kVulnerableAdult = 417430008;
inline constexpr uint64_t kAdultSafeguardingConcern = 766561000000109;

class FakeConceptCompiler : public ConceptPredicateCompiler {
 public:
  FakeConceptCompiler() {
    // A test hierarchy (child -> parent), not a claim about SNOMED CT.
    parents_[kHousingUnsatisfactory] = {kHousingProblems};
    parents_[kHousingProblems] = {kSocialProblem};
    parents_[kFinancialProblem] = {kSocialProblem};
    parents_[kFeelingLonely] = {kSocialProblem};
  }

  absl::StatusOr<std::unique_ptr<ConceptPredicate>> Compile(absl::string_view ecl) const override {
    std::vector<std::pair<int, uint64_t>> terms;  // (0 self, 1 <, 2 <<), id.
    size_t i = 0;
    auto skip = [&] {
      while (i < ecl.size() && ecl[i] == ' ') ++i;
    };
    while (true) {
      skip();
      int op = 0;
      if (ecl.substr(i, 2) == "<<") {
        op = 2;
        i += 2;
      } else if (ecl.substr(i, 1) == "<") {
        op = 1;
        i += 1;
      }
      skip();
      const size_t start = i;
      while (i < ecl.size() && absl::ascii_isdigit(ecl[i])) ++i;
      uint64_t id = 0;
      if (i == start || !absl::SimpleAtoi(ecl.substr(start, i - start), &id)) {
        return absl::InvalidArgumentError(
            absl::StrCat("ECL syntax error at position ", start + 1, ": expected a concept id"));
      }
      terms.emplace_back(op, id);
      skip();
      if (i == ecl.size()) break;
      if (ecl.substr(i, 2) != "OR") {
        return absl::InvalidArgumentError(
            absl::StrCat("ECL syntax error at position ", i + 1, ": expected OR"));
      }
      i += 2;
    }
    return std::unique_ptr<ConceptPredicate>(new Predicate(this, std::move(terms)));
  }

 private:
  class Predicate : public ConceptPredicate {
   public:
    Predicate(const FakeConceptCompiler* owner, std::vector<std::pair<int, uint64_t>> terms)
        : parents_(owner->parents_), terms_(std::move(terms)) {}
    bool Matches(uint64_t id) const override {
      for (const auto& [op, target] : terms_) {
        if (op != 1 && id == target) return true;
        if (op != 0 && IsDescendant(id, target)) return true;
      }
      return false;
    }

   private:
    bool IsDescendant(uint64_t id, uint64_t ancestor) const {
      auto it = parents_.find(id);
      if (it == parents_.end()) return false;
      for (uint64_t p : it->second) {
        if (p == ancestor || IsDescendant(p, ancestor)) return true;
      }
      return false;
    }
    absl::flat_hash_map<uint64_t, std::vector<uint64_t>> parents_;
    std::vector<std::pair<int, uint64_t>> terms_;
  };

  absl::flat_hash_map<uint64_t, std::vector<uint64_t>> parents_;
};

}  // namespace sprout::routing::testing

#endif  // SPROUT_TESTS_SERVER_ROUTING_FAKE_CONCEPTS_H_
