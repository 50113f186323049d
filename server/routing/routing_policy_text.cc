#include "server/routing/routing_policy_text.h"

#include <openssl/evp.h>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/read_file.h"
#include "base/text_proto.h"
#include "server/routing/directory_loader.h"

namespace sprout::routing {
namespace {

namespace cfg = ::sprout::config::v1;

SafeguardingCondition FromProto(cfg::SafeguardingCondition c) {
  switch (c) {
    case cfg::SAFEGUARDING_CONDITION_PRESENT:
      return SafeguardingCondition::kPresent;
    case cfg::SAFEGUARDING_CONDITION_ABSENT:
      return SafeguardingCondition::kAbsent;
    default:
      return SafeguardingCondition::kAny;
  }
}

}  // namespace

absl::StatusOr<PolicySpec> PolicySpecFromProto(const cfg::RoutingPolicy& proto) {
  PolicySpec spec;
  spec.name = proto.name();
  spec.default_triage_sub_icb_location = proto.default_triage_sub_icb_location();
  int position = 0;
  for (const cfg::Rule& r : proto.rules()) {
    ++position;
    RuleSpec rule;
    rule.name = r.name();
    rule.description = r.description();
    const cfg::Conditions& w = r.when();
    rule.reasons_ecl = w.reasons_ecl();
    for (int t : w.source_types()) rule.source_types.push_back(static_cast<SourceType>(t));
    for (int p : w.priorities()) rule.priorities.push_back(static_cast<Priority>(p));
    if (w.has_min_age()) rule.min_age = w.min_age();
    if (w.has_max_age()) rule.max_age = w.max_age();
    rule.languages.assign(w.languages().begin(), w.languages().end());
    if (!cfg::SafeguardingCondition_IsValid(w.safeguarding())) {
      return absl::InvalidArgumentError(absl::StrCat("rule ", position, " '", r.name(),
                                                     "': safeguarding: ", w.safeguarding(),
                                                     " is not a known condition"));
    }
    rule.safeguarding = FromProto(w.safeguarding());
    rule.safeguarding_ecl = w.safeguarding_ecl();
    rule.pcns.assign(w.pcns().begin(), w.pcns().end());
    const cfg::Action& a = r.then();
    switch (a.kind_case()) {
      case cfg::Action::kPreferSpecialism:
        rule.action = ActionKind::kPreferSpecialism;
        rule.target = a.prefer_specialism();
        break;
      case cfg::Action::kAssignLinkWorker:
        rule.action = ActionKind::kAssignLinkWorker;
        rule.target = a.assign_link_worker();
        break;
      case cfg::Action::kRouteToPcn:
        rule.action = ActionKind::kRouteToPcn;
        rule.target = a.route_to_pcn();
        break;
      case cfg::Action::kSendToTriage:
        rule.action = ActionKind::kSendToTriage;
        break;
      case cfg::Action::kDefaultChoice:
        rule.action = ActionKind::kDefault;
        break;
      case cfg::Action::KIND_NOT_SET:
        return absl::InvalidArgumentError(
            absl::StrCat("rule ", position, " '", r.name(),
                         "': then: set one action (prefer_specialism, assign_link_worker, "
                         "route_to_pcn, send_to_triage or default_choice)"));
    }
    rule.raise_to_urgent = a.raise_to_urgent();
    spec.rules.push_back(std::move(rule));
  }
  return spec;
}

std::string PolicyVersionOf(absl::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
    return "";
  }
  return absl::StrCat("sha256:", absl::BytesToHexString(absl::string_view(
                                     reinterpret_cast<const char*>(digest), length)));
}

absl::StatusOr<PolicySpec> ParseRoutingPolicyText(absl::string_view text,
                                                  absl::string_view filename) {
  cfg::RoutingPolicy proto;
  absl::Status parsed = ParseTextProto(text, filename, &proto);
  if (!parsed.ok()) return parsed;
  return PolicySpecFromProto(proto);
}

absl::StatusOr<std::shared_ptr<const RoutingPolicy>> LoadRoutingPolicy(
    const std::string& path, const ConceptPredicateCompiler& compiler) {
  absl::StatusOr<std::string> text = ReadFileToString(path);
  if (!text.ok()) return text.status();
  absl::StatusOr<PolicySpec> spec = ParseRoutingPolicyText(*text, path);
  if (!spec.ok()) {
    if (absl::StartsWith(spec.status().message(), path)) return spec.status();
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", spec.status().message()));
  }
  spec->version = PolicyVersionOf(*text);
  absl::StatusOr<std::shared_ptr<const RoutingPolicy>> policy =
      RoutingPolicy::Create(*std::move(spec), compiler);
  if (!policy.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", policy.status().message()));
  }
  return policy;
}

}  // namespace sprout::routing
