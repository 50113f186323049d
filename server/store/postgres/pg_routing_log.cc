// PostgresStoreImpl::QueryRoutingLog and CountRoutingDecisions: the routing
// log, filtered and paged, and counted for GetStats. The SQL is built per
// query from the filters that are set, so each filter can use its index; the
// reason set is one array parameter.
#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/status_macros.h"
#include "server/store/page_token.h"
#include "server/store/postgres/pg_store_impl.h"

namespace sprout::store::postgres {
namespace {

std::string BigintArray(const std::vector<uint64_t>& ids) {
  std::vector<int64_t> signed_ids(ids.begin(), ids.end());
  return absl::StrCat("{", absl::StrJoin(signed_ids, ","), "}");
}

}  // namespace

absl::StatusOr<Page<sprout::v1::RoutingDecision>> PostgresStoreImpl::QueryRoutingLog(
    const RoutingLogQuery& query, int page_size, absl::string_view page_token) {
  if (stopped_.load()) return absl::UnavailableError("the store is shut down");
  const int size = EffectivePageSize(page_size);
  const std::string scope = RoutingLogQueryScope(query);
  PageCursor cursor{INT64_MAX, INT64_MAX};
  if (!page_token.empty()) {
    SPROUT_ASSIGN_OR_RETURN(cursor, DecodePageToken(page_token, "routingDecisions", scope));
  }

  // Parameters are numbered in the order the clauses are added.
  std::string sql =
      "SELECT d.pk, d.decide_time_us, d.id, d.body FROM routing_decisions d WHERE "
      "(d.decide_time_us < $1 OR (d.decide_time_us = $1 AND d.pk < $2))";
  Params params;
  params.Int(cursor.primary).Int(cursor.secondary);
  int next = 3;
  auto clause = [&](absl::string_view condition) {
    absl::StrAppend(&sql, " AND ", condition, " $", next++);
  };
  if (!query.pcn_code.empty()) {
    clause("d.pcn_code =");
    params.Text(query.pcn_code);
  }
  if (!query.practice_code.empty()) {
    clause("d.practice_code =");
    params.Text(query.practice_code);
  }
  if (query.source_type != 0) {
    clause("d.source_type =");
    params.Int(query.source_type);
  }
  if (query.outcome != 0) {
    clause("d.outcome =");
    params.Int(query.outcome);
  }
  if (!query.rule.empty()) {
    clause("d.rule =");
    params.Text(query.rule);
  }
  if (query.decided_after) {
    clause("d.decide_time_us >=");
    params.Int(absl::ToUnixMicros(*query.decided_after));
  }
  if (query.decided_before) {
    clause("d.decide_time_us <");
    params.Int(absl::ToUnixMicros(*query.decided_before));
  }
  if (!query.reason_any_of.empty()) {
    absl::StrAppend(&sql,
                    " AND EXISTS (SELECT 1 FROM decision_reasons r WHERE r.decision_pk = d.pk "
                    "AND r.concept_id = ANY($",
                    next++, "::BIGINT[]))");
    params.Text(BigintArray(query.reason_any_of));
  }
  absl::StrAppend(&sql, " ORDER BY d.decide_time_us DESC, d.pk DESC LIMIT $", next);
  params.Int(size + 1);

  Page<sprout::v1::RoutingDecision> page;
  SPROUT_RETURN_IF_ERROR(Read([&](Connection& db) -> absl::Status {
    page = {};
    // Prepared per connection and kept: the shapes are few (one per set of
    // filters), and the reason set is a single parameter.
    SPROUT_ASSIGN_OR_RETURN(Result r, db.Run(sql, params));
    PageCursor last;
    for (int i = 0; i < r.rows(); ++i) {
      if (static_cast<int>(page.items.size()) == size) {
        page.next_page_token = EncodePageToken("routingDecisions", scope, last);
        break;
      }
      last = PageCursor{r.Int(i, 1), r.Int(i, 0)};
      SPROUT_RETURN_IF_ERROR(cipher().OpenMessage(DecisionRecord(r.Bytes(i, 2)), r.Bytes(i, 3),
                                                  &page.items.emplace_back()));
    }
    return absl::OkStatus();
  }));
  return page;
}

absl::StatusOr<RoutingCounts> PostgresStoreImpl::CountRoutingDecisions(
    const RoutingLogQuery& query) {
  if (!query.practice_code.empty() || query.source_type != 0 || query.outcome != 0 ||
      !query.rule.empty() || !query.reason_any_of.empty()) {
    return absl::InvalidArgumentError("routing counts filter only by PCN and time");
  }
  if (stopped_.load()) return absl::UnavailableError("the store is shut down");
  std::string where = "d.decide_time_us >= $1 AND d.decide_time_us < $2";
  if (!query.pcn_code.empty()) absl::StrAppend(&where, " AND d.pcn_code = $3");
  Params params;
  params.Int(query.decided_after ? absl::ToUnixMicros(*query.decided_after) : INT64_MIN);
  params.Int(query.decided_before ? absl::ToUnixMicros(*query.decided_before) : INT64_MAX);
  if (!query.pcn_code.empty()) params.Text(query.pcn_code);

  RoutingCounts counts;
  SPROUT_RETURN_IF_ERROR(Read([&](Connection& db) -> absl::Status {
    counts = {};
    // Counts over the matching decisions by `key`, ties by `tie` (text keys
    // bytewise, as SQLite orders them).
    auto count = [&](absl::string_view key, absl::string_view tie, absl::string_view from) {
      return db.Run(absl::StrCat("SELECT ", key, " AS k, COUNT(*) AS n FROM ", from, " WHERE ",
                                 where, " GROUP BY k ORDER BY n DESC, ", tie),
                    params);
    };
    SPROUT_ASSIGN_OR_RETURN(Result by_pcn,
                            count("d.pcn_code", "d.pcn_code COLLATE \"C\"", "routing_decisions d"));
    for (int i = 0; i < by_pcn.rows(); ++i) {
      counts.by_pcn.emplace_back(by_pcn.Text(i, 0), by_pcn.Int(i, 1));
      counts.total += by_pcn.Int(i, 1);
    }
    SPROUT_ASSIGN_OR_RETURN(Result by_source, count("d.source_type", "k", "routing_decisions d"));
    for (int i = 0; i < by_source.rows(); ++i) {
      counts.by_source_type.emplace_back(static_cast<int>(by_source.Int(i, 0)),
                                         by_source.Int(i, 1));
    }
    SPROUT_ASSIGN_OR_RETURN(
        Result by_reason,
        count("r.concept_id", "k",
              "decision_reasons r JOIN routing_decisions d ON d.pk = r.decision_pk"));
    for (int i = 0; i < by_reason.rows(); ++i) {
      counts.by_reason.emplace_back(static_cast<uint64_t>(by_reason.Int(i, 0)),
                                    by_reason.Int(i, 1));
    }
    return absl::OkStatus();
  }));
  return counts;
}

}  // namespace sprout::store::postgres
