// File: server/api/filtered_listing.h
//
// One page of a store listing narrowed by a MessageFilter, for List methods
// whose filters the store does not evaluate (AIP-158, AIP-160). The store is
// read in steps of exactly the items still wanted, so its next-page token
// always points just past the last item examined and no match is skipped or
// repeated; at most kMaxFilteredFetches steps run per call, after which the
// page may hold fewer items than asked for (AIP-158 allows it) and its
// next_page_token goes on from there. A token of a filtered listing is bound
// to its filter: reused with another filter it is refused.
#ifndef SPROUT_SERVER_API_FILTERED_LISTING_H_
#define SPROUT_SERVER_API_FILTERED_LISTING_H_

#include <functional>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/api/message_filter.h"
#include "server/store/store.h"

namespace sprout::api {

inline constexpr int kMaxFilteredFetches = 50;

// The store token inside a filtered listing's token, or INVALID_ARGUMENT on
// page_token when it was made for another filter. Unfiltered listings use
// the store's token as it is.
absl::StatusOr<std::string> InnerPageToken(const MessageFilter& filter,
                                           absl::string_view page_token);
// The token given to the client for `inner`, a store token ("" stays "").
std::string OuterPageToken(const MessageFilter& filter, const std::string& inner);

// FilteredPage()
//
// Up to `size` items of the listing `fetch(page_size, store_token)` reads,
// each passed through `as_shown` (e.g. the state as of now) and kept when
// `filter` matches what is shown. Returns fetch's error as it is.
template <typename T>
absl::StatusOr<store::Page<T>> FilteredPage(
    const MessageFilter& filter, int size, absl::string_view page_token,
    const std::function<absl::StatusOr<store::Page<T>>(int, const std::string&)>& fetch,
    const std::function<T(T)>& as_shown) {
  absl::StatusOr<std::string> token = InnerPageToken(filter, page_token);
  if (!token.ok()) return token.status();
  store::Page<T> out;
  for (int step = 0; step < kMaxFilteredFetches; ++step) {
    const int wanted = size - static_cast<int>(out.items.size());
    absl::StatusOr<store::Page<T>> page = fetch(filter.empty() ? size : wanted, *token);
    if (!page.ok()) return page.status();
    for (T& item : page->items) {
      T shown = as_shown(std::move(item));
      if (filter.Matches(shown)) out.items.push_back(std::move(shown));
    }
    *token = std::move(page->next_page_token);
    if (token->empty() || static_cast<int>(out.items.size()) >= size) break;
  }
  out.next_page_token = OuterPageToken(filter, *token);
  return out;
}

}  // namespace sprout::api

#endif  // SPROUT_SERVER_API_FILTERED_LISTING_H_
