// File: server/store/data_keys.h
//
// The data keys that encrypt patient data at rest (doc/encryption-at-rest.md):
// AES-256 keys, each with a short id stored beside every value it sealed.
// The key file holds one key per line; the last line is the write key, the
// others are kept so that values sealed before a rotation still open.
//
//   # Sprout data keys. The last line is the write key. Keep secret; back up.
//   k1 3f9c...64 hex digits...
//   k2 a07e...
//
// Usage:
//   SPROUT_ASSIGN_OR_RETURN(DataKeyRing keys, DataKeyRing::ReadFile("var/data.keys"));
//   keys.write_key().id  // "k2"
#ifndef SPROUT_SERVER_STORE_DATA_KEYS_H_
#define SPROUT_SERVER_STORE_DATA_KEYS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sprout::store {

// Bytes in a data key (AES-256).
inline constexpr size_t kDataKeyBytes = 32;
// Longest key id: 1 to 16 of [A-Za-z0-9_-].
inline constexpr size_t kMaxDataKeyIdLength = 16;

struct DataKey {
  std::string id;
  std::string secret;  // kDataKeyBytes raw bytes
};

// An ordered, non-empty set of keys with distinct ids. Immutable value.
class DataKeyRing {
 public:
  // Parse()
  //
  // The key file's text. INVALID_ARGUMENT naming the line (never its key)
  // for a malformed line, a repeated id, or no key at all.
  static absl::StatusOr<DataKeyRing> Parse(absl::string_view text);

  // ReadFile()
  //
  // Reads and parses `path`, refusing (FAILED_PRECONDITION) a file its group
  // or others can read. Errors are one line starting with `label` (e.g. the
  // flag that named the file) and naming the path.
  static absl::StatusOr<DataKeyRing> ReadFile(const std::string& label, const std::string& path);

  // A ring of one new random key with id "k1".
  static DataKeyRing Generate();

  // This ring with a new random key appended as the write key; its id is
  // "k{n+1}" for the largest n among ids of that form.
  DataKeyRing WithNewWriteKey() const;

  // Without()
  //
  // This ring without key `id`. NOT_FOUND for an unknown id;
  // FAILED_PRECONDITION for the write key (add a new one first). Whether
  // anything is still sealed with it is for the caller to know:
  // `sproutctl admin reencrypt` reports when nothing is.
  absl::StatusOr<DataKeyRing> Without(absl::string_view id) const;

  // The key file text (header comment, one line per key).
  std::string Format() const;

  // WriteFile()
  //
  // Writes Format() to `path` created 0600 (whatever the umask): to a
  // temporary file beside it, fsynced, then renamed into place, so a reader
  // sees the old ring or the new, never half of one. With `replace` false,
  // ALREADY_EXISTS when `path` exists.
  absl::Status WriteFile(const std::string& path, bool replace) const;

  const DataKey& write_key() const { return keys_.back(); }
  // nullptr when no key has `id`.
  const DataKey* Find(absl::string_view id) const;
  const std::vector<DataKey>& keys() const { return keys_; }

 private:
  explicit DataKeyRing(std::vector<DataKey> keys) : keys_(std::move(keys)) {}
  std::vector<DataKey> keys_;
};

}  // namespace sprout::store

#endif  // SPROUT_SERVER_STORE_DATA_KEYS_H_
