// Keyed hashing (HMAC-SHA256) for pseudonymous person keys and request
// fingerprints. Person keys let Sprout match episodes and detect duplicates
// without storing or logging an NHS number in the clear (DESIGN.md §7).
#ifndef SPROUT_SERVER_COMMON_KEYED_HASH_H_
#define SPROUT_SERVER_COMMON_KEYED_HASH_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sprout {

// Computes HMAC-SHA256 under a secret key. Immutable and thread-safe.
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
};

// Lower-case hex SHA-256 of `data` (unkeyed; for request fingerprints).
std::string Sha256Hex(absl::string_view data);

}  // namespace sprout

#endif  // SPROUT_SERVER_COMMON_KEYED_HASH_H_
