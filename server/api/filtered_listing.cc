#include "server/api/filtered_listing.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/common/errors.h"
#include "server/common/keyed_hash.h"

namespace sprout::api {
namespace {

// "f" and 16 hex digits of the filter's hash, then ".", then the store token.
std::string FilterTag(const MessageFilter& filter) {
  return absl::StrCat("f", Sha256Hex(filter.canonical()).substr(0, 16), ".");
}

}  // namespace

absl::StatusOr<std::string> InnerPageToken(const MessageFilter& filter,
                                           absl::string_view page_token) {
  if (filter.empty() || page_token.empty()) return std::string(page_token);
  const std::string tag = FilterTag(filter);
  if (!absl::StartsWith(page_token, tag)) {
    return InvalidArgumentWithViolations(
        {{"page_token",
          "belongs to a listing with a different filter (or none); send the same filter with it, "
          "or start again without page_token"}},
        "INVALID_PAGE_TOKEN");
  }
  return std::string(page_token.substr(tag.size()));
}

std::string OuterPageToken(const MessageFilter& filter, const std::string& inner) {
  if (filter.empty() || inner.empty()) return inner;
  return absl::StrCat(FilterTag(filter), inner);
}

}  // namespace sprout::api
