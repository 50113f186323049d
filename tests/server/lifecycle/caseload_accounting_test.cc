// How a change counts towards link workers' loads and the NHS financial year.
#include "server/lifecycle/caseload_accounting.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/common/england_time.h"

namespace sprout::lifecycle {
namespace {

using ::testing::UnorderedElementsAre;

constexpr char kLw1[] = "pcns/U99001/linkWorkers/lw1";
constexpr char kLw2[] = "pcns/U99001/linkWorkers/lw2";

TEST(NhsFinancialYearTest, RunsFromAprilToMarch) {
  EXPECT_EQ(NhsFinancialYear(absl::CivilDay(2026, 3, 31)), 2025);
  EXPECT_EQ(NhsFinancialYear(absl::CivilDay(2026, 4, 1)), 2026);
  EXPECT_EQ(NhsFinancialYear(absl::CivilDay(2026, 12, 31)), 2026);
  EXPECT_EQ(NhsFinancialYear(absl::CivilDay(2027, 1, 1)), 2026);
}

TEST(NhsFinancialYearTest, AnInstantIsReckonedOnEnglandsCalendar) {
  // 23:30 UTC on 31 March 2026 is 00:30 BST on 1 April: the new year.
  const absl::Time t =
      absl::FromCivil(absl::CivilSecond(2026, 3, 31, 23, 30, 0), absl::UTCTimeZone());
  EXPECT_EQ(NhsFinancialYear(t), EnglandTimeZone().name() == "UTC" ? 2025 : 2026);
}

// Matches a LoadDelta of `lw` by `open` places on the caseload and
// `waiting` items.
::testing::Matcher<const LoadDelta&> Delta(const std::string& lw, int open, int waiting) {
  return ::testing::AllOf(::testing::Field(&LoadDelta::link_worker, lw),
                          ::testing::Field(&LoadDelta::open_caseload, open),
                          ::testing::Field(&LoadDelta::waiting, waiting));
}

sprout::v1::Referral InState(sprout::v1::ReferralState state, const std::string& lw) {
  sprout::v1::Referral referral;
  referral.set_state(state);
  referral.mutable_route()->set_link_worker(lw);
  return referral;
}

sprout::v1::QueueItem On(const std::string& queue, sprout::v1::QueueItemState state) {
  sprout::v1::QueueItem item;
  item.set_queue(queue);
  item.set_state(state);
  return item;
}

const absl::Time kJune =
    absl::FromCivil(absl::CivilSecond(2026, 6, 1, 12, 0, 0), absl::UTCTimeZone());

TEST(LoadChangeOfTest, ANewSubmissionWaitsOnItsQueue) {
  const auto after = InState(sprout::v1::REFERRAL_STATE_QUEUED, kLw1);
  const auto item = On(kLw1, sprout::v1::QUEUE_ITEM_STATE_WAITING);
  const LoadChange change = LoadChangeOf(nullptr, nullptr, after, &item, kJune);
  EXPECT_THAT(change.loads, UnorderedElementsAre(Delta(kLw1, 0, 1)));
  EXPECT_FALSE(change.accepted.has_value());
}

TEST(LoadChangeOfTest, AcceptingMovesItFromWaitingToTheCaseloadAndCountsTheYear) {
  const auto before = InState(sprout::v1::REFERRAL_STATE_QUEUED, "");
  const auto item_before = On(kLw2, sprout::v1::QUEUE_ITEM_STATE_WAITING);
  const auto after = InState(sprout::v1::REFERRAL_STATE_ACCEPTED, kLw1);
  const auto item_after = On(kLw2, sprout::v1::QUEUE_ITEM_STATE_DONE);
  const LoadChange change = LoadChangeOf(&before, &item_before, after, &item_after, kJune);
  EXPECT_THAT(change.loads, UnorderedElementsAre(Delta(kLw2, 0, -1), Delta(kLw1, 1, 0)));
  ASSERT_TRUE(change.accepted.has_value());
  EXPECT_EQ(change.accepted->link_worker, kLw1);
  EXPECT_EQ(change.accepted->financial_year, 2026);
}

TEST(LoadChangeOfTest, AContactChangesNoCountAndClosingFreesAPlace) {
  const auto accepted = InState(sprout::v1::REFERRAL_STATE_ACCEPTED, kLw1);
  const auto in_progress = InState(sprout::v1::REFERRAL_STATE_IN_PROGRESS, kLw1);
  const auto closed = InState(sprout::v1::REFERRAL_STATE_CLOSED, kLw1);
  const auto done = On(kLw1, sprout::v1::QUEUE_ITEM_STATE_DONE);
  const LoadChange contact = LoadChangeOf(&accepted, &done, in_progress, nullptr, kJune);
  EXPECT_TRUE(contact.loads.empty());
  EXPECT_FALSE(contact.accepted.has_value());  // counted once, when accepted
  const LoadChange close = LoadChangeOf(&in_progress, &done, closed, nullptr, kJune);
  EXPECT_THAT(close.loads, UnorderedElementsAre(Delta(kLw1, -1, 0)));
}

TEST(LoadChangeOfTest, ReassigningACaseloadMovesItBetweenLinkWorkers) {
  const auto before = InState(sprout::v1::REFERRAL_STATE_IN_PROGRESS, kLw1);
  const auto after = InState(sprout::v1::REFERRAL_STATE_IN_PROGRESS, kLw2);
  const LoadChange change = LoadChangeOf(&before, nullptr, after, nullptr, kJune);
  EXPECT_THAT(change.loads, UnorderedElementsAre(Delta(kLw1, -1, 0), Delta(kLw2, 1, 0)));
  EXPECT_FALSE(change.accepted.has_value());
}

}  // namespace
}  // namespace sprout::lifecycle
