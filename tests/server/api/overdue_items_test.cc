// Overdue items read from a real SQLite store: only items still on a queue
// and past their time, narrowed to a PCN, paged without loss or repeats.
#include "server/api/overdue_items.h"

#include <set>
#include <string>

#include "gtest/gtest.h"
#include "server/store/sqlite/sqlite_store.h"
#include "tests/server/store/store_test_util.h"

namespace sprout::api {
namespace {

using store::testing::Spec;

// Thursday 2026-01-01T00:00:00Z; routine items are overdue from Tuesday 6th.
const absl::Time kT0 = absl::FromUnixSeconds(1767225600);
const absl::Time kNow = kT0 + absl::Hours(24 * 7);

class OverdueItemsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::SqliteStoreOptions options;
    options.cipher = ::sprout::store::testing::TestBodyCipher();
    options.path = temp_.File("sprout.db");
    auto opened = store::OpenSqliteStore(options);
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = *std::move(opened);
    for (int i = 0; i < 5; ++i) {
      Submit(Spec(absl::StrCat("a", i)).Queue("pcns/U00001/linkWorkers/lw-a1").Time(kT0));
    }
    Submit(Spec("b1").Queue("pcns/U00002").Time(kT0));
    Submit(Spec("t1").Queue("triageQueues/01B").Time(kT0));
    // Enqueued the day before kNow: not yet overdue.
    Submit(Spec("late").Queue("pcns/U00001").Time(kNow - absl::Hours(24)));
  }
  void TearDown() override {
    if (store_ != nullptr) store_->Shutdown();
  }
  void Submit(const store::testing::SubmissionSpec& spec) {
    absl::StatusOr<store::SubmitOutcome> outcome =
        store_->Submit(store::testing::MakeSubmission(spec));
    ASSERT_TRUE(outcome.ok()) << outcome.status();
  }

  store::testing::TempDir temp_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(OverdueItemsTest, CountsOnlyItemsPastTheirTimeByPcn) {
  auto counts = CountOverdueItems(*store_, kNow, lifecycle::OverduePolicy{});
  ASSERT_TRUE(counts.ok()) << counts.status();
  EXPECT_EQ((*counts)["U00001"], 5);
  EXPECT_EQ((*counts)["U00002"], 1);
  EXPECT_EQ((*counts)[""], 1);  // the triage queue
  auto before = CountOverdueItems(*store_, kT0 + absl::Hours(24 * 4), lifecycle::OverduePolicy{});
  ASSERT_TRUE(before.ok());
  EXPECT_TRUE(before->empty());  // Monday 5th: not yet
}

TEST_F(OverdueItemsTest, PagesThroughAPcnsOverdueItemsOnce) {
  std::set<std::string> seen;
  int64_t after = 0;
  int pages = 0;
  do {
    auto page = ReadOverdueItems(*store_, kNow, lifecycle::OverduePolicy{}, "U00001", after, 2);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const sprout::v1::QueueItem& item : page->items) {
      EXPECT_TRUE(item.overdue());
      EXPECT_TRUE(seen.insert(item.referral()).second) << "repeated " << item.referral();
    }
    after = page->resume_after;
    ASSERT_LT(++pages, 10);
  } while (after != 0);
  EXPECT_EQ(seen.size(), 5u);
  EXPECT_EQ(seen.count("referrals/late"), 0u);
  EXPECT_EQ(seen.count("referrals/b1"), 0u);
}

}  // namespace
}  // namespace sprout::api
