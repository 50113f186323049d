#include "server/routing/routing_policy.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/routing/directory_loader.h"
#include "server/routing/routing_policy_text.h"
#include "tests/server/routing/router_test_util.h"

namespace sprout::routing {
namespace {

using namespace ::sprout::routing::testing;  // NOLINT: test constants.

const char kPolicy[] = R"pb(
  name: "p"
  default_triage_sub_icb_location: "01B"
  rules {
    name: "police-flag"
    when {
      source_types: SOURCE_TYPE_POLICE
      safeguarding: SAFEGUARDING_CONDITION_PRESENT
      safeguarding_ecl: "<< 707087005"
    }
    then { send_to_triage: true raise_to_urgent: true }
  }
  rules {
    name: "debt"
    when { reasons_ecl: "<< 160932005" min_age: 18 languages: "pl" pcns: "U00001" }
    then { prefer_specialism: "debt" }
  }
  rules {
    name: "any"
    then { prefer_specialism: "" }
  }
)pb";

TEST(RoutingPolicyTextTest, ParsesEveryFieldIntoTheSpec) {
  absl::StatusOr<PolicySpec> spec = ParseRoutingPolicyText(kPolicy, "policy.textproto");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->name, "p");
  EXPECT_EQ(spec->default_triage_sub_icb_location, "01B");
  ASSERT_EQ(spec->rules.size(), 3u);
  const RuleSpec& police = spec->rules[0];
  EXPECT_EQ(police.source_types, std::vector<SourceType>{SourceType::kPolice});
  EXPECT_EQ(police.safeguarding, SafeguardingCondition::kPresent);
  EXPECT_EQ(police.action, ActionKind::kSendToTriage);
  EXPECT_TRUE(police.raise_to_urgent);
  const RuleSpec& debt = spec->rules[1];
  EXPECT_EQ(debt.min_age, 18);
  EXPECT_FALSE(debt.max_age.has_value());
  EXPECT_EQ(debt.languages, std::vector<std::string>{"pl"});
  EXPECT_EQ(debt.pcns, std::vector<std::string>{"U00001"});
  EXPECT_EQ(debt.action, ActionKind::kPreferSpecialism);
  EXPECT_EQ(debt.target, "debt");
  EXPECT_EQ(spec->rules[2].action, ActionKind::kPreferSpecialism);
  EXPECT_EQ(spec->rules[2].target, "");
}

struct TextError {
  std::string name;
  std::string text;
  std::string error;
};

class RoutingPolicyTextErrorTest : public ::testing::TestWithParam<TextError> {};

TEST_P(RoutingPolicyTextErrorTest, ParseOrCompileFailsWithExactMessage) {
  FakeConceptCompiler compiler;
  absl::StatusOr<PolicySpec> spec = ParseRoutingPolicyText(GetParam().text, "policy.textproto");
  absl::Status status = spec.status();
  if (spec.ok()) status = RoutingPolicy::Create(*spec, compiler).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(status.message()), GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(
    Bad, RoutingPolicyTextErrorTest,
    ::testing::Values(
        TextError{"UnknownField", "default_triage_sub_icb_location: \"01B\"\nrules { nme: \"x\" }",
                  "policy.textproto:2:12: Message type \"sprout.config.v1.Rule\" has no field "
                  "named \"nme\"."},
        TextError{"UnknownEnumValue",
                  "rules {\n  name: \"x\"\n  when { source_types: SOURCE_TYPE_POSTMAN }\n}",
                  "policy.textproto:3:44: Unknown enumeration value of \"SOURCE_TYPE_POSTMAN\" "
                  "for field \"source_types\"."},
        TextError{"NoAction",
                  "default_triage_sub_icb_location: \"01B\" rules { name: \"a\" then { "
                  "default_choice: true } } "
                  "rules { name: \"b\" when { reasons_ecl: \"<< 1\" } }",
                  "rule 2 'b': then: set one action (prefer_specialism, assign_link_worker, "
                  "route_to_pcn, send_to_triage or default_choice)"},
        TextError{"BadReasonsEcl",
                  "default_triage_sub_icb_location: \"01B\" rules { name: \"ok\" then { "
                  "default_choice: true } } rules { name: \"debt\" when { reasons_ecl: \"<< "
                  "16093200X\" } then { default_choice: true } }",
                  "rule 2 'debt': reasons_ecl: ECL syntax error at position 12: expected OR"},
        TextError{"BadSafeguardingEcl",
                  "default_triage_sub_icb_location: \"01B\" rules { name: \"sg\" when { "
                  "safeguarding: SAFEGUARDING_CONDITION_PRESENT safeguarding_ecl: \"<<\" } then "
                  "{ send_to_triage: true } }",
                  "rule 1 'sg': safeguarding_ecl: ECL syntax error at position 3: expected a "
                  "concept id"},
        TextError{"SafeguardingEclWithoutPresent",
                  "default_triage_sub_icb_location: \"01B\" rules { name: \"sg\" when { "
                  "safeguarding_ecl: \"<< 707087005\" } then { send_to_triage: true } }",
                  "rule 1 'sg': safeguarding_ecl needs safeguarding: "
                  "SAFEGUARDING_CONDITION_PRESENT"},
        TextError{"DuplicateName",
                  "default_triage_sub_icb_location: \"01B\" rules { name: \"a\" then { "
                  "default_choice: true } } rules { name: \"a\" then { send_to_triage: true } }",
                  "rule 2 'a': duplicate rule name"},
        TextError{"MissingName",
                  "default_triage_sub_icb_location: \"01B\" rules { then { default_choice: true "
                  "} }",
                  "rule 1 '': name must not be empty"},
        TextError{"InvertedAges",
                  "default_triage_sub_icb_location: \"01B\" rules { name: \"age\" when { "
                  "min_age: 65 max_age: 18 } then { default_choice: true } }",
                  "rule 1 'age': max_age 18 is below min_age 65"},
        TextError{"UnspecifiedSource",
                  "default_triage_sub_icb_location: \"01B\" rules { name: \"s\" when { "
                  "source_types: SOURCE_TYPE_UNSPECIFIED } then { default_choice: true } }",
                  "rule 1 's': source_types: SOURCE_TYPE_UNSPECIFIED is not a source"},
        TextError{"UpperCaseLanguage",
                  "default_triage_sub_icb_location: \"01B\" rules { name: \"l\" when { "
                  "languages: \"PL\" } then { default_choice: true } }",
                  "rule 1 'l': languages: 'PL' is not a lower-case language tag"},
        TextError{"NumericUnknownSourceType",
                  "default_triage_sub_icb_location: \"01B\" rules { name: \"n\" when { "
                  "source_types: 99 } then { default_choice: true } }",
                  "rule 1 'n': source_types: 99 is not a known source type"},
        TextError{"NumericUnknownSafeguarding",
                  "default_triage_sub_icb_location: \"01B\" rules { name: \"n\" when { "
                  "safeguarding: 7 } then { default_choice: true } }",
                  "rule 1 'n': safeguarding: 7 is not a known condition"},
        TextError{"NoDefaultTriage", "rules { name: \"a\" then { default_choice: true } }",
                  "routing policy: default_triage_sub_icb_location must be set"}),
    [](const ::testing::TestParamInfo<TextError>& info) { return info.param.name; });

class RoutingPolicyReferenceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = BuildDirectory(RouterSources(), compiler_);
    ASSERT_TRUE(dir.ok()) << dir.status();
    dir_ = *dir;
  }
  absl::Status Validate(PolicySpec spec) {
    auto policy = RoutingPolicy::Create(std::move(spec), compiler_);
    if (!policy.ok()) return policy.status();
    return (*policy)->ValidateAgainst(*dir_);
  }
  FakeConceptCompiler compiler_;
  std::shared_ptr<const Directory> dir_;
};

TEST_F(RoutingPolicyReferenceTest, TestPolicyIsValid) {
  EXPECT_TRUE(Validate(TestPolicySpec()).ok());
}

TEST_F(RoutingPolicyReferenceTest, UnknownNamesStopLoadWithRuleAndPosition) {
  PolicySpec unknown_pcn = TestPolicySpec();
  unknown_pcn.rules[8].pcns = {"U00002", "U07777"};
  EXPECT_EQ(Validate(unknown_pcn).message(),
            "rule 9 'beta-jobcentre-triage': pcns: unknown PCN 'U07777'");

  PolicySpec unknown_worker = TestPolicySpec();
  unknown_worker.rules[6].target = "lw-zz";
  EXPECT_EQ(Validate(unknown_worker).message(),
            "rule 7 'pharmacy-named-worker': assign_link_worker: unknown link worker 'lw-zz'");

  PolicySpec unknown_label = TestPolicySpec();
  unknown_label.rules[3].target = "housingg";
  EXPECT_EQ(Validate(unknown_label).message(),
            "rule 4 'housing': prefer_specialism: no link worker has specialism 'housingg'");

  PolicySpec unknown_triage = TestPolicySpec();
  unknown_triage.default_triage_sub_icb_location = "99Z";
  EXPECT_EQ(Validate(unknown_triage).message(),
            "routing policy: default_triage_sub_icb_location '99Z' is not a Sub-ICB Location in "
            "the directory");
}

TEST_F(RoutingPolicyReferenceTest, EvaluateExplainsTheFirstFailedCondition) {
  auto policy = RoutingPolicy::Create(TestPolicySpec(), compiler_);
  ASSERT_TRUE(policy.ok());
  const Rule& discharge = (*policy)->rules()[7];
  RoutingRequest r;
  r.source_type = SourceType::kHospitalDischarge;
  r.age_years = 60;
  RuleMatch m = (*policy)->Evaluate(discharge, r, "U00001");
  EXPECT_FALSE(m.matched);
  EXPECT_EQ(m.detail, "age 60 is below the minimum 75");
  r.source_type = SourceType::kPolice;
  EXPECT_EQ((*policy)->Evaluate(discharge, r, "U00001").detail, "source police is not listed");
}

TEST(RoutingPolicyFileTest, LoadNamesThePathOnErrors) {
  FakeConceptCompiler compiler;
  auto missing = LoadRoutingPolicy("/nonexistent/policy.textproto", compiler);
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(missing.status().message()),
              ::testing::StartsWith("/nonexistent/policy.textproto: cannot open"));
}

}  // namespace
}  // namespace sprout::routing
