// ONS4 and SWEMWBS scores: their ranges, complete sets, output-only fields,
// and the first and latest kept on the referral.
#include "server/lifecycle/wellbeing.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/common/proto_time.h"

namespace sprout::lifecycle {
namespace {

using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

sprout::v1::WellbeingScores Ons4(int life, int worthwhile, int happiness, int anxiety) {
  sprout::v1::WellbeingScores scores;
  sprout::v1::Ons4Scores& o = *scores.mutable_ons4();
  o.set_life_satisfaction(life);
  o.set_worthwhile(worthwhile);
  o.set_happiness(happiness);
  o.set_anxiety(anxiety);
  return scores;
}

sprout::v1::WellbeingScores Swemwbs(std::initializer_list<int> items) {
  sprout::v1::WellbeingScores scores;
  for (int item : items) scores.mutable_swemwbs()->add_items(item);
  return scores;
}

TEST(CheckWellbeingTest, ScoresInRangeAreValidAndNoScoresAreValid) {
  EXPECT_THAT(CheckWellbeing(Ons4(0, 10, 5, 0), "wellbeing"), IsEmpty());
  EXPECT_THAT(CheckWellbeing(Swemwbs({1, 5, 3, 3, 3, 3, 3}), "wellbeing"), IsEmpty());
  EXPECT_THAT(CheckWellbeing(sprout::v1::WellbeingScores(), "wellbeing"), IsEmpty());
  EXPECT_TRUE(lifecycle::IsEmpty(sprout::v1::WellbeingScores()));
}

TEST(CheckWellbeingTest, Ons4ItemsAreZeroToTenAndAllFourAreNeeded) {
  EXPECT_THAT(CheckWellbeing(Ons4(11, 5, 5, -1), "wellbeing"),
              ElementsAre(Field(&FieldViolation::field, "wellbeing.ons4.life_satisfaction"),
                          Field(&FieldViolation::field, "wellbeing.ons4.anxiety")));
  sprout::v1::WellbeingScores partial;
  partial.mutable_ons4()->set_happiness(7);
  const std::vector<FieldViolation> missing = CheckWellbeing(partial, "contact.wellbeing");
  ASSERT_EQ(missing.size(), 3u);
  EXPECT_EQ(missing[0].field, "contact.wellbeing.ons4.life_satisfaction");
  EXPECT_THAT(missing[0].description, HasSubstr("all four items"));
}

TEST(CheckWellbeingTest, SwemwbsHasSevenItemsOfOneToFive) {
  EXPECT_THAT(CheckWellbeing(Swemwbs({3, 3, 3}), "w"),
              ElementsAre(Field(&FieldViolation::field, "w.swemwbs.items")));
  EXPECT_THAT(CheckWellbeing(Swemwbs({0, 3, 3, 3, 3, 3, 6}), "w"),
              ElementsAre(Field(&FieldViolation::field, "w.swemwbs.items[0]"),
                          Field(&FieldViolation::field, "w.swemwbs.items[6]")));
}

TEST(CheckWellbeingTest, OutputOnlyFieldsAreRefused) {
  sprout::v1::WellbeingScores scores = Swemwbs({3, 3, 3, 3, 3, 3, 3});
  scores.mutable_swemwbs()->set_total(21);
  scores.mutable_measure_time()->set_seconds(1);
  EXPECT_THAT(CheckWellbeing(scores, "w"),
              ElementsAre(Field(&FieldViolation::field, "w.swemwbs.total"),
                          Field(&FieldViolation::field, "w.measure_time")));
}

TEST(RecordWellbeingTest, TheFirstScoresStayAndTheLatestMove) {
  sprout::v1::Referral referral;
  const absl::Time t1 = absl::FromUnixSeconds(1790000000);
  const absl::Time t2 = t1 + absl::Hours(24 * 30);
  RecordWellbeing(Swemwbs({2, 2, 2, 2, 2, 2, 2}), t1, referral);
  RecordWellbeing(sprout::v1::WellbeingScores(), t1, referral);  // nothing recorded
  RecordWellbeing(Swemwbs({4, 4, 4, 4, 4, 4, 5}), t2, referral);
  EXPECT_EQ(referral.first_wellbeing().swemwbs().total(), 14);
  EXPECT_EQ(FromProtoTime(referral.first_wellbeing().measure_time()), t1);
  EXPECT_EQ(referral.last_wellbeing().swemwbs().total(), 29);
  EXPECT_EQ(FromProtoTime(referral.last_wellbeing().measure_time()), t2);
  EXPECT_FALSE(referral.last_wellbeing().has_ons4());
}

}  // namespace
}  // namespace sprout::lifecycle
