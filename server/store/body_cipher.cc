#include "server/store/body_cipher.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdio>
#include <cstdlib>
#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace sprout::store {
namespace {

constexpr absl::string_view kMagic = "SPE1";
constexpr size_t kNonceBytes = 12;
constexpr size_t kTagBytes = 16;

// The parts of a sealed value; views into it.
struct SealedParts {
  absl::string_view key_id;
  absl::string_view nonce;
  absl::string_view ciphertext;
  absl::string_view tag;
};

bool IsSealed(absl::string_view stored) { return absl::StartsWith(stored, kMagic); }

// False when `stored` (which starts with the magic) is too short or its key
// id length runs past the end.
bool SplitSealed(absl::string_view stored, SealedParts* parts) {
  stored.remove_prefix(kMagic.size());
  if (stored.empty()) return false;
  const size_t id_length = static_cast<unsigned char>(stored[0]);
  stored.remove_prefix(1);
  if (id_length == 0 || stored.size() < id_length + kNonceBytes + kTagBytes) return false;
  parts->key_id = stored.substr(0, id_length);
  parts->nonce = stored.substr(id_length, kNonceBytes);
  parts->ciphertext =
      stored.substr(id_length + kNonceBytes, stored.size() - id_length - kNonceBytes - kTagBytes);
  parts->tag = stored.substr(stored.size() - kTagBytes);
  return true;
}

const unsigned char* Bytes(absl::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// AES-256-GCM, fetched from the default provider once. OpenSSL 3 looks the
// algorithm up again on every init given EVP_aes_256_gcm(), which costs more
// than sealing a referral; a fetched cipher is reused, thread-safe.
const EVP_CIPHER* Aes256Gcm() {
  static_assert(kNonceBytes == 12, "the inits below rely on GCM's default nonce length");
  static const EVP_CIPHER* const cipher = [] {
    EVP_CIPHER* fetched = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
    if (fetched == nullptr) {
      std::fprintf(stderr, "sprout: OpenSSL has no AES-256-GCM; cannot keep data encrypted\n");
      std::abort();
    }
    return fetched;
  }();
  return cipher;
}

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

// OpenSSL fails to seal only when out of memory or misbuilt: nothing a
// caller can handle, and writing the body in clear instead is not allowed.
[[noreturn]] void SealFailed(const char* step) {
  std::fprintf(stderr, "sprout: AES-256-GCM %s failed; stopping rather than store in clear\n",
               step);
  std::abort();
}

std::string SealWith(const DataKey& key, absl::string_view record, absl::string_view plaintext) {
  std::string out;
  out.reserve(kMagic.size() + 1 + key.id.size() + kNonceBytes + plaintext.size() + kTagBytes);
  out.append(kMagic.data(), kMagic.size());
  out.push_back(static_cast<char>(key.id.size()));
  out.append(key.id);
  const size_t nonce_at = out.size();
  out.resize(nonce_at + kNonceBytes);
  unsigned char* nonce = reinterpret_cast<unsigned char*>(&out[nonce_at]);
  if (RAND_bytes(nonce, kNonceBytes) != 1) SealFailed("nonce");
  const size_t text_at = out.size();
  out.resize(text_at + plaintext.size() + kTagBytes);

  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int length = 0;
  if (ctx == nullptr ||
      // One init with key and nonce: 12 bytes is GCM's default nonce length.
      EVP_EncryptInit_ex(ctx.get(), Aes256Gcm(), nullptr, Bytes(key.secret),
                         reinterpret_cast<const unsigned char*>(&out[nonce_at])) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &length, Bytes(record),
                        static_cast<int>(record.size())) != 1) {
    SealFailed("setup");
  }
  unsigned char* text = reinterpret_cast<unsigned char*>(&out[text_at]);
  if (EVP_EncryptUpdate(ctx.get(), text, &length, Bytes(plaintext),
                        static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), text + length, &length) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, text + plaintext.size()) !=
          1) {
    SealFailed("encryption");
  }
  return out;
}

absl::StatusOr<std::string> OpenWith(const DataKeyRing& keys, absl::string_view record,
                                     absl::string_view stored) {
  if (!IsSealed(stored)) return std::string(stored);  // written before encryption
  SealedParts parts;
  if (!SplitSealed(stored, &parts)) {
    return absl::DataLossError(absl::StrCat("the stored body of ", record, " is truncated"));
  }
  const DataKey* key = keys.Find(parts.key_id);
  if (key == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat("the stored body of ", record, " is sealed with data key '", parts.key_id,
                     "', which the data key file no longer holds; put that key back"));
  }
  std::string plaintext(parts.ciphertext.size(), '\0');
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int length = 0;
  unsigned char* text = reinterpret_cast<unsigned char*>(plaintext.data());
  std::string tag(parts.tag);
  const bool ok =
      ctx != nullptr &&
      EVP_DecryptInit_ex(ctx.get(), Aes256Gcm(), nullptr, Bytes(key->secret), Bytes(parts.nonce)) ==
          1 &&
      EVP_DecryptUpdate(ctx.get(), nullptr, &length, Bytes(record),
                        static_cast<int>(record.size())) == 1 &&
      EVP_DecryptUpdate(ctx.get(), text, &length, Bytes(parts.ciphertext),
                        static_cast<int>(parts.ciphertext.size())) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data()) == 1 &&
      EVP_DecryptFinal_ex(ctx.get(), text + length, &length) == 1;
  if (!ok) {
    return absl::DataLossError(absl::StrCat("the stored body of ", record,
                                            " fails authentication under data key '", parts.key_id,
                                            "' (damaged, or not this row's)"));
  }
  return plaintext;
}

}  // namespace

BodyCipher::BodyCipher(DataKeyRing keys)
    : keys_(std::make_shared<const DataKeyRing>(std::move(keys))) {}

std::shared_ptr<const DataKeyRing> BodyCipher::keys() const {
  absl::MutexLock lock(&mu_);
  return keys_;
}

std::string BodyCipher::Seal(absl::string_view record, absl::string_view plaintext) const {
  return SealWith(keys()->write_key(), record, plaintext);
}

absl::StatusOr<std::string> BodyCipher::Open(absl::string_view record,
                                             absl::string_view stored) const {
  return OpenWith(*keys(), record, stored);
}

std::string BodyCipher::SealMessage(absl::string_view record,
                                    const google::protobuf::MessageLite& body) const {
  return Seal(record, body.SerializeAsString());
}

absl::Status BodyCipher::OpenMessage(absl::string_view record, absl::string_view stored,
                                     google::protobuf::MessageLite* body) const {
  absl::StatusOr<std::string> plaintext = Open(record, stored);
  if (!plaintext.ok()) return plaintext.status();
  if (!body->ParseFromString(*plaintext)) {
    return absl::DataLossError(absl::StrCat("the stored body of ", record, " does not parse"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<std::string>> BodyCipher::Reseal(absl::string_view record,
                                                              absl::string_view stored) const {
  std::shared_ptr<const DataKeyRing> ring = keys();
  if (IsSealed(stored) && KeyIdOf(stored) == ring->write_key().id) return std::nullopt;
  absl::StatusOr<std::string> plaintext = OpenWith(*ring, record, stored);
  if (!plaintext.ok()) return plaintext.status();
  return SealWith(ring->write_key(), record, *plaintext);
}

std::string BodyCipher::KeyIdOf(absl::string_view stored) {
  SealedParts parts;
  if (!IsSealed(stored) || !SplitSealed(stored, &parts)) return "";
  return std::string(parts.key_id);
}

void BodyCipher::ReplaceKeys(DataKeyRing keys) {
  auto ring = std::make_shared<const DataKeyRing>(std::move(keys));
  absl::MutexLock lock(&mu_);
  keys_ = std::move(ring);
}

std::string BodyCipher::write_key_id() const { return keys()->write_key().id; }

std::vector<std::string> BodyCipher::key_ids() const {
  std::vector<std::string> ids;
  for (const DataKey& key : keys()->keys()) ids.push_back(key.id);
  return ids;
}

std::string ReferralRecord(absl::string_view referral_id) {
  return absl::StrCat("referrals/", referral_id);
}
std::string QueueItemRecord(absl::string_view item_id) {
  return absl::StrCat("queue_items/", item_id);
}
std::string DecisionRecord(absl::string_view decision_id) {
  return absl::StrCat("routing_decisions/", decision_id);
}
std::string ContactRecord(absl::string_view referral_id, int64_t number) {
  return absl::StrCat("contacts/", referral_id, "/", number);
}

}  // namespace sprout::store
