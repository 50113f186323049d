#include "server/intake/bindings.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/server/intake/starter.h"
#include "tests/snomed/rf2_fixture.h"

namespace sprout::intake {
namespace {

using ::sprout::intake::testing::RepoPath;
using ::sprout::intake::testing::StarterRelease;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kValid[] = R"(
name: "test"
version: "1"
reason_ecl: "<< 404684003"
referral_source_ecl: "< 309013001"
service_code: "871731000000106"
)";

TEST(BindingsTest, TheDemoBindingsLoadAgainstTheStarterRelease) {
  std::string error;
  std::shared_ptr<const snomed::Terminology> t = StarterRelease(&error);
  ASSERT_NE(t, nullptr) << error;
  absl::StatusOr<Bindings> b = LoadBindings(RepoPath("deploy/demo/bindings.textproto"), *t);
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->name, "uk-core");
  EXPECT_EQ(b->service_code, 871731000000106u);
  // They are the built-in defaults, spelled out.
  IntakeOptions defaults;
  EXPECT_EQ(b->reason_ecl, defaults.coder.reason_binding_ecl);
  EXPECT_EQ(b->referral_source_ecl, defaults.referral_source_ecl);
  IntakeOptions applied;
  applied.coder.reason_binding_ecl.clear();
  ApplyBindings(*b, &applied);
  EXPECT_EQ(applied.coder.reason_binding_ecl, b->reason_ecl);
  EXPECT_EQ(applied.service_code, b->service_code);
}

TEST(BindingsTest, ParseErrorsNameTheFileAndTheField) {
  struct Case {
    std::string text;
    std::string message;
  } cases[] = {
      {"name: \"x\"\nnot_a_field: 1\n",
       "b.textproto:2:12: Message type \"sprout.config.v1.Bindings\" has no field named "
       "\"not_a_field\"."},
      {std::string(kValid) + "name: \"again\"\n",
       "b.textproto:7:5: Non-repeated field \"name\" is specified multiple times."},
      {"version: \"1\"", "b.textproto: name: is required"},
      {"name: \"x\" version: \"1\" referral_source_ecl: \"*\" service_code: \"871731000000106\"",
       "b.textproto: reason_ecl: is required (an ECL expression)"},
      {"name: \"x\" version: \"1\" reason_ecl: \"<< 404684004\" referral_source_ecl: \"*\"",
       "b.textproto: reason_ecl: ECL syntax error at column 4: SCTID '404684004': check digit is "
       "wrong (Verhoeff)"},
      {"name: \"x\" version: \"1\" reason_ecl: \"*\" referral_source_ecl: \"*\" service_code: "
       "\"871731000000107\"",
       "b.textproto: service_code: SCTID '871731000000107': check digit is wrong (Verhoeff)"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<Bindings> b = ParseBindings(c.text, "b.textproto");
    ASSERT_FALSE(b.ok()) << c.text;
    EXPECT_EQ(b.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(std::string(b.status().message()), c.message) << c.text;
  }
}

TEST(BindingsTest, AReleaseWithoutTheNamedConceptsIsRefusedNamingThem) {
  // A release with the root, Is a and one finding only.
  snomed::testing::Rf2FixtureBuilder release;
  release.Concept(138875005).Named(138875005, "SNOMED CT Concept", "SNOMED RT+CTV3");
  release.Concept(snomed::kIsA)
      .IsA(snomed::kIsA, 138875005)
      .Named(snomed::kIsA, "Is a", "attribute");
  release.Concept(404684003)
      .IsA(404684003, 138875005)
      .Named(404684003, "Clinical finding", "finding");
  auto t = snomed::Terminology::LoadFromFiles(release.Build());
  ASSERT_TRUE(t.ok()) << t.status();
  absl::StatusOr<Bindings> b = ParseBindings(kValid, "b.textproto");
  ASSERT_TRUE(b.ok()) << b.status();
  absl::Status s = CheckBindings(*b, **t, "b.textproto");
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(s.message()),
              StartsWith("b.textproto: referral_source_ecl: names concepts not in the release"));
  EXPECT_THAT(std::string(s.message()), HasSubstr(": 309013001;"));
  // Bindings written for that release pass, and a service code it has.
  b->referral_source_ecl = "<< 404684003";
  b->service_code = 404684003;
  EXPECT_TRUE(CheckBindings(*b, **t, "b.textproto").ok());
  b->service_code = 71388002;
  s = CheckBindings(*b, **t, "b.textproto");
  EXPECT_EQ(
      std::string(s.message()),
      "b.textproto: service_code: 71388002 is not an active concept in the release in-memory");
}

}  // namespace
}  // namespace sprout::intake
