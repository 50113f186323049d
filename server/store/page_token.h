// File: server/store/page_token.h
//
// Opaque, validated paging tokens (AIP-158) shared by the Store backends. A
// token carries the sort key of the last item returned (two integers), the
// kind of listing and a fingerprint of the query, so a token from one listing
// or filter cannot be replayed against another.
#ifndef SPROUT_SERVER_STORE_PAGE_TOKEN_H_
#define SPROUT_SERVER_STORE_PAGE_TOKEN_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sprout::store {

// The position after which the next page starts.
struct PageCursor {
  int64_t primary = 0;    // e.g. create time in microseconds, or priority
  int64_t secondary = 0;  // a unique tie-breaker, e.g. the row key or sequence
};

// Encodes a cursor for listing `kind` (a short name such as "referrals") over
// `scope` (the query's filters, in any stable textual form).
std::string EncodePageToken(absl::string_view kind, absl::string_view scope,
                            const PageCursor& cursor);

// Decodes a token made by EncodePageToken with the same kind and scope.
// INVALID_ARGUMENT when it is malformed or belongs to another listing or query.
absl::StatusOr<PageCursor> DecodePageToken(absl::string_view token, absl::string_view kind,
                                           absl::string_view scope);

// The page size to use: `requested` if in [1, 1000], 50 when <= 0, else 1000.
int EffectivePageSize(int requested);

}  // namespace sprout::store

#endif  // SPROUT_SERVER_STORE_PAGE_TOKEN_H_
