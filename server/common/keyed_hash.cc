#include "server/common/keyed_hash.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "server/common/sha256_md.h"

namespace sprout {
namespace {

std::string ToHex(const unsigned char* bytes, size_t n) {
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(bytes), n));
}

}  // namespace

KeyedHasher::KeyedHasher(std::string key) : key_(std::move(key)) {
  EVP_MAC* hmac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  EVP_MAC_CTX* ctx = hmac == nullptr ? nullptr : EVP_MAC_CTX_new(hmac);
  EVP_MAC_free(hmac);  // the context holds its own reference
  char digest[] = "SHA256";
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                               OSSL_PARAM_END};
  if (ctx == nullptr || EVP_MAC_init(ctx, reinterpret_cast<const unsigned char*>(key_.data()),
                                     key_.size(), params) != 1) {
    // OpenSSL without HMAC-SHA256 cannot pseudonymise anyone: nothing to serve.
    std::abort();
  }
  keyed_ = std::shared_ptr<EVP_MAC_CTX>(ctx, EVP_MAC_CTX_free);
}

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
  // Duplicating only reads keyed_, so threads may do it at once.
  std::unique_ptr<EVP_MAC_CTX, decltype(&EVP_MAC_CTX_free)> ctx(EVP_MAC_CTX_dup(keyed_.get()),
                                                                EVP_MAC_CTX_free);
  unsigned char out[EVP_MAX_MD_SIZE];
  size_t out_len = 0;
  if (ctx == nullptr ||
      EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(data.data()), data.size()) !=
          1 ||
      EVP_MAC_final(ctx.get(), out, &out_len, sizeof(out)) != 1) {
    std::abort();  // out of memory inside OpenSSL
  }
  return ToHex(out, out_len);
}

std::string Sha256Hex(absl::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int out_len = 0;
  EVP_Digest(data.data(), data.size(), out, &out_len, Sha256Md(), nullptr);
  return ToHex(out, out_len);
}

}  // namespace sprout
