#include "server/intake/code_maps.h"

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/intake/coder.h"
#include "tests/server/intake/starter.h"

namespace sprout::intake {
namespace {

using ::sprout::intake::testing::DemoCodeMaps;
using ::sprout::intake::testing::StarterRelease;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class CodeMapsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    terminology_ = StarterRelease(&error);
    ASSERT_NE(terminology_, nullptr) << error;
  }

  // Builds one map from text; returns the status of Build (or of parsing).
  absl::Status BuildOne(const std::string& text) {
    absl::StatusOr<sprout::config::v1::CodeMap> map = CodeMaps::ParseText(text, "test.textproto");
    if (!map.ok()) return map.status();
    return CodeMaps::Build({CodeMapSource{"test.textproto", *map}}, *terminology_).status();
  }

  std::shared_ptr<const snomed::Terminology> terminology_;
};

TEST_F(CodeMapsTest, DemoMapsLoadAgainstTheStarterRelease) {
  std::string error;
  std::shared_ptr<const CodeMaps> maps = DemoCodeMaps(&error);
  ASSERT_NE(maps, nullptr) << error;
  EXPECT_THAT(maps->systems(),
              ElementsAre("adult-social-care", "community-pharmacy", "fire-safe-and-well",
                          "housing-needs", "job-centre", "police-vulnerability"));
  const CodeMaps::Entry* e = maps->Find("police-vulnerability", "PV-ISOL");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->concept_id, 422650009u);
  EXPECT_EQ(e->map->version, "2025-09");
  EXPECT_EQ(maps->Find("police-vulnerability", "pv-isol"), nullptr);  // codes are exact
  EXPECT_EQ(maps->Find("police-vulnerability", "NOPE"), nullptr);
  EXPECT_EQ(maps->Find("no-such-system", "PV-ISOL"), nullptr);
}

TEST_F(CodeMapsTest, EveryDemoTargetIsInsideTheReasonBinding) {
  std::shared_ptr<const CodeMaps> maps = DemoCodeMaps();
  ASSERT_NE(maps, nullptr);
  absl::StatusOr<std::unique_ptr<ReasonCoder>> coder =
      ReasonCoder::Create(terminology_, maps, CoderOptions());
  ASSERT_TRUE(coder.ok()) << coder.status();
  int entries = 0;
  for (const std::string& system : maps->systems()) {
    for (const auto& [code, entry] : maps->FindSystem(system)->entries) {
      ++entries;
      EXPECT_TRUE((*coder)->binding().Matches(*terminology_, entry.concept_id))
          << system << " " << code;
    }
  }
  EXPECT_GE(entries, 35);
}

TEST_F(CodeMapsTest, DemoMapDisplaysMatchTheReleasePreferredTerms) {
  int checked = 0;
  for (const auto& file :
       std::filesystem::directory_iterator(testing::RepoPath("deploy/demo/codemaps"))) {
    if (file.path().extension() != ".textproto") continue;
    std::ifstream in(file.path());
    std::stringstream text;
    text << in.rdbuf();
    auto map = CodeMaps::ParseText(text.str(), file.path().string());
    ASSERT_TRUE(map.ok()) << map.status();
    for (const auto& e : map->entries()) {
      uint64_t id = std::stoull(e.snomed_code());
      std::optional<absl::string_view> pt = terminology_->PreferredTerm(id);
      ASSERT_TRUE(pt.has_value()) << e.code();
      EXPECT_EQ(e.snomed_display(), *pt) << file.path() << " " << e.code();
      EXPECT_FALSE(e.display().empty()) << e.code();
      ++checked;
    }
  }
  EXPECT_GE(checked, 35);
}

TEST_F(CodeMapsTest, SyntaxErrorNamesFileLineAndColumn) {
  absl::Status s = BuildOne("system: \"x\"\nversion: 2025\n");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("test.textproto:2:"));
}

TEST_F(CodeMapsTest, TargetNotInReleaseStopsLoadNamingTheEntry) {
  // 24700007 is a valid SCTID (Verhoeff) that the starter release does not contain.
  absl::Status s = BuildOne(
      "system: \"x\" version: \"1\" "
      "entries { code: \"A\" snomed_code: \"267076002\" } "
      "entries { code: \"B\" snomed_code: \"24700007\" }");
  EXPECT_EQ(s.message(),
            "test.textproto: entry 2 (code \"B\"): target 24700007 is not in the loaded SNOMED CT "
            "release");
}

TEST_F(CodeMapsTest, InactiveTargetStopsLoad) {
  absl::Status s =
      BuildOne("system: \"x\" version: \"1\" entries { code: \"A\" snomed_code: \"305924006\" }");
  EXPECT_EQ(s.message(),
            "test.textproto: entry 1 (code \"A\"): target 305924006 is inactive in the loaded "
            "SNOMED CT release; map to its replacement");
}

TEST_F(CodeMapsTest, InvalidTargetSctidStopsLoad) {
  absl::Status s =
      BuildOne("system: \"x\" version: \"1\" entries { code: \"A\" snomed_code: \"267076003\" }");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("test.textproto: entry 1 (code \"A\"): "));
  EXPECT_THAT(s.message(), HasSubstr("Verhoeff"));
}

TEST_F(CodeMapsTest, StructuralProblemsStopLoad) {
  EXPECT_EQ(BuildOne("version: \"1\"").message(), "test.textproto: system is missing");
  EXPECT_EQ(BuildOne("system: \"Police\" version: \"1\"").message(),
            "test.textproto: system \"Police\" must be lower-case letters, digits and hyphens "
            "(at most 64)");
  EXPECT_EQ(BuildOne("system: \"x\"").message(), "test.textproto: version is missing");
  EXPECT_EQ(
      BuildOne("system: \"x\" version: \"1\" entries { snomed_code: \"267076002\" }").message(),
      "test.textproto: entry 1: code is missing");
  EXPECT_EQ(BuildOne("system: \"x\" version: \"1\" "
                     "entries { code: \"A\" snomed_code: \"267076002\" } "
                     "entries { code: \"A\" snomed_code: \"422650009\" }")
                .message(),
            "test.textproto: entry 2 (code \"A\"): code is repeated");
}

TEST_F(CodeMapsTest, SystemDefinedTwiceStopsLoad) {
  sprout::config::v1::CodeMap map;
  map.set_system("x");
  map.set_version("1");
  absl::Status s =
      CodeMaps::Build({CodeMapSource{"a.textproto", map}, CodeMapSource{"b.textproto", map}},
                      *terminology_)
          .status();
  EXPECT_EQ(s.message(), "b.textproto: system \"x\" is already defined by a.textproto");
}

TEST_F(CodeMapsTest, MissingDirectoryIsNotFound) {
  EXPECT_EQ(CodeMaps::LoadDirectory("no/such/dir", *terminology_).status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace sprout::intake
