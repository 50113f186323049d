// File: server/store/body_cipher.h
//
// BodyCipher seals the bodies the store keeps (referrals, queue items,
// routing decisions, contacts: everything that identifies a person or tells
// their story) with AES-256-GCM before they reach a database file, and opens
// them on the way back (doc/encryption-at-rest.md). Both backends use it;
// neither ever writes a body any other way.
//
// A sealed value is
//   "SPE1" | key id length (1 byte) | key id | nonce (12 bytes) | ciphertext | tag (16 bytes)
// with a fresh random nonce per value and the row's record name (e.g.
// "referrals/3f2a...") as associated data, so a value copied into another
// row, or cut and spliced, fails to open. The key id says which key of the
// ring opens it; seals always use the ring's write key.
//
// A stored value without the "SPE1" prefix is a body written before
// encryption existed (a serialized protobuf never starts with that byte: it
// would be a group, which proto3 does not write). It opens as plaintext and
// counts as "not on the write key", so re-encryption seals it.
//
// Thread-safe. ReplaceKeys swaps the ring for a re-read key file; values in
// flight open or seal with the old ring or the new, never a mix.
#ifndef SPROUT_SERVER_STORE_BODY_CIPHER_H_
#define SPROUT_SERVER_STORE_BODY_CIPHER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "google/protobuf/message_lite.h"
#include "server/store/data_keys.h"

namespace sprout::store {

class BodyCipher {
 public:
  explicit BodyCipher(DataKeyRing keys);

  // Seal()
  //
  // `plaintext` sealed with the write key for the row named `record`.
  std::string Seal(absl::string_view record, absl::string_view plaintext) const;

  // Open()
  //
  // The plaintext of `stored`, sealed for `record`. DATA_LOSS when the value
  // is damaged, was sealed for another row, or its key fails it;
  // FAILED_PRECONDITION when its key id is not in the ring (a key removed
  // from the key file too soon). Messages name the record and key id only.
  absl::StatusOr<std::string> Open(absl::string_view record, absl::string_view stored) const;

  // Protocol buffer bodies: serialize then seal; open then parse (DATA_LOSS
  // when the opened bytes do not parse).
  std::string SealMessage(absl::string_view record,
                          const google::protobuf::MessageLite& body) const;
  absl::Status OpenMessage(absl::string_view record, absl::string_view stored,
                           google::protobuf::MessageLite* body) const;

  // Reseal()
  //
  // For re-encryption after a rotation: nullopt when `stored` is already
  // sealed with the write key (nothing to do); otherwise the value opened
  // and sealed again with the write key.
  absl::StatusOr<std::optional<std::string>> Reseal(absl::string_view record,
                                                    absl::string_view stored) const;

  // The key id `stored` was sealed with; empty for a plaintext body.
  static std::string KeyIdOf(absl::string_view stored);

  // ReplaceKeys()
  //
  // Uses `keys` from now on (its last key becomes the write key).
  void ReplaceKeys(DataKeyRing keys);

  std::string write_key_id() const;
  // Every key id of the ring, the write key last.
  std::vector<std::string> key_ids() const;

 private:
  std::shared_ptr<const DataKeyRing> keys() const;

  mutable absl::Mutex mu_;
  std::shared_ptr<const DataKeyRing> keys_ ABSL_GUARDED_BY(mu_);
};

// The record names bodies are sealed for (their associated data): the table
// and the row's identity, so a body opens only in the row it was written to.
std::string ReferralRecord(absl::string_view referral_id);
std::string QueueItemRecord(absl::string_view item_id);
std::string DecisionRecord(absl::string_view decision_id);
std::string ContactRecord(absl::string_view referral_id, int64_t number);

}  // namespace sprout::store

#endif  // SPROUT_SERVER_STORE_BODY_CIPHER_H_
