#include "server/common/id_generator.h"

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

TEST(IdGeneratorTest, SequentialIdsCount) {
  SequentialIdGenerator ids("r");
  EXPECT_EQ(ids.NewId(), "r1");
  EXPECT_EQ(ids.NewId(), "r2");
}

}  // namespace
}  // namespace sprout
