// Turns a QueryRoutingLog filter (AIP-160 subset) into a store query.
#ifndef SPROUT_SERVER_API_ROUTING_LOG_FILTER_H_
#define SPROUT_SERVER_API_ROUTING_LOG_FILTER_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/common/filter.h"
#include "server/store/store.h"
#include "snomed/terminology.h"

namespace sprout::api {

// Accepted terms: pcn = "U00001"; practice = "Y00001"; source_type = POLICE
// (or SOURCE_TYPE_POLICE); outcome = TRIAGE; rule = "name";
// reason = 267076002 (exactly) or reason << 267076002 (that concept or any
// descendant, through `terminology`); decide_time >= / > / < / <= RFC 3339.
// INVALID_ARGUMENT with a BadRequest on "filter" naming the column otherwise.
absl::StatusOr<store::RoutingLogQuery> ParseRoutingLogFilter(
    absl::string_view filter, const snomed::Terminology& terminology);

// Whether `term` is a decide_time comparison (>=, >, <, <=).
bool IsDecideTimeTerm(const FilterTerm& term);

// Narrows `query` by a decide_time term. INVALID_ARGUMENT with a BadRequest
// on "filter" naming the column when the value is not an RFC 3339 time.
// REQUIRES: IsDecideTimeTerm(term).
absl::Status ApplyDecideTimeTerm(const FilterTerm& term, store::RoutingLogQuery* query);

}  // namespace sprout::api

#endif  // SPROUT_SERVER_API_ROUTING_LOG_FILTER_H_
