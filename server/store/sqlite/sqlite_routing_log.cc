// SqliteStoreImpl::QueryRoutingLog: the routing log, filtered and paged.
// The SQL is built per query from the filters that are set, so each filter
// can use its index; it is prepared once per call rather than cached because
// the reason set varies in size.
#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/status_macros.h"
#include "server/store/page_token.h"
#include "server/store/sqlite/sqlite_store_impl.h"

namespace sprout::store::sqlite {
namespace {

// A stable text form of the filters, so a page token only fits its query.
std::string QueryScope(const RoutingLogQuery& q) {
  std::vector<uint64_t> reasons = q.reason_any_of;
  std::sort(reasons.begin(), reasons.end());
  return absl::StrCat(q.pcn_code, "|", q.practice_code, "|", q.source_type, "|", q.outcome, "|",
                      q.rule, "|", absl::StrJoin(reasons, ","), "|",
                      q.decided_after ? absl::StrCat(absl::ToUnixMicros(*q.decided_after)) : "",
                      "|",
                      q.decided_before ? absl::StrCat(absl::ToUnixMicros(*q.decided_before)) : "");
}

}  // namespace

absl::StatusOr<Page<sprout::v1::RoutingDecision>> SqliteStoreImpl::QueryRoutingLog(
    const RoutingLogQuery& query, int page_size, absl::string_view page_token) {
  SPROUT_RETURN_IF_ERROR(ReaderAvailable());
  const int size = EffectivePageSize(page_size);
  const std::string scope = QueryScope(query);
  PageCursor cursor{INT64_MAX, INT64_MAX};
  if (!page_token.empty()) {
    SPROUT_ASSIGN_OR_RETURN(cursor, DecodePageToken(page_token, "routingDecisions", scope));
  }

  // Parameters are numbered in the order the clauses are added.
  std::string sql =
      "SELECT d.pk, d.decide_time_us, d.body FROM routing_decisions d WHERE "
      "(d.decide_time_us < ?1 OR (d.decide_time_us = ?1 AND d.pk < ?2))";
  int next = 3;
  auto clause = [&](absl::string_view column) {
    absl::StrAppend(&sql, " AND d.", column, " ?", next++);
  };
  if (!query.pcn_code.empty()) clause("pcn_code =");
  if (!query.practice_code.empty()) clause("practice_code =");
  if (query.source_type != 0) clause("source_type =");
  if (query.outcome != 0) clause("outcome =");
  if (!query.rule.empty()) clause("rule =");
  if (query.decided_after) clause("decide_time_us >=");
  if (query.decided_before) clause("decide_time_us <");
  if (!query.reason_any_of.empty()) {
    // Concept ids are integers we format ourselves, so inlining them is safe
    // and avoids the bound-parameter limit for large expanded sets. The unary
    // "+" keeps SQLite from probing once per concept: it reads the decision's
    // few reasons (decision_reasons_by_decision) and tests each against the set.
    std::vector<int64_t> ids(query.reason_any_of.begin(), query.reason_any_of.end());
    absl::StrAppend(&sql,
                    " AND EXISTS (SELECT 1 FROM decision_reasons r WHERE r.decision_pk = d.pk "
                    "AND +r.concept_id IN (",
                    absl::StrJoin(ids, ","), "))");
  }
  absl::StrAppend(&sql, " ORDER BY d.decide_time_us DESC, d.pk DESC LIMIT ?", next);

  ReaderPool::Lease db = readers_.Acquire();
  SPROUT_ASSIGN_OR_RETURN(Statement stmt, db->PrepareOnce(sql));
  stmt.Bind(1, cursor.primary).Bind(2, cursor.secondary);
  int index = 3;
  if (!query.pcn_code.empty()) stmt.BindText(index++, query.pcn_code);
  if (!query.practice_code.empty()) stmt.BindText(index++, query.practice_code);
  if (query.source_type != 0) stmt.Bind(index++, query.source_type);
  if (query.outcome != 0) stmt.Bind(index++, query.outcome);
  if (!query.rule.empty()) stmt.BindText(index++, query.rule);
  if (query.decided_after) stmt.Bind(index++, absl::ToUnixMicros(*query.decided_after));
  if (query.decided_before) stmt.Bind(index++, absl::ToUnixMicros(*query.decided_before));
  stmt.Bind(index, size + 1);

  Page<sprout::v1::RoutingDecision> page;
  PageCursor last;
  while (true) {
    SPROUT_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    if (static_cast<int>(page.items.size()) == size) {
      page.next_page_token = EncodePageToken("routingDecisions", scope, last);
      break;
    }
    last = PageCursor{stmt.ColumnInt64(1), stmt.ColumnInt64(0)};
    if (!page.items.emplace_back().ParseFromString(std::string(stmt.ColumnBlob(2)))) {
      return absl::DataLossError(
          absl::StrCat("stored routing decision row ", last.secondary, " is unreadable"));
    }
  }
  return page;
}

absl::StatusOr<RoutingCounts> SqliteStoreImpl::CountRoutingDecisions(const RoutingLogQuery& query) {
  if (!query.practice_code.empty() || query.source_type != 0 || query.outcome != 0 ||
      !query.rule.empty() || !query.reason_any_of.empty()) {
    return absl::InvalidArgumentError("routing counts filter only by PCN and time");
  }
  SPROUT_RETURN_IF_ERROR(ReaderAvailable());
  std::string where = "d.decide_time_us >= ?1 AND d.decide_time_us < ?2";
  if (!query.pcn_code.empty()) absl::StrAppend(&where, " AND d.pcn_code = ?3");
  const int64_t after = query.decided_after ? absl::ToUnixMicros(*query.decided_after) : INT64_MIN;
  const int64_t before =
      query.decided_before ? absl::ToUnixMicros(*query.decided_before) : INT64_MAX;

  ReaderPool::Lease db = readers_.Acquire();
  // Runs `select ... GROUP BY key` over the matching decisions, key first.
  auto count = [&](absl::string_view key, absl::string_view from, auto&& add) -> absl::Status {
    SPROUT_ASSIGN_OR_RETURN(
        Statement stmt,
        db->PrepareOnce(absl::StrCat("SELECT ", key, ", COUNT(*) AS n FROM ", from, " WHERE ",
                                     where, " GROUP BY 1 ORDER BY n DESC, 1")));
    stmt.Bind(1, after).Bind(2, before);
    if (!query.pcn_code.empty()) stmt.BindText(3, query.pcn_code);
    while (true) {
      SPROUT_ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) return absl::OkStatus();
      add(stmt);
    }
  };
  RoutingCounts counts;
  SPROUT_RETURN_IF_ERROR(count("d.pcn_code", "routing_decisions d", [&](Statement& s) {
    counts.by_pcn.emplace_back(s.ColumnText(0), s.ColumnInt64(1));
    counts.total += s.ColumnInt64(1);
  }));
  SPROUT_RETURN_IF_ERROR(count("d.source_type", "routing_decisions d", [&](Statement& s) {
    counts.by_source_type.emplace_back(static_cast<int>(s.ColumnInt64(0)), s.ColumnInt64(1));
  }));
  SPROUT_RETURN_IF_ERROR(count(
      "r.concept_id", "decision_reasons r JOIN routing_decisions d ON d.pk = r.decision_pk",
      [&](Statement& s) {
        counts.by_reason.emplace_back(static_cast<uint64_t>(s.ColumnInt64(0)), s.ColumnInt64(1));
      }));
  return counts;
}

}  // namespace sprout::store::sqlite
