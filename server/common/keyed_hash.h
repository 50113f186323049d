// Keyed hashing (HMAC-SHA256) for pseudonymous person keys and request
// fingerprints. Person keys let Sprout match episodes and detect duplicates
// without storing or logging an NHS number in the clear (DESIGN.md §7).
#ifndef SPROUT_SERVER_COMMON_KEYED_HASH_H_
#define SPROUT_SERVER_COMMON_KEYED_HASH_H_

#include <openssl/types.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sprout {

// Computes HMAC-SHA256 under a secret key. Immutable and thread-safe.
//
// The key is set up once (OpenSSL's HMAC context, its inner and outer pads
// hashed) and each digest starts from a copy of that context: the one-shot
// HMAC() fetches SHA-256 and keys a new context every call, which cost about
// 6% of a SubmitReferral's CPU.
class KeyedHasher {
 public:
  // REQUIRES: key.size() >= 32.
  explicit KeyedHasher(std::string key);

  // Reads a key file (at least 32 bytes; a trailing newline is kept as key
  // material, so write keys with `head -c 32 /dev/urandom`). Errors name the
  // path and say what is wrong; the key itself never appears in messages.
  static absl::StatusOr<KeyedHasher> FromFile(const std::string& path);

  // Lower-case hex HMAC-SHA256 of `data`, 64 characters.
  std::string HexDigest(absl::string_view data) const;

 private:
  std::string key_;
  // Keyed with key_; never updated itself, only duplicated.
  std::shared_ptr<EVP_MAC_CTX> keyed_;
};

// Lower-case hex SHA-256 of `data` (unkeyed; for request fingerprints).
std::string Sha256Hex(absl::string_view data);

}  // namespace sprout

#endif  // SPROUT_SERVER_COMMON_KEYED_HASH_H_
