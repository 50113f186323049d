// Shared set-up for the router tests: the small directory (test_directory.h)
// plus lw-b2 in Beta (available from 2025-01-01), and a policy built in code.
#ifndef SPROUT_TESTS_SERVER_ROUTING_ROUTER_TEST_UTIL_H_
#define SPROUT_TESTS_SERVER_ROUTING_ROUTER_TEST_UTIL_H_

#include "server/routing/routing_policy.h"
#include "tests/server/routing/fake_concepts.h"
#include "tests/server/routing/test_directory.h"

namespace sprout::routing::testing {

inline DirectorySources RouterSources() {
  DirectorySources s = SmallSources();
  s.link_workers.content += "lw-b2,U00002,Beta 2,1.0,,,,en,,20250101,\n";
  return s;
}

inline RuleSpec MakeRule(std::string name, ActionKind action, std::string target = "") {
  RuleSpec r;
  r.name = std::move(name);
  r.action = action;
  r.target = std::move(target);
  return r;
}

// Rules, in order:
//  1 police-safeguarding-triage  police + flag << 707087005 -> triage, urgent
//  2 vulnerable-urgent           flag << 417430008 -> default, urgent
//  3 lonely-any-specialism       reasons << 267076002 -> any specialism covering a reason
//  4 housing                     reasons << 81877007 -> specialism "housing"
//  5 debt                        reasons << 160932005 -> specialism "debt"
//  6 vcse-to-beta                source VCSE -> PCN U00002
//  7 pharmacy-named-worker       source community pharmacy -> lw-a2
//  8 older-discharge-urgent      hospital discharge, age >= 75 -> default, urgent
//  9 beta-jobcentre-triage       job centre, PCN U00002 -> triage
// Default triage queue: 01B.
inline PolicySpec TestPolicySpec() {
  PolicySpec p;
  p.name = "test-policy";
  p.default_triage_sub_icb_location = "01B";
  RuleSpec police = MakeRule("police-safeguarding-triage", ActionKind::kSendToTriage);
  police.source_types = {SourceType::kPolice};
  police.safeguarding = SafeguardingCondition::kPresent;
  police.safeguarding_ecl = "<< 707087005";
  police.raise_to_urgent = true;
  p.rules.push_back(police);
  RuleSpec vulnerable = MakeRule("vulnerable-urgent", ActionKind::kDefault);
  vulnerable.safeguarding = SafeguardingCondition::kPresent;
  vulnerable.safeguarding_ecl = "<< 417430008";
  vulnerable.raise_to_urgent = true;
  p.rules.push_back(vulnerable);
  RuleSpec lonely = MakeRule("lonely-any-specialism", ActionKind::kPreferSpecialism);
  lonely.reasons_ecl = "<< 267076002";
  p.rules.push_back(lonely);
  RuleSpec housing = MakeRule("housing", ActionKind::kPreferSpecialism, "housing");
  housing.reasons_ecl = "<< 81877007";
  p.rules.push_back(housing);
  RuleSpec debt = MakeRule("debt", ActionKind::kPreferSpecialism, "debt");
  debt.reasons_ecl = "<< 160932005";
  p.rules.push_back(debt);
  RuleSpec vcse = MakeRule("vcse-to-beta", ActionKind::kRouteToPcn, "U00002");
  vcse.source_types = {SourceType::kVcse};
  p.rules.push_back(vcse);
  RuleSpec pharmacy = MakeRule("pharmacy-named-worker", ActionKind::kAssignLinkWorker, "lw-a2");
  pharmacy.source_types = {SourceType::kCommunityPharmacy};
  p.rules.push_back(pharmacy);
  RuleSpec discharge = MakeRule("older-discharge-urgent", ActionKind::kDefault);
  discharge.source_types = {SourceType::kHospitalDischarge};
  discharge.min_age = 75;
  discharge.raise_to_urgent = true;
  p.rules.push_back(discharge);
  RuleSpec jobcentre = MakeRule("beta-jobcentre-triage", ActionKind::kSendToTriage);
  jobcentre.source_types = {SourceType::kJobCentre};
  jobcentre.pcns = {"U00002"};
  p.rules.push_back(jobcentre);
  return p;
}

}  // namespace sprout::routing::testing

#endif  // SPROUT_TESTS_SERVER_ROUTING_ROUTER_TEST_UTIL_H_
