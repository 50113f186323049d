#include "server/routing/routing_policy.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace sprout::routing {
namespace {

std::string RuleLabel(int position, absl::string_view name) {
  return absl::StrCat("rule ", position, " '", name, "'");
}

absl::Status RuleError(int position, absl::string_view name, absl::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat(RuleLabel(position, name), ": ", message));
}

bool IsLowerTag(absl::string_view tag) {
  if (tag.size() < 2) return false;
  for (char c : tag) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

absl::StatusOr<std::shared_ptr<const ConceptPredicate>> CompileField(
    const ConceptPredicateCompiler& compiler, int position, absl::string_view name,
    absl::string_view field, absl::string_view ecl) {
  absl::StatusOr<std::unique_ptr<ConceptPredicate>> predicate = compiler.Compile(ecl);
  if (!predicate.ok()) {
    return RuleError(position, name, absl::StrCat(field, ": ", predicate.status().message()));
  }
  return std::shared_ptr<const ConceptPredicate>(std::move(*predicate));
}

}  // namespace

absl::StatusOr<std::shared_ptr<const RoutingPolicy>> RoutingPolicy::Create(
    PolicySpec spec, const ConceptPredicateCompiler& compiler) {
  std::shared_ptr<RoutingPolicy> policy(new RoutingPolicy());
  policy->name_ = std::move(spec.name);
  policy->version_ = std::move(spec.version);
  policy->default_triage_ = std::move(spec.default_triage_sub_icb_location);
  if (policy->default_triage_.empty()) {
    return absl::InvalidArgumentError(
        "routing policy: default_triage_sub_icb_location must be set");
  }
  absl::flat_hash_set<std::string> names;
  int position = 0;
  for (RuleSpec& rule_spec : spec.rules) {
    ++position;
    const std::string& name = rule_spec.name;
    if (name.empty()) return RuleError(position, name, "name must not be empty");
    if (!names.insert(name).second) return RuleError(position, name, "duplicate rule name");
    Rule rule;
    rule.position = position;
    if (!rule_spec.reasons_ecl.empty()) {
      absl::StatusOr<std::shared_ptr<const ConceptPredicate>> p =
          CompileField(compiler, position, name, "reasons_ecl", rule_spec.reasons_ecl);
      if (!p.ok()) return p.status();
      rule.reasons = *std::move(p);
    }
    if (!rule_spec.safeguarding_ecl.empty()) {
      if (rule_spec.safeguarding != SafeguardingCondition::kPresent) {
        return RuleError(position, name,
                         "safeguarding_ecl needs safeguarding: SAFEGUARDING_CONDITION_PRESENT");
      }
      absl::StatusOr<std::shared_ptr<const ConceptPredicate>> p =
          CompileField(compiler, position, name, "safeguarding_ecl", rule_spec.safeguarding_ecl);
      if (!p.ok()) return p.status();
      rule.safeguarding = *std::move(p);
    }
    for (SourceType t : rule_spec.source_types) {
      if (t == SourceType::kUnspecified) {
        return RuleError(position, name, "source_types: SOURCE_TYPE_UNSPECIFIED is not a source");
      }
      if (static_cast<int>(t) < 0 || static_cast<int>(t) > kMaxSourceType) {
        return RuleError(
            position, name,
            absl::StrCat("source_types: ", static_cast<int>(t), " is not a known source type"));
      }
    }
    for (Priority p : rule_spec.priorities) {
      if (p != Priority::kRoutine && p != Priority::kUrgent) {
        return RuleError(
            position, name,
            p == Priority::kUnspecified
                ? std::string("priorities: PRIORITY_UNSPECIFIED is not a priority")
                : absl::StrCat("priorities: ", static_cast<int>(p), " is not a known priority"));
      }
    }
    if ((rule_spec.min_age && *rule_spec.min_age < 0) ||
        (rule_spec.max_age && *rule_spec.max_age < 0)) {
      return RuleError(position, name, "age bounds must not be negative");
    }
    if (rule_spec.min_age && rule_spec.max_age && *rule_spec.max_age < *rule_spec.min_age) {
      return RuleError(
          position, name,
          absl::StrCat("max_age ", *rule_spec.max_age, " is below min_age ", *rule_spec.min_age));
    }
    for (const std::string& lang : rule_spec.languages) {
      if (!IsLowerTag(lang)) {
        return RuleError(position, name,
                         absl::StrCat("languages: '", lang, "' is not a lower-case language tag"));
      }
    }
    const bool needs_target = rule_spec.action == ActionKind::kAssignLinkWorker ||
                              rule_spec.action == ActionKind::kRouteToPcn;
    if (needs_target && rule_spec.target.empty()) {
      return RuleError(position, name, "the action names no target");
    }
    rule.spec = std::move(rule_spec);
    policy->rules_.push_back(std::move(rule));
  }
  return std::shared_ptr<const RoutingPolicy>(std::move(policy));
}

absl::Status RoutingPolicy::ValidateAgainst(const Directory& directory) const {
  if (directory.FindSubIcbLocation(default_triage_) == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("routing policy: default_triage_sub_icb_location '", default_triage_,
                     "' is not a Sub-ICB Location in the directory"));
  }
  for (const Rule& rule : rules_) {
    const RuleSpec& s = rule.spec;
    for (const std::string& pcn : s.pcns) {
      if (directory.FindPcn(pcn) == nullptr) {
        return RuleError(rule.position, s.name, absl::StrCat("pcns: unknown PCN '", pcn, "'"));
      }
    }
    switch (s.action) {
      case ActionKind::kRouteToPcn:
        if (directory.FindPcn(s.target) == nullptr) {
          return RuleError(rule.position, s.name,
                           absl::StrCat("route_to_pcn: unknown PCN '", s.target, "'"));
        }
        break;
      case ActionKind::kAssignLinkWorker:
        if (directory.FindLinkWorker(s.target) == nullptr) {
          return RuleError(
              rule.position, s.name,
              absl::StrCat("assign_link_worker: unknown link worker '", s.target, "'"));
        }
        break;
      case ActionKind::kPreferSpecialism: {
        if (s.target.empty()) break;
        const auto& workers = directory.link_workers();
        const bool found = std::any_of(workers.begin(), workers.end(), [&](const LinkWorker& w) {
          return w.FindSpecialism(s.target) != nullptr;
        });
        if (!found) {
          return RuleError(
              rule.position, s.name,
              absl::StrCat("prefer_specialism: no link worker has specialism '", s.target, "'"));
        }
        break;
      }
      case ActionKind::kDefault:
      case ActionKind::kSendToTriage:
        break;
    }
  }
  return absl::OkStatus();
}

RuleMatch RoutingPolicy::Evaluate(const Rule& rule, const RoutingRequest& request,
                                  absl::string_view pcn_code) const {
  const RuleSpec& s = rule.spec;
  std::vector<std::string> held;
  if (rule.reasons != nullptr) {
    auto it = std::find_if(request.reasons.begin(), request.reasons.end(),
                           [&](uint64_t id) { return rule.reasons->Matches(id); });
    if (it == request.reasons.end()) {
      return {false, absl::StrCat("no reason is in ", s.reasons_ecl)};
    }
    held.push_back(absl::StrCat("reason ", *it, " is in ", s.reasons_ecl));
  }
  if (!s.source_types.empty()) {
    if (std::find(s.source_types.begin(), s.source_types.end(), request.source_type) ==
        s.source_types.end()) {
      return {false,
              absl::StrCat("source ", SourceTypeName(request.source_type), " is not listed")};
    }
    held.push_back(absl::StrCat("source ", SourceTypeName(request.source_type)));
  }
  if (!s.priorities.empty()) {
    if (std::find(s.priorities.begin(), s.priorities.end(), request.priority) ==
        s.priorities.end()) {
      return {false, absl::StrCat("priority ", PriorityName(request.priority), " is not listed")};
    }
    held.push_back(absl::StrCat("priority ", PriorityName(request.priority)));
  }
  if (s.min_age || s.max_age) {
    if (!request.age_years) return {false, "age unknown and the rule has an age bound"};
    const int age = *request.age_years;
    if (s.min_age && age < *s.min_age) {
      return {false, absl::StrCat("age ", age, " is below the minimum ", *s.min_age)};
    }
    if (s.max_age && age > *s.max_age) {
      return {false, absl::StrCat("age ", age, " is above the maximum ", *s.max_age)};
    }
    held.push_back(absl::StrCat("age ", age, " in range"));
  }
  if (!s.languages.empty()) {
    if (!request.language ||
        std::find(s.languages.begin(), s.languages.end(), *request.language) == s.languages.end()) {
      return {false,
              absl::StrCat("preferred language ", request.language ? *request.language : "(none)",
                           " is not listed")};
    }
    held.push_back(absl::StrCat("language ", *request.language));
  }
  switch (s.safeguarding) {
    case SafeguardingCondition::kAny:
      break;
    case SafeguardingCondition::kAbsent:
      if (!request.safeguarding_flags.empty()) return {false, "safeguarding flags are present"};
      held.push_back("no safeguarding flags");
      break;
    case SafeguardingCondition::kPresent: {
      auto it = std::find_if(
          request.safeguarding_flags.begin(), request.safeguarding_flags.end(), [&](uint64_t id) {
            return rule.safeguarding == nullptr || rule.safeguarding->Matches(id);
          });
      if (it == request.safeguarding_flags.end()) {
        return {false, rule.safeguarding == nullptr
                           ? std::string("no safeguarding flag")
                           : absl::StrCat("no safeguarding flag is in ", s.safeguarding_ecl)};
      }
      held.push_back(absl::StrCat("safeguarding flag ", *it));
      break;
    }
  }
  if (!s.pcns.empty()) {
    if (std::find(s.pcns.begin(), s.pcns.end(), pcn_code) == s.pcns.end()) {
      return {false,
              absl::StrCat("PCN ", pcn_code.empty() ? "(none)" : pcn_code, " is not listed")};
    }
    held.push_back(absl::StrCat("PCN ", pcn_code));
  }
  return {true, held.empty() ? std::string("no conditions")
                             : absl::StrCat("all conditions hold: ", absl::StrJoin(held, "; "))};
}

}  // namespace sprout::routing
