// File: server/admission/agency_rate_limiter.h
//
// Per-agency rate limits for SubmitReferral: each submitting organisation
// (the organisation code in the caller's client certificate) has a token
// bucket of `burst` tokens refilled at `rate_per_second`, so a flood from one
// GP practice, police force or housing provider cannot take the capacity
// every other agency needs. A refused call costs one hash-map probe and
// stores nothing.
//
//   AgencyRateLimiter limiter({.rate_per_second = 50, .burst = 200}, clock);
//   if (absl::Status s = limiter.Admit(caller.organisation_code); !s.ok()) return s;
#ifndef SPROUT_SERVER_ADMISSION_AGENCY_RATE_LIMITER_H_
#define SPROUT_SERVER_ADMISSION_AGENCY_RATE_LIMITER_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "base/clock.h"

namespace sprout::admission {

// The ErrorInfo reason of a call refused by an agency's rate limit.
inline constexpr absl::string_view kAgencyRateLimited = "AGENCY_RATE_LIMITED";

struct AgencyRateLimits {
  // Sustained submissions per second allowed to one organisation; 0 disables
  // the limit. Default: 50/s, far above one agency's normal use (a busy
  // practice sends tens of referrals a day) yet a small share of capacity.
  double rate_per_second = 50;
  // How many submissions an idle organisation may send at once (the bucket's
  // size), e.g. a practice system flushing a backlog. REQUIRES: >= 1 when
  // rate_per_second > 0. Default: 200.
  int burst = 200;
  // At most this many organisations are tracked (about 100 bytes each).
  // Buckets that have refilled are forgotten first, which changes nothing;
  // only when every tracked organisation is mid-burst is the one nearest to
  // full forgotten, giving it at most one extra burst. Organisations come
  // from certificates our CA issued, so a real deployment has a few thousand.
  // Default: 100000.
  size_t max_tracked_organisations = 100000;
  // Independent lock shards; more shards, less contention. Default: 16.
  int shards = 16;
};

// AgencyRateLimiter: thread-safe. Each call locks one shard briefly.
// The clock must outlive the limiter.
//
// Implemented as GCRA, the exact equivalent of a token bucket: per
// organisation one time, the "theoretical arrival time" at which the bucket
// would be full again, so refills need no timer and a full bucket is the same
// as no entry at all.
class AgencyRateLimiter {
 public:
  AgencyRateLimiter(AgencyRateLimits limits, const Clock* clock);

  AgencyRateLimiter(const AgencyRateLimiter&) = delete;
  AgencyRateLimiter& operator=(const AgencyRateLimiter&) = delete;

  // Admit()
  //
  // Takes one token from `organisation_code`'s bucket and returns OK, or,
  // when the bucket is empty, takes nothing and returns RESOURCE_EXHAUSTED
  // with ErrorInfo {reason AGENCY_RATE_LIMITED, metadata organisation,
  // rate_per_second, burst} and a RetryInfo whose retry_delay is when the
  // next token arrives, rounded up to the millisecond. Always OK when
  // disabled.
  absl::Status Admit(absl::string_view organisation_code);

  // The number of organisations held in memory: at most
  // max_tracked_organisations rounded up to a multiple of `shards`. Full
  // buckets stay until room is needed.
  size_t tracked_organisations() const;

  // Calls refused since construction, for operators' statistics.
  int64_t refused() const { return refused_.load(std::memory_order_relaxed); }

  bool enabled() const { return limits_.rate_per_second > 0; }

 private:
  struct Shard {
    mutable absl::Mutex mu;
    // organisation code -> the time its bucket is full again.
    absl::flat_hash_map<std::string, absl::Time> full_at ABSL_GUARDED_BY(mu);
  };

  Shard& ShardOf(absl::string_view organisation_code);
  // Makes room for one more entry in `shard`. REQUIRES: shard.mu held.
  void EvictFrom(Shard& shard, absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(shard.mu);

  // Constant after construction
  const AgencyRateLimits limits_;
  const Clock* const clock_;
  const absl::Duration interval_;   // time for one token to arrive
  const absl::Duration tolerance_;  // (burst - 1) intervals: how far ahead a bucket may run
  const size_t per_shard_cap_;
  const std::unique_ptr<Shard[]> shards_;

  std::atomic<int64_t> refused_{0};
};

}  // namespace sprout::admission

#endif  // SPROUT_SERVER_ADMISSION_AGENCY_RATE_LIMITER_H_
