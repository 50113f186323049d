// Time on a queue: working days across weekends and the clock change, when
// an item is overdue by priority, and a claim's lease lapsing at read time.
#include "server/lifecycle/queue_timing.h"

#include "gtest/gtest.h"
#include "server/common/england_time.h"
#include "server/common/proto_time.h"

namespace sprout::lifecycle {
namespace {

// A wall-clock time in England.
absl::Time London(int year, int month, int day, int hour, int minute = 0) {
  return absl::FromCivil(absl::CivilSecond(year, month, day, hour, minute, 0), EnglandTimeZone());
}

TEST(OverdueAtTest, CountsWorkingDaysAtTheSameTimeOfDay) {
  // 2026-11-30 is a Monday.
  EXPECT_EQ(OverdueAt(London(2026, 11, 30, 10), 3), London(2026, 12, 3, 10));
  EXPECT_EQ(OverdueAt(London(2026, 11, 30, 10), 1), London(2026, 12, 1, 10));
}

TEST(OverdueAtTest, SkipsTheWeekend) {
  // Thursday + 3 working days: Friday, Monday, Tuesday.
  EXPECT_EQ(OverdueAt(London(2026, 12, 3, 16, 30), 3), London(2026, 12, 8, 16, 30));
  // Friday + 1: Monday.
  EXPECT_EQ(OverdueAt(London(2026, 12, 4, 9), 1), London(2026, 12, 7, 9));
}

TEST(OverdueAtTest, AWeekendArrivalCountsFromMondayMorning) {
  // Saturday afternoon and Sunday night both start Monday 00:00.
  EXPECT_EQ(OverdueAt(London(2026, 12, 5, 14), 1), London(2026, 12, 8, 0));
  EXPECT_EQ(OverdueAt(London(2026, 12, 6, 23, 59), 3), London(2026, 12, 10, 0));
}

TEST(OverdueAtTest, KeepsTheWallClockAcrossTheClockChange) {
  // Clocks go forward on Sunday 2026-03-29: Friday 09:00 GMT + 1 working day
  // is Monday 09:00 BST, which is 08:00 UTC.
  const absl::Time due = OverdueAt(London(2026, 3, 27, 9), 1);
  EXPECT_EQ(due, London(2026, 3, 30, 9));
  EXPECT_EQ(absl::FormatTime("%H:%M", due, absl::UTCTimeZone()), "08:00");
}

sprout::v1::QueueItem Waiting(absl::Time enqueued, sprout::v1::Priority priority) {
  sprout::v1::QueueItem item;
  item.set_name("queueItems/q1");
  item.set_state(sprout::v1::QUEUE_ITEM_STATE_WAITING);
  item.set_priority(priority);
  *item.mutable_enqueue_time() = ToProtoTime(enqueued);
  return item;
}

TEST(IsOverdueTest, UrgentItemsAreOverdueAfterOneWorkingDayRoutineAfterThree) {
  const absl::Time monday = London(2026, 11, 30, 10);
  const OverduePolicy policy;
  const auto urgent = Waiting(monday, sprout::v1::PRIORITY_URGENT);
  const auto routine = Waiting(monday, sprout::v1::PRIORITY_ROUTINE);
  const absl::Time tuesday = London(2026, 12, 1, 10);
  EXPECT_FALSE(IsOverdue(urgent, tuesday - absl::Seconds(1), policy));
  EXPECT_TRUE(IsOverdue(urgent, tuesday, policy));
  EXPECT_FALSE(IsOverdue(routine, tuesday, policy));
  EXPECT_TRUE(IsOverdue(routine, London(2026, 12, 3, 10), policy));
  OverduePolicy stricter;
  stricter.routine_working_days = 1;
  EXPECT_TRUE(IsOverdue(routine, tuesday, stricter));
}

TEST(IsOverdueTest, AnItemUnderALiveClaimIsNotOverdueButALapsedClaimIs) {
  const absl::Time monday = London(2026, 11, 30, 10);
  const absl::Time friday = London(2026, 12, 4, 10);
  sprout::v1::QueueItem item = Waiting(monday, sprout::v1::PRIORITY_ROUTINE);
  item.set_state(sprout::v1::QUEUE_ITEM_STATE_CLAIMED);
  *item.mutable_lease_expire_time() = ToProtoTime(friday + absl::Minutes(10));
  EXPECT_FALSE(IsOverdue(item, friday, OverduePolicy()));
  EXPECT_TRUE(IsOverdue(item, friday + absl::Minutes(10), OverduePolicy()));
}

TEST(AsOfTest, ALapsedClaimIsBackOnItsQueue) {
  const absl::Time now = London(2026, 12, 1, 12);
  sprout::v1::QueueItem item = Waiting(now - absl::Hours(1), sprout::v1::PRIORITY_ROUTINE);
  item.set_state(sprout::v1::QUEUE_ITEM_STATE_CLAIMED);
  item.set_claimed_by("pcns/U99001/linkWorkers/lw1");
  *item.mutable_lease_expire_time() = ToProtoTime(now + absl::Minutes(15));

  const sprout::v1::QueueItem live = AsOf(item, now, OverduePolicy());
  EXPECT_EQ(live.state(), sprout::v1::QUEUE_ITEM_STATE_CLAIMED);
  EXPECT_EQ(live.claimed_by(), "pcns/U99001/linkWorkers/lw1");

  const sprout::v1::QueueItem lapsed = AsOf(item, now + absl::Minutes(15), OverduePolicy());
  EXPECT_EQ(lapsed.state(), sprout::v1::QUEUE_ITEM_STATE_WAITING);
  EXPECT_EQ(lapsed.claimed_by(), "");
  EXPECT_FALSE(lapsed.has_lease_expire_time());
  EXPECT_FALSE(lapsed.overdue());
}

TEST(AsOfTest, ADoneItemIsNeverOverdue) {
  sprout::v1::QueueItem item = Waiting(London(2026, 1, 5, 10), sprout::v1::PRIORITY_URGENT);
  item.set_state(sprout::v1::QUEUE_ITEM_STATE_DONE);
  EXPECT_FALSE(AsOf(item, London(2026, 12, 1, 10), OverduePolicy()).overdue());
  item.set_state(sprout::v1::QUEUE_ITEM_STATE_WAITING);
  EXPECT_TRUE(AsOf(item, London(2026, 12, 1, 10), OverduePolicy()).overdue());
}

}  // namespace
}  // namespace sprout::lifecycle
