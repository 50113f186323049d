#include "server/common/keyed_hash.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <fstream>
#include <sstream>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace sprout {
namespace {

std::string ToHex(const unsigned char* bytes, size_t n) {
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(bytes), n));
}

}  // namespace

KeyedHasher::KeyedHasher(std::string key) : key_(std::move(key)) {}

absl::StatusOr<KeyedHasher> KeyedHasher::FromFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read key file ", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string key = buffer.str();
  if (key.size() < 32) {
    return absl::InvalidArgumentError(absl::StrCat("key file ", path, " holds ", key.size(),
                                                   " bytes; at least 32 random bytes are needed"));
  }
  return KeyedHasher(std::move(key));
}

std::string KeyedHasher::HexDigest(absl::string_view data) const {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int out_len = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &out_len);
  return ToHex(out, out_len);
}

std::string Sha256Hex(absl::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int out_len = 0;
  EVP_Digest(data.data(), data.size(), out, &out_len, EVP_sha256(), nullptr);
  return ToHex(out, out_len);
}

}  // namespace sprout
