#include "server/store/page_token.h"

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace sprout::store {
namespace {

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 1000;

// FNV-1a: stable across processes and builds, unlike absl::Hash. Tokens are
// not secrets, so a non-cryptographic fingerprint is enough.
std::string Fingerprint(absl::string_view kind, absl::string_view scope) {
  uint64_t h = 1469598103934665603ULL;
  auto mix = [&h](absl::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ULL;
    }
  };
  mix(kind);
  mix(absl::string_view("\0", 1));
  mix(scope);
  return absl::StrCat(absl::Hex(h, absl::kZeroPad16));
}

absl::Status BadToken() {
  return absl::InvalidArgumentError(
      "page_token is not valid for this request; start again without a page_token");
}

}  // namespace

std::string EncodePageToken(absl::string_view kind, absl::string_view scope,
                            const PageCursor& cursor) {
  return absl::WebSafeBase64Escape(
      absl::StrCat("1:", Fingerprint(kind, scope), ":", cursor.primary, ":", cursor.secondary));
}

absl::StatusOr<PageCursor> DecodePageToken(absl::string_view token, absl::string_view kind,
                                           absl::string_view scope) {
  std::string raw;
  if (token.empty() || !absl::WebSafeBase64Unescape(token, &raw)) return BadToken();
  std::vector<absl::string_view> parts = absl::StrSplit(raw, ':');
  PageCursor cursor;
  if (parts.size() != 4 || parts[0] != "1" || parts[1] != Fingerprint(kind, scope) ||
      !absl::SimpleAtoi(parts[2], &cursor.primary) ||
      !absl::SimpleAtoi(parts[3], &cursor.secondary)) {
    return BadToken();
  }
  return cursor;
}

int EffectivePageSize(int requested) {
  if (requested <= 0) return kDefaultPageSize;
  return requested > kMaxPageSize ? kMaxPageSize : requested;
}

}  // namespace sprout::store
