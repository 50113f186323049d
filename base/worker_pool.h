// A fixed set of threads that run blocking work (store reads, audit appends)
// so gRPC callback threads never wait on a disk or a database (ADR 0001).
#ifndef SPROUT_BASE_WORKER_POOL_H_
#define SPROUT_BASE_WORKER_POOL_H_

#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace sprout {

// Thread-safe. Tasks run in the order scheduled, several at once.
class WorkerPool {
 public:
  // REQUIRES: threads >= 1.
  explicit WorkerPool(int threads);
  // Runs every task already scheduled, then joins the threads.
  ~WorkerPool();

  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues `task` to run on one of the pool's threads. Scheduling from the
  // destructor's caller after destruction began is a bug.
  void Schedule(std::function<void()> task);

 private:
  void Run();
  bool HasWorkOrStopping() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  std::deque<std::function<void()>> tasks_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace sprout

#endif  // SPROUT_BASE_WORKER_POOL_H_
