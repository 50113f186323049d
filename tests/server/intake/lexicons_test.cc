// Loading and validating agency phrase lexicons.
#include "server/intake/lexicons.h"

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/server/intake/starter.h"

namespace sprout::intake {
namespace {

using ::sprout::intake::testing::DemoLexicons;
using ::sprout::intake::testing::StarterRelease;
using ::testing::HasSubstr;

LexiconSource Source(const std::string& origin, const std::string& agency,
                     std::vector<std::pair<std::string, std::string>> phrases,
                     const std::string& version = "1") {
  LexiconSource s;
  s.origin = origin;
  s.lexicon.set_agency(agency);
  s.lexicon.set_version(version);
  for (auto& [text, code] : phrases) {
    auto* p = s.lexicon.add_phrases();
    p->set_text(text);
    p->set_snomed_code(code);
  }
  return s;
}

std::string BuildError(const std::vector<LexiconSource>& sources) {
  auto built = PhraseLexicons::Build(sources, *StarterRelease());
  return built.ok() ? "" : std::string(built.status().message());
}

TEST(LexiconsTest, DemoLexiconsLoad) {
  std::string error;
  std::shared_ptr<const PhraseLexicons> lexicons = DemoLexicons(&error);
  ASSERT_NE(lexicons, nullptr) << error;
  std::vector<const PhraseLexicons::Lexicon*> housing = lexicons->For("housing_provider");
  ASSERT_EQ(housing.size(), 2u);
  EXPECT_EQ(housing[0]->agency, "housing_provider");
  EXPECT_EQ(housing[1]->agency, "common");
  EXPECT_EQ(housing[0]->label(), "housing_provider@2026-12");
  // An agency without its own lexicon gets the common one only.
  ASSERT_EQ(lexicons->For("vcse").size(), 1u);
  EXPECT_EQ(lexicons->For("vcse")[0]->agency, "common");
}

TEST(LexiconsTest, AgencyNamesFollowSourceType) {
  EXPECT_EQ(AgencyName(sprout::v1::SOURCE_TYPE_POLICE), "police");
  EXPECT_EQ(AgencyName(sprout::v1::SOURCE_TYPE_HOUSING_PROVIDER), "housing_provider");
  EXPECT_EQ(AgencyName(sprout::v1::SOURCE_TYPE_UNSPECIFIED), "");
}

TEST(LexiconsTest, EveryProblemIsNamed) {
  EXPECT_EQ(BuildError({Source("a.textproto", "", {})}), "a.textproto: agency is missing");
  EXPECT_THAT(BuildError({Source("a.textproto", "ambulance", {})}),
              HasSubstr("a.textproto: agency \"ambulance\" is not one of: common, gp_practice"));
  EXPECT_EQ(BuildError({Source("a.textproto", "police", {}, "")}),
            "a.textproto: version is missing");
  EXPECT_EQ(BuildError({Source("a.textproto", "police", {}), Source("b.textproto", "police", {})}),
            "b.textproto: agency \"police\" already has a lexicon in a.textproto");
  EXPECT_EQ(BuildError({Source("a.textproto", "police", {{" ", "267076002"}})}),
            "a.textproto: phrase 1: text is missing");
  EXPECT_EQ(BuildError({Source("a.textproto", "police", {{"the and of", "267076002"}})}),
            "a.textproto: phrase 1 (\"the and of\"): has only stop words and cue words; "
            "nothing to match");
  EXPECT_EQ(BuildError({Source("a.textproto", "police",
                               {{"rent arrears", "81877007"}, {"Rent Arrear", "81877007"}})}),
            "a.textproto: phrase 2 (\"Rent Arrear\"): reads the same as \"rent arrears\" once "
            "normalised");
  EXPECT_THAT(BuildError({Source("a.textproto", "police", {{"lonely", "267076003"}})}),
              HasSubstr("a.textproto: phrase 1 (\"lonely\"): "));
  EXPECT_EQ(BuildError({Source("a.textproto", "police", {{"old", "301017003"}})}),
            "a.textproto: phrase 1 (\"old\"): has only stop words and cue words; nothing to "
            "match");
  EXPECT_EQ(BuildError({Source("a.textproto", "police", {{"ulcer", "301017003"}})}),
            "a.textproto: phrase 1 (\"ulcer\"): target 301017003 is inactive in the loaded "
            "SNOMED CT release; map to its replacement");
}

TEST(LexiconsTest, OnlyOneWordPhrasesNameTheirNeedAlone) {
  std::vector<LexiconSource> sources = {
      Source("a.textproto", "police", {{"damp", "105531004"}, {"black mould", "105531004"}})};
  sources[0].lexicon.mutable_phrases(0)->set_names_need_alone(true);
  EXPECT_EQ(BuildError(sources), "");
  sources[0].lexicon.mutable_phrases(1)->set_names_need_alone(true);
  EXPECT_EQ(BuildError(sources),
            "a.textproto: phrase 2 (\"black mould\"): names_need_alone is for one-word phrases; "
            "a phrase of two words or more names its need inside a longer text already");
}

TEST(LexiconsTest, NegatedPhrasesAreDistinctFromAffirmedOnes) {
  EXPECT_EQ(BuildError({Source("a.textproto", "common",
                               {{"money", "160932005"}, {"no money", "160932005"}})}),
            "");
}

TEST(LexiconsTest, PhraseKeysReadAsTheMatcherDoes) {
  EXPECT_EQ(PhraseKey("Rent arrears"), PhraseKey("in arrears with the rent"));
  EXPECT_EQ(PhraseKey("Feeling LONELY!"), PhraseKey("feels lonely"));
  EXPECT_NE(PhraseKey("lonely"), PhraseKey("not lonely"));
  EXPECT_NE(PhraseKey("rent arrears"), PhraseKey("council tax arrears"));
  EXPECT_TRUE(absl::EndsWith(PhraseKey("the and of"), ":"));  // nothing to match
}

AcceptedPhrase Accepted(const std::string& agency, const std::string& text,
                        const std::string& code) {
  return AcceptedPhrase{agency, text, code, "", "admin:sprout", "2026-12-07"};
}

TEST(LexiconsTest, AcceptedPhrasesJoinTheirAgencysLexiconAsANewVersion) {
  std::vector<LexiconSource> files = {
      Source("police.textproto", "police", {{"rent arrears", "81877007"}}, "2026-12"),
      Source("common.textproto", "common", {{"money worries", "160932005"}}, "2026-11")};
  std::vector<LexiconSource> merged = WithAccepted(
      files, {Accepted("police", "keeps ringing 999 at night", "267076002"),
              Accepted("police", "In arrears with the rent", "81877007"),  // the file has it
              Accepted("police", "frightened on her own", "267076002"),
              Accepted("fire_and_rescue", "hoarding in the flat", "160932005")});
  ASSERT_EQ(merged.size(), 3u);
  EXPECT_EQ(merged[0].lexicon.version(), "2026-12+reviewed.2");
  ASSERT_EQ(merged[0].lexicon.phrases_size(), 3);
  EXPECT_EQ(merged[0].lexicon.phrases(1).text(), "keeps ringing 999 at night");
  EXPECT_EQ(merged[0].lexicon.phrases(1).note(),
            "accepted from coding review by admin:sprout on 2026-12-07");
  EXPECT_EQ(merged[0].lexicon.phrases(2).text(), "frightened on her own");
  EXPECT_EQ(merged[1].lexicon.version(), "2026-11");  // nothing accepted
  EXPECT_EQ(merged[2].lexicon.agency(), "fire_and_rescue");
  EXPECT_EQ(merged[2].lexicon.version(), "0+reviewed.1");

  auto built = PhraseLexicons::Build(merged, *StarterRelease());
  ASSERT_TRUE(built.ok()) << built.status();
  EXPECT_EQ((*built)->Find("police")->label(), "police@2026-12+reviewed.2");
  EXPECT_EQ((*built)->Find("fire_and_rescue")->label(), "fire_and_rescue@0+reviewed.1");
  // Nothing accepted: the files as they are.
  EXPECT_EQ(WithAccepted(files, {})[0].lexicon.version(), "2026-12");
}

}  // namespace
}  // namespace sprout::intake
