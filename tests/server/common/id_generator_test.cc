#include "server/common/id_generator.h"

#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "gtest/gtest.h"

namespace sprout {
namespace {

TEST(IdGeneratorTest, RandomIdsAreUniqueLowerCaseAndTimeOrdered) {
  FakeClock clock(absl::FromUnixSeconds(1'800'000'000));
  RandomIdGenerator ids(&clock);
  absl::flat_hash_set<std::string> seen;
  std::string previous;
  for (int i = 0; i < 1000; ++i) {
    clock.Advance(absl::Milliseconds(1));
    std::string id = ids.NewId();
    ASSERT_EQ(id.size(), 26u);
    for (char c : id) ASSERT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')) << id;
    EXPECT_TRUE(seen.insert(id).second);
    EXPECT_GT(id, previous);  // a later millisecond sorts later
    previous = id;
  }
}

// Random bytes come from a block per thread: within one millisecond, on
// several threads and across many refills of each block, no id repeats.
TEST(IdGeneratorTest, RandomIdsInOneMillisecondOnManyThreadsNeverRepeat) {
  FakeClock clock(absl::FromUnixSeconds(1'800'000'000));  // never advanced
  RandomIdGenerator ids(&clock);
  std::vector<std::vector<std::string>> made(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20000; ++i) made[t].push_back(ids.NewId());
    });
  }
  for (std::thread& t : threads) t.join();
  absl::flat_hash_set<std::string> seen;
  for (const std::vector<std::string>& batch : made) {
    for (const std::string& id : batch) EXPECT_TRUE(seen.insert(id).second) << id;
  }
  EXPECT_EQ(seen.size(), 80000u);
}

TEST(IdGeneratorTest, SequentialIdsCount) {
  SequentialIdGenerator ids("r");
  EXPECT_EQ(ids.NewId(), "r1");
  EXPECT_EQ(ids.NewId(), "r2");
}

}  // namespace
}  // namespace sprout
