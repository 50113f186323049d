// The Store conformance suite, part six (see store_conformance.h): what
// coding review teaches. Resolving a flagged free-text reason records the
// concept chosen in the same transaction, phrase and all; an accepted lexicon
// phrase is stored once per agency and phrase, with its audit record.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "server/lifecycle/lifecycle.h"
#include "server/store/coding_choices.h"
#include "tests/server/store/store_conformance.h"

namespace sprout::store::testing {
namespace {

using lifecycle::Step;
using lifecycle::Transition;

const absl::Time kT0 = absl::FromUnixSeconds(1767225600);  // 2026-01-01T00:00:00Z
constexpr char kFlagged[] = "synthetic: keeps ringing 999 at night";

// A submission whose second reason was free text sent for review.
Submission FlaggedSubmission(const std::string& id, int source_type) {
  Submission s = MakeSubmission(Spec(id).Reasons({kFeelingLonely, 0}).SourceType(source_type));
  s.referral.set_needs_coding_review(true);
  sprout::v1::CodedReason* flagged = s.referral.mutable_coded_reasons(1);
  flagged->clear_concept();
  flagged->set_method(sprout::v1::CODING_METHOD_NEEDS_REVIEW);
  flagged->mutable_original()->set_free_text(kFlagged);
  return s;
}

Step Resolve(int reason_index, const std::string& code, absl::Time now) {
  Step step = StepOf(Transition::kResolveCodingReview, LinkWorker("lw-1"), now);
  step.reason_index = reason_index;
  step.chosen.set_code(code);
  step.chosen.set_display("Feeling lonely");
  return step;
}

LexiconAddition Addition(const std::string& agency, const std::string& key) {
  LexiconAddition a;
  a.agency = agency;
  a.phrase_key = key;
  a.phrase = "keeps ringing 999 at night";
  a.concept.set_code("267076002");
  a.concept.set_display("Feeling lonely");
  a.accepted_by = "admin:sprout";
  a.time = kT0 + absl::Hours(2);
  return a;
}

}  // namespace

TEST_P(StoreConformanceTest, ResolvingAFlaggedReasonRecordsTheChoiceWithIt) {
  ASSERT_TRUE(store_->Submit(FlaggedSubmission("r1", 7)).ok());
  MustSubmit(Spec("r2"));  // nothing flagged
  absl::StatusOr<std::vector<CodingChoice>> none = store_->ListCodingChoices();
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_TRUE(none->empty());

  absl::StatusOr<UpdateOutcome> resolved =
      Take("r1", Resolve(1, "267076002", kT0 + absl::Hours(1)));
  ASSERT_TRUE(resolved.ok()) << resolved.status();
  EXPECT_FALSE(resolved->referral.needs_coding_review());

  absl::StatusOr<std::vector<CodingChoice>> choices = store_->ListCodingChoices();
  ASSERT_TRUE(choices.ok()) << choices.status();
  ASSERT_EQ(choices->size(), 1u);
  const CodingChoice& c = (*choices)[0];
  EXPECT_EQ(c.referral_id, "r1");
  EXPECT_EQ(c.reason_index, 1);
  EXPECT_EQ(c.source_type, 7);
  EXPECT_EQ(c.phrase, kFlagged);
  EXPECT_EQ(c.concept.code(), "267076002");
  EXPECT_EQ(c.concept.display(), "Feeling lonely");
  EXPECT_EQ(c.chosen_by, "urn:sprout:org:U12345:role:link_worker:lw:lw-1");
  EXPECT_EQ(c.time, kT0 + absl::Hours(1));

  // Other changes teach nothing.
  ASSERT_TRUE(Take("r2", StepOf(Transition::kAccept, LinkWorker("lw-1"), kT0)).ok());
  EXPECT_EQ(store_->ListCodingChoices()->size(), 1u);
}

TEST_P(StoreConformanceTest, ARefusedResolutionRecordsNoChoice) {
  ASSERT_TRUE(store_->Submit(FlaggedSubmission("r1", 7)).ok());
  ASSERT_TRUE(Take("r1", Resolve(1, "267076002", kT0 + absl::Hours(1))).ok());
  // The reason is no longer flagged: the second resolution is refused and
  // leaves the first choice alone.
  EXPECT_EQ(Take("r1", Resolve(1, "422650009", kT0 + absl::Hours(2))).status().code(),
            absl::StatusCode::kFailedPrecondition);
  absl::StatusOr<std::vector<CodingChoice>> choices = store_->ListCodingChoices();
  ASSERT_TRUE(choices.ok()) << choices.status();
  ASSERT_EQ(choices->size(), 1u);
  EXPECT_EQ((*choices)[0].concept.code(), "267076002");
}

TEST_P(StoreConformanceTest, AnAgencyAcceptsEachPhraseOnceWithItsAuditRecord) {
  const std::string key = "none:999 keep night ring";
  AuditEvent audit =
      MakeAudit("AcceptCodingProposal", "codingProposals/0123456789abcdef", kT0 + absl::Hours(2));
  ASSERT_TRUE(store_->AddLexiconPhrase(Addition("police", key), audit).ok());
  EXPECT_EQ(store_->AddLexiconPhrase(Addition("police", key), audit).code(),
            absl::StatusCode::kAlreadyExists);
  // The same words are another agency's own phrase.
  ASSERT_TRUE(store_->AddLexiconPhrase(Addition("fire_and_rescue", key), audit).ok());

  absl::StatusOr<std::vector<LexiconAddition>> added = store_->ListLexiconAdditions();
  ASSERT_TRUE(added.ok()) << added.status();
  ASSERT_EQ(added->size(), 2u);
  EXPECT_EQ((*added)[0].agency, "police");
  EXPECT_EQ((*added)[1].agency, "fire_and_rescue");
  const LexiconAddition& a = (*added)[0];
  EXPECT_EQ(a.phrase_key, key);
  EXPECT_EQ(a.phrase, "keeps ringing 999 at night");
  EXPECT_EQ(a.concept.code(), "267076002");
  EXPECT_EQ(a.concept.display(), "Feeling lonely");
  EXPECT_EQ(a.accepted_by, "admin:sprout");
  EXPECT_EQ(a.time, kT0 + absl::Hours(2));

  // One audit record per stored phrase; the refused one left none.
  AuditQuery q;
  q.action = "AcceptCodingProposal";
  absl::StatusOr<Page<AuditRecord>> records = store_->ListAuditRecords(q, 10, "");
  ASSERT_TRUE(records.ok()) << records.status();
  EXPECT_EQ(records->items.size(), 2u);
}

}  // namespace sprout::store::testing
