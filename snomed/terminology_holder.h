// File: snomed/terminology_holder.h
//
// TerminologyHolder: the current Terminology, swappable at run time (hot
// reload). Readers call Get() and use the returned pointer for as long as they
// like; a concurrent Set() never changes what they see. Thread-safe.
//
//   TerminologyHolder holder(std::move(initial));
//   std::shared_ptr<const Terminology> t = holder.Get();   // per request
//   ...
//   holder.Set(std::move(reloaded));                       // on reload
#ifndef SPROUT_SNOMED_TERMINOLOGY_HOLDER_H_
#define SPROUT_SNOMED_TERMINOLOGY_HOLDER_H_

#include <memory>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "snomed/terminology.h"

namespace sprout::snomed {

class TerminologyHolder {
 public:
  TerminologyHolder() = default;
  explicit TerminologyHolder(std::shared_ptr<const Terminology> t) : current_(std::move(t)) {}

  // Get()
  //
  // The current Terminology (null until the first Set if default-constructed).
  // The lock is held only to copy the pointer.
  std::shared_ptr<const Terminology> Get() const {
    absl::MutexLock lock(&mu_);
    return current_;
  }

  // Set()
  //
  // Makes `t` current. The previous one is freed when its last reader drops it.
  void Set(std::shared_ptr<const Terminology> t) {
    std::shared_ptr<const Terminology> old;
    {
      absl::MutexLock lock(&mu_);
      old = std::exchange(current_, std::move(t));
    }
    // `old` is released here, outside the lock: freeing a release takes time.
  }

 private:
  mutable absl::Mutex mu_;
  std::shared_ptr<const Terminology> current_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sprout::snomed

#endif  // SPROUT_SNOMED_TERMINOLOGY_HOLDER_H_
