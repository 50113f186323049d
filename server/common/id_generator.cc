#include "server/common/id_generator.h"

#include <openssl/rand.h>

#include <cstdlib>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace sprout {
namespace {

constexpr char kBase32[] = "0123456789abcdefghjkmnpqrstvwxyz";  // Crockford, lower case

// Random bytes drawn from OpenSSL's CSPRNG a block at a time: RAND_bytes has
// a fixed cost per call (its DRBG's lock and reseed checks) that was about 5%
// of a SubmitReferral's CPU at four ids a referral. Each thread has its own
// block, so no lock; the bytes are as unpredictable as RAND_bytes' own. (A
// forked child would share its parent's unused block; sproutd never forks.)
void RandomBytes(unsigned char* out, size_t n) {
  constexpr size_t kBlock = 1024;
  thread_local unsigned char block[kBlock];
  thread_local size_t used = kBlock;
  if (used + n > kBlock) {
    if (RAND_bytes(block, sizeof(block)) != 1) {
      // OpenSSL's CSPRNG failing means the process cannot make safe ids at all.
      abort();
    }
    used = 0;
  }
  std::memcpy(out, block + used, n);
  std::memset(block + used, 0, n);  // never handed out twice
  used += n;
}

}  // namespace

std::string RandomIdGenerator::NewId() {
  uint64_t millis = static_cast<uint64_t>(absl::ToUnixMillis(clock_->Now()));
  std::string id(26, '0');
  for (int i = 9; i >= 0; --i) {
    id[i] = kBase32[millis & 31];
    millis >>= 5;
  }
  unsigned char random[16];
  RandomBytes(random, sizeof(random));
  for (int i = 0; i < 16; ++i) id[10 + i] = kBase32[random[i] & 31];
  return id;
}

std::string SequentialIdGenerator::NewId() {
  absl::MutexLock lock(&mu_);
  return absl::StrCat(prefix_, next_++);
}

}  // namespace sprout
