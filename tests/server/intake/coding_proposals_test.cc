// Grouping the concepts chosen in coding review into proposals.
#include "server/intake/coding_proposals.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/server/intake/starter.h"

namespace sprout::intake {
namespace {

using ::sprout::intake::testing::StarterRelease;

const absl::Time kT0 = absl::FromUnixSeconds(1767225600);  // 2026-01-01T00:00:00Z

ReviewChoice Chose(const std::string& agency, const std::string& phrase,
                   const std::string& referral, const std::string& code, int minutes) {
  ReviewChoice c;
  c.agency = agency;
  c.phrase = phrase;
  c.referral_id = referral;
  c.concept.set_code(code);
  c.concept.set_display(code == "267076002" ? "Feeling lonely" : "Other");
  c.time = kT0 + absl::Minutes(minutes);
  return c;
}

std::shared_ptr<const PhraseLexicons> Lexicons(std::vector<AcceptedPhrase> accepted = {}) {
  LexiconSource police;
  police.origin = "police.textproto";
  police.lexicon.set_agency("police");
  police.lexicon.set_version("2026-12");
  auto built = PhraseLexicons::Build(WithAccepted({police}, accepted), *StarterRelease());
  EXPECT_TRUE(built.ok()) << built.status();
  return built.ok() ? *built : nullptr;
}

// Three police referrals said the same thing three ways; two link workers
// chose Feeling lonely, one chose something else. One phrase was written
// once; a GP wrote the same words once.
std::vector<ReviewChoice> Choices() {
  return {
      Chose("police", "Keeps calling 999 at night", "r1", "267076002", 1),
      Chose("police", "keeps calling 999 at night, frightened", "r9", "267076002", 2),
      Chose("police", "keeps calling 999 at night", "r2", "267076002", 3),
      Chose("police", "calls 101 every night", "r3", "422650009", 4),
      Chose("police", "keeps calling 999 at night.", "r4", "267076002", 5),
      Chose("police", "sleeping in a car", "r5", "32911000", 6),
      Chose("gp_practice", "keeps calling 999 at night", "r6", "267076002", 7),
      Chose("gp_practice", "keeps calling 999 at night", "r7", "267076002", 8),
  };
}

TEST(CodingProposalsTest, ChoicesGroupByAgencyAndPhraseMostReferralsFirst) {
  std::vector<Proposal> got = ProposalsOf(Choices(), *Lexicons(), ProposalQuery{});
  ASSERT_EQ(got.size(), 1u);  // the GP phrase has two referrals, the default floor is three
  const sprout::v1::CodingProposal& p = got[0].view;
  EXPECT_EQ(p.agency(), "police");
  EXPECT_EQ(p.phrase(), "keeps calling 999 at night.");  // the latest written
  EXPECT_EQ(p.referrals(), 3);
  EXPECT_EQ(p.state(), sprout::v1::CODING_PROPOSAL_STATE_OPEN);
  EXPECT_EQ(p.name(), "codingProposals/" + ProposalId("police", got[0].phrase_key));
  EXPECT_EQ(p.last_choice_time().seconds(), absl::ToUnixSeconds(kT0 + absl::Minutes(5)));
  ASSERT_EQ(p.choices_size(), 1);
  EXPECT_EQ(p.choices(0).concept().code(), "267076002");
  EXPECT_EQ(p.choices(0).referrals(), 3);

  ProposalQuery two;
  two.min_referrals = 2;
  got = ProposalsOf(Choices(), *Lexicons(), two);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].view.agency(), "police");
  EXPECT_EQ(got[1].view.agency(), "gp_practice");
  EXPECT_EQ(got[1].view.referrals(), 2);
  EXPECT_NE(got[0].view.name(), got[1].view.name());  // the agency is part of the id

  two.agency = "gp_practice";
  got = ProposalsOf(Choices(), *Lexicons(), two);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].view.agency(), "gp_practice");
}

TEST(CodingProposalsTest, DisagreementsAreShownRankedNotResolved) {
  std::vector<ReviewChoice> choices = Choices();
  choices.push_back(Chose("police", "keeps calling at night 999", "r8", "422650009", 9));
  choices.push_back(Chose("police", "at night keeps calling 999", "r10", "422650009", 10));
  std::vector<Proposal> got = ProposalsOf(choices, *Lexicons(), ProposalQuery{});
  ASSERT_EQ(got.size(), 1u);
  const sprout::v1::CodingProposal& p = got[0].view;
  EXPECT_EQ(p.referrals(), 5);
  ASSERT_EQ(p.choices_size(), 2);
  EXPECT_EQ(p.choices(0).concept().code(), "267076002");
  EXPECT_EQ(p.choices(0).referrals(), 3);
  EXPECT_EQ(p.choices(1).concept().code(), "422650009");
  EXPECT_EQ(p.choices(1).referrals(), 2);
}

TEST(CodingProposalsTest, PhrasesAlreadyInTheLexiconAreHiddenUnlessAskedFor) {
  std::shared_ptr<const PhraseLexicons> lexicons =
      Lexicons({AcceptedPhrase{"police", "keeps calling 999 at night", "267076002",
                               "Feeling lonely", "admin:sprout", "2026-12-07"}});
  EXPECT_TRUE(ProposalsOf(Choices(), *lexicons, ProposalQuery{}).empty());
  ProposalQuery all;
  all.include_in_lexicon = true;
  std::vector<Proposal> got = ProposalsOf(Choices(), *lexicons, all);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].view.state(), sprout::v1::CODING_PROPOSAL_STATE_IN_LEXICON);
  EXPECT_EQ(got[0].view.lexicon(), "police@2026-12+reviewed.1");
}

TEST(CodingProposalsTest, IdsAreStableAndDistinct) {
  EXPECT_EQ(ProposalId("police", "none:999 call keep night"),
            ProposalId("police", "none:999 call keep night"));
  EXPECT_NE(ProposalId("police", "none:999 call keep night"),
            ProposalId("police", "none:999 call night"));
  EXPECT_EQ(ProposalId("police", "x").size(), 16u);
}

}  // namespace
}  // namespace sprout::intake
