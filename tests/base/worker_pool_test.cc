#include "base/worker_pool.h"

#include <atomic>
#include <memory>

#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"

namespace sprout {
namespace {

TEST(WorkerPoolTest, RunsEveryTaskScheduledBeforeDestruction) {
  std::atomic<int> ran{0};
  {
    WorkerPool pool(3);
    for (int i = 0; i < 1000; ++i) pool.Schedule([&ran] { ran.fetch_add(1); });
  }
  EXPECT_EQ(ran.load(), 1000);
}

TEST(WorkerPoolTest, RunsTasksConcurrently) {
  // Two tasks that each wait for the other can only finish on two threads.
  WorkerPool pool(2);
  absl::Notification a_started, b_started, both_done_a, both_done_b;
  pool.Schedule([&] {
    a_started.Notify();
    b_started.WaitForNotification();
    both_done_a.Notify();
  });
  pool.Schedule([&] {
    b_started.Notify();
    a_started.WaitForNotification();
    both_done_b.Notify();
  });
  both_done_a.WaitForNotification();
  both_done_b.WaitForNotification();
  SUCCEED();
}

}  // namespace
}  // namespace sprout
