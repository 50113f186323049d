// File: server/routing/routing_policy.h
//
// The validated routing policy: ordered rules with compiled ECL. Built from a
// PolicySpec (plain data, filled from protobuf text by routing_policy_text.h or
// in code by tests) by RoutingPolicy::Create(), which compiles every ECL
// expression once; ValidateAgainst() checks the PCNs, link workers and Sub-ICB
// Location it names exist in a directory.
//
//   SPROUT_ASSIGN_OR_RETURN(PolicySpec spec, ParseRoutingPolicyText(text, path));
//   SPROUT_ASSIGN_OR_RETURN(auto policy, RoutingPolicy::Create(spec, compiler));
//   SPROUT_RETURN_IF_ERROR(policy->ValidateAgainst(*directory));
#ifndef SPROUT_SERVER_ROUTING_ROUTING_POLICY_H_
#define SPROUT_SERVER_ROUTING_ROUTING_POLICY_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "server/routing/concept_predicate.h"
#include "server/routing/directory.h"
#include "server/routing/routing_types.h"

namespace sprout::routing {

enum class SafeguardingCondition { kAny, kPresent, kAbsent };

enum class ActionKind {
  kDefault,           // Least loaded in the resolved PCN.
  kPreferSpecialism,  // target = specialism label, or empty for "covers a reason".
  kAssignLinkWorker,  // target = link worker id.
  kRouteToPcn,        // target = PCN code.
  kSendToTriage,
};

struct RuleSpec {
  std::string name;
  std::string description;
  // Conditions; see sprout.config.v1.Conditions.
  std::string reasons_ecl;
  std::vector<SourceType> source_types;
  std::vector<Priority> priorities;
  std::optional<int> min_age;
  std::optional<int> max_age;
  std::vector<std::string> languages;
  SafeguardingCondition safeguarding = SafeguardingCondition::kAny;
  std::string safeguarding_ecl;
  std::vector<std::string> pcns;
  // Action.
  ActionKind action = ActionKind::kDefault;
  std::string target;
  bool raise_to_urgent = false;
};

struct PolicySpec {
  std::string name;
  // Identifies the policy's source (LoadRoutingPolicy: "sha256:<hex>" of the
  // file), so each decision names the exact rules it used. May be empty.
  std::string version;
  std::string default_triage_sub_icb_location;
  std::vector<RuleSpec> rules;
};

// A rule with its ECL compiled. `position` is 1-based.
struct Rule {
  RuleSpec spec;
  int position = 0;
  std::shared_ptr<const ConceptPredicate> reasons;       // Null: any reasons.
  std::shared_ptr<const ConceptPredicate> safeguarding;  // Null: any flag.
};

// The outcome of testing one rule against one request.
struct RuleMatch {
  bool matched = false;
  std::string detail;  // Why it matched, or the first condition that failed.
};

// An immutable, validated policy. Thread-safe.
class RoutingPolicy {
 public:
  // Create()
  //
  // Compiles the policy. INVALID_ARGUMENT, naming the rule and its position
  // ("rule 3 'debt-advice': reasons_ecl: <compiler message with position>"), when
  // a rule has no or a duplicate name, an ECL expression does not compile, an
  // age bound is negative or inverted, a source type or priority is
  // UNSPECIFIED, safeguarding_ecl is set without SAFEGUARDING_CONDITION_PRESENT,
  // a language tag is not lower case, or an action lacks its target.
  static absl::StatusOr<std::shared_ptr<const RoutingPolicy>> Create(
      PolicySpec spec, const ConceptPredicateCompiler& compiler);

  // ValidateAgainst()
  //
  // INVALID_ARGUMENT naming the rule and position if a PCN (condition or
  // route_to_pcn), link worker or specialism label the policy names is not in
  // `directory`, or the default triage Sub-ICB Location is unknown. Run at
  // start-up and before a directory reload is accepted.
  absl::Status ValidateAgainst(const Directory& directory) const;

  // Tests one rule's conditions. `pcn_code` is the resolved PCN (may be empty).
  RuleMatch Evaluate(const Rule& rule, const RoutingRequest& request,
                     absl::string_view pcn_code) const;

  const std::string& name() const { return name_; }
  const std::string& version() const { return version_; }
  const std::string& default_triage_sub_icb_location() const { return default_triage_; }
  const std::vector<Rule>& rules() const { return rules_; }

 private:
  RoutingPolicy() = default;

  std::string name_;
  std::string version_;
  std::string default_triage_;
  std::vector<Rule> rules_;
};

}  // namespace sprout::routing

#endif  // SPROUT_SERVER_ROUTING_ROUTING_POLICY_H_
