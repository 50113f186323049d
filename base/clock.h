#ifndef SPROUT_BASE_CLOCK_H_
#define SPROUT_BASE_CLOCK_H_

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace sprout {

// A Clock tells the time. Injected wherever a timestamp is taken so tests are
// deterministic (STYLE.md A3). Implementations are thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
};

// The wall clock. Thread-safe; a process-wide instance is returned by RealClock().
class SystemClock final : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
};

// Returns a process-lifetime SystemClock. Never null, never freed.
const Clock* RealClock();

// A clock that only moves when told to. Thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(absl::Time start) : now_(start) {}
  absl::Time Now() const override {
    absl::MutexLock lock(&mu_);
    return now_;
  }
  void Advance(absl::Duration d) {
    absl::MutexLock lock(&mu_);
    now_ += d;
  }
  void Set(absl::Time t) {
    absl::MutexLock lock(&mu_);
    now_ = t;
  }

 private:
  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sprout

#endif  // SPROUT_BASE_CLOCK_H_
