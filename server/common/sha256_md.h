// SHA-256 as an OpenSSL 3 message digest fetched once. EVP_sha256() makes
// every EVP_DigestInit_ex fetch the provider's implementation again (a lock
// and a table lookup each time); the hot paths hash once or twice a referral
// (the request fingerprint, the audit chain), so they share one fetch.
#ifndef SPROUT_SERVER_COMMON_SHA256_MD_H_
#define SPROUT_SERVER_COMMON_SHA256_MD_H_

#include <openssl/evp.h>

#include <cstdlib>

namespace sprout {

// Never null; kept for the life of the process.
inline const EVP_MD* Sha256Md() {
  static EVP_MD* const md = [] {
    EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (fetched == nullptr) std::abort();  // OpenSSL without SHA-256: nothing can run
    return fetched;
  }();
  return md;
}

}  // namespace sprout

#endif  // SPROUT_SERVER_COMMON_SHA256_MD_H_
