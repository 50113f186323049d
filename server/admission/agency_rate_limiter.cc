#include "server/admission/agency_rate_limiter.h"

#include <algorithm>
#include <utility>

#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "server/common/errors.h"

namespace sprout::admission {
namespace {

absl::Duration IntervalOf(const AgencyRateLimits& limits) {
  if (limits.rate_per_second <= 0) return absl::InfiniteDuration();
  return absl::Seconds(1) / limits.rate_per_second;
}

// RetryInfo carries milliseconds; rounding down could tell a client to come
// back just before its token arrives.
absl::Duration RoundUpToMillisecond(absl::Duration d) {
  const absl::Duration down = absl::Floor(d, absl::Milliseconds(1));
  return down == d ? d : down + absl::Milliseconds(1);
}

}  // namespace

AgencyRateLimiter::AgencyRateLimiter(AgencyRateLimits limits, const Clock* clock)
    : limits_(limits),
      clock_(clock),
      interval_(IntervalOf(limits)),
      tolerance_(limits.rate_per_second > 0 ? interval_ * std::max(limits.burst - 1, 0)
                                            : absl::ZeroDuration()),
      per_shard_cap_(
          std::max<size_t>(1, (limits.max_tracked_organisations + std::max(limits.shards, 1) - 1) /
                                  std::max(limits.shards, 1))),
      shards_(new Shard[std::max(limits.shards, 1)]) {}

AgencyRateLimiter::Shard& AgencyRateLimiter::ShardOf(absl::string_view organisation_code) {
  const size_t n = static_cast<size_t>(std::max(limits_.shards, 1));
  // Salted so the shard does not fix the low bits of the hash the shard's own
  // table uses for its control bytes.
  return shards_[absl::HashOf(organisation_code, size_t{0x5be0cd19}) % n];
}

absl::Status AgencyRateLimiter::Admit(absl::string_view organisation_code) {
  if (!enabled()) return absl::OkStatus();
  const absl::Time now = clock_->Now();
  Shard& shard = ShardOf(organisation_code);
  absl::Duration wait;
  {
    absl::MutexLock lock(&shard.mu);
    auto it = shard.full_at.find(organisation_code);
    // A bucket that is full (or has no entry) behaves as if full at `now`.
    const absl::Time full_at = it == shard.full_at.end() ? now : std::max(it->second, now);
    const absl::Duration ahead = full_at - now;  // tokens in use, as time
    if (ahead <= tolerance_) {
      if (it != shard.full_at.end()) {
        it->second = full_at + interval_;
      } else {
        if (shard.full_at.size() >= per_shard_cap_) EvictFrom(shard, now);
        shard.full_at.emplace(std::string(organisation_code), full_at + interval_);
      }
      return absl::OkStatus();
    }
    wait = ahead - tolerance_;
  }
  refused_.fetch_add(1, std::memory_order_relaxed);
  absl::Status refused = ResourceExhaustedWithRetry(
      kAgencyRateLimited,
      absl::StrCat("organisation ", organisation_code, " is over its rate limit of ",
                   limits_.rate_per_second, " referrals a second (burst ", limits_.burst,
                   "); nothing was stored; retry after the delay given"),
      RoundUpToMillisecond(wait));
  SetErrorInfo(refused, kAgencyRateLimited,
               {{"organisation", std::string(organisation_code)},
                {"rate_per_second", absl::StrCat(limits_.rate_per_second)},
                {"burst", absl::StrCat(limits_.burst)}});
  return refused;
}

void AgencyRateLimiter::EvictFrom(Shard& shard, absl::Time now) {
  // Full buckets first: forgetting them changes no decision.
  absl::erase_if(shard.full_at, [now](const auto& entry) { return entry.second <= now; });
  if (shard.full_at.size() < per_shard_cap_) return;
  // Every tracked organisation is mid-burst: forget the one nearest to full,
  // the smallest error available.
  auto nearest = std::min_element(shard.full_at.begin(), shard.full_at.end(),
                                  [](const auto& a, const auto& b) { return a.second < b.second; });
  shard.full_at.erase(nearest);
}

size_t AgencyRateLimiter::tracked_organisations() const {
  size_t n = 0;
  for (int i = 0; i < std::max(limits_.shards, 1); ++i) {
    absl::MutexLock lock(&shards_[i].mu);
    n += shards_[i].full_at.size();
  }
  return n;
}

}  // namespace sprout::admission
