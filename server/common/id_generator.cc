#include "server/common/id_generator.h"

#include <openssl/rand.h>

#include "absl/strings/str_cat.h"

namespace sprout {
namespace {

constexpr char kBase32[] = "0123456789abcdefghjkmnpqrstvwxyz";  // Crockford, lower case

}  // namespace

std::string RandomIdGenerator::NewId() {
  uint64_t millis = static_cast<uint64_t>(absl::ToUnixMillis(clock_->Now()));
  std::string id(26, '0');
  for (int i = 9; i >= 0; --i) {
    id[i] = kBase32[millis & 31];
    millis >>= 5;
  }
  unsigned char random[16];
  if (RAND_bytes(random, sizeof(random)) != 1) {
    // OpenSSL's CSPRNG failing means the process cannot make safe ids at all.
    abort();
  }
  for (int i = 0; i < 16; ++i) id[10 + i] = kBase32[random[i] & 31];
  return id;
}

std::string SequentialIdGenerator::NewId() {
  absl::MutexLock lock(&mu_);
  return absl::StrCat(prefix_, next_++);
}

}  // namespace sprout
