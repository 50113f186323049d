// Identifiers for referrals, decisions, queue items and episodes.
#ifndef SPROUT_SERVER_COMMON_ID_GENERATOR_H_
#define SPROUT_SERVER_COMMON_ID_GENERATOR_H_

#include <cstdint>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "base/clock.h"

namespace sprout {

// Makes unique resource ids. Implementations are thread-safe.
class IdGenerator {
 public:
  virtual ~IdGenerator() = default;
  // A new id: lower-case letters and digits only, so it is safe in resource
  // names ("referrals/{id}") and URLs.
  virtual std::string NewId() = 0;
};

// Time-ordered random ids: 10 base32 characters of milliseconds since the
// epoch then 16 of randomness (ULID-like, 26 characters), so ids sort by
// creation time and never collide across replicas in practice.
class RandomIdGenerator final : public IdGenerator {
 public:
  explicit RandomIdGenerator(const Clock* clock) : clock_(clock) {}
  std::string NewId() override;

 private:
  const Clock* const clock_;
};

// Deterministic ids "{prefix}{n}" for tests.
class SequentialIdGenerator final : public IdGenerator {
 public:
  explicit SequentialIdGenerator(std::string prefix = "id") : prefix_(std::move(prefix)) {}
  std::string NewId() override;

 private:
  const std::string prefix_;
  absl::Mutex mu_;
  int64_t next_ ABSL_GUARDED_BY(mu_) = 1;
};

}  // namespace sprout

#endif  // SPROUT_SERVER_COMMON_ID_GENERATOR_H_
