// File: base/snapshot_holder.h
//
// SnapshotHolder<T>: the current immutable T, swappable at run time (a
// configuration or a coder rebuilt on reload). Readers call Get() and use
// the snapshot for as long as they like; a concurrent Set() never changes
// what they hold. Thread-safe.
//
//   SnapshotHolder<intake::ReferralIntake> intake(std::move(initial));
//   std::shared_ptr<const intake::ReferralIntake> now = intake.Get();  // per call
//   ...
//   intake.Set(std::move(rebuilt));                                    // on reload
#ifndef SPROUT_BASE_SNAPSHOT_HOLDER_H_
#define SPROUT_BASE_SNAPSHOT_HOLDER_H_

#include <memory>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace sprout {

template <typename T>
class SnapshotHolder {
 public:
  explicit SnapshotHolder(std::shared_ptr<const T> initial) : current_(std::move(initial)) {}

  // Get()
  //
  // The current snapshot. The lock is held only to copy the pointer.
  std::shared_ptr<const T> Get() const {
    absl::MutexLock lock(&mu_);
    return current_;
  }

  // Set()
  //
  // Makes `next` current. The previous snapshot is freed when its last
  // reader drops it, outside the lock.
  void Set(std::shared_ptr<const T> next) {
    std::shared_ptr<const T> old;
    {
      absl::MutexLock lock(&mu_);
      old = std::exchange(current_, std::move(next));
    }
  }

 private:
  mutable absl::Mutex mu_;
  std::shared_ptr<const T> current_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sprout

#endif  // SPROUT_BASE_SNAPSHOT_HOLDER_H_
