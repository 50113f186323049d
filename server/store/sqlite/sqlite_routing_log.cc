// SqliteStoreImpl::QueryRoutingLog: the routing log, filtered and paged.
// The SQL is built per query from the filters that are set, so each filter
// can use its index; it is prepared once per call rather than cached because
// the reason set varies in size.
#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "base/status_macros.h"
#include "server/store/page_token.h"
#include "server/store/sqlite/sqlite_store_impl.h"

namespace sprout::store::sqlite {

absl::StatusOr<Page<sprout::v1::RoutingDecision>> SqliteStoreImpl::QueryRoutingLog(
    const RoutingLogQuery& query, int page_size, absl::string_view page_token) {
  SPROUT_RETURN_IF_ERROR(ReaderAvailable());
  const int size = EffectivePageSize(page_size);
  const std::string scope = RoutingLogQueryScope(query);
  PageCursor cursor{INT64_MAX, INT64_MAX};
  if (!page_token.empty()) {
    SPROUT_ASSIGN_OR_RETURN(cursor, DecodePageToken(page_token, "routingDecisions", scope));
  }
  // "Before T" is folded into the cursor, so the query has one upper bound on
  // decide_time_us. Given two, SQLite may seek with the cursor's (derived from
  // its OR) and scan every newer row of the index down to T: at 10M decisions
  // a PCN + source + two-day query read ~100x more rows than it returned.
  if (query.decided_before) {
    const int64_t before = absl::ToUnixMicros(*query.decided_before);
    if (before <= cursor.primary) cursor = PageCursor{before, INT64_MIN};
  }

  // Parameters are numbered in the order the clauses are added; every query
  // has a lower time bound (?3), the window's.
  std::string sql =
      "SELECT d.pk, d.decide_time_us, d.id, d.body FROM routing_decisions d WHERE "
      "(d.decide_time_us < ?1 OR (d.decide_time_us = ?1 AND d.pk < ?2)) "
      "AND d.decide_time_us >= ?3";
  int next = 4;
  auto clause = [&](absl::string_view column) {
    absl::StrAppend(&sql, " AND d.", column, " ?", next++);
  };
  if (!query.pcn_code.empty()) clause("pcn_code =");
  if (!query.practice_code.empty()) clause("practice_code =");
  if (query.source_type != 0) clause("source_type =");
  if (query.outcome != 0) clause("outcome =");
  if (!query.rule.empty()) clause("rule =");
  if (!query.reason_any_of.empty()) {
    // Concept ids are integers we format ourselves, so inlining them is safe
    // and avoids the bound-parameter limit for large expanded sets. The unary
    // "+" keeps SQLite from probing once per concept: it reads the decision's
    // few reasons (the table is keyed by decision) and tests each against the set.
    std::vector<int64_t> ids(query.reason_any_of.begin(), query.reason_any_of.end());
    absl::StrAppend(&sql,
                    " AND EXISTS (SELECT 1 FROM decision_reasons r WHERE r.decision_pk = d.pk "
                    "AND +r.concept_id IN (",
                    absl::StrJoin(ids, ","), "))");
  }
  absl::StrAppend(&sql, " ORDER BY d.decide_time_us DESC, d.pk DESC LIMIT ?", next);

  ReaderPool::Lease db = readers_.Acquire();
  // The oldest and newest decisions bound the walk: two index probes (one
  // query asking for both would scan the table; SQLite optimises a lone
  // MIN or MAX only).
  int64_t oldest = 0;
  int64_t newest = 0;
  for (auto [sql_end, out] : {std::pair{"MIN", &oldest}, std::pair{"MAX", &newest}}) {
    SPROUT_ASSIGN_OR_RETURN(
        Statement stmt,
        db->Prepare(absl::StrCat("SELECT ", sql_end, "(decide_time_us) FROM routing_decisions")));
    SPROUT_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row || stmt.ColumnIsNull(0)) return Page<sprout::v1::RoutingDecision>{};
    *out = stmt.ColumnInt64(0);
  }
  const int64_t floor =
      query.decided_after ? std::max(oldest, absl::ToUnixMicros(*query.decided_after)) : oldest;

  // Walks back through time in windows that double while they come
  // back short, so a selective filter costs a few index range scans rather
  // than one scan of everything older than the cursor. If the time spent
  // passes the scan budget before the page fills, the page is returned short
  // (even empty) with a token that resumes at the window's edge, as AIP-158
  // allows: no single call reads without bound, whatever the filter. Each
  // window costs about as much as all before it, so a call ends within about
  // twice the budget. Wall time, not the injected clock: this bounds the
  // caller's wait, and row counts are a poor proxy for it (at 10M decisions
  // a row read from outside SQLite's cache costs several times more).
  const absl::Time started = absl::Now();
  Page<sprout::v1::RoutingDecision> page;
  PageCursor last;
  int64_t window = kFirstRoutingLogWindow;
  int64_t top = std::min(cursor.primary, newest);
  while (true) {
    const int64_t bottom = top - floor <= window ? floor : top - window;
    SPROUT_ASSIGN_OR_RETURN(Statement stmt, db->PrepareOnce(sql));
    stmt.Bind(1, cursor.primary).Bind(2, cursor.secondary).Bind(3, bottom);
    int index = 4;
    if (!query.pcn_code.empty()) stmt.BindText(index++, query.pcn_code);
    if (!query.practice_code.empty()) stmt.BindText(index++, query.practice_code);
    if (query.source_type != 0) stmt.Bind(index++, query.source_type);
    if (query.outcome != 0) stmt.Bind(index++, query.outcome);
    if (!query.rule.empty()) stmt.BindText(index++, query.rule);
    stmt.Bind(index, size + 1 - static_cast<int>(page.items.size()));
    while (true) {
      SPROUT_ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      if (static_cast<int>(page.items.size()) == size) {
        page.next_page_token = EncodePageToken("routingDecisions", scope, last);
        return page;
      }
      last = PageCursor{stmt.ColumnInt64(1), stmt.ColumnInt64(0)};
      SPROUT_RETURN_IF_ERROR(cipher().OpenMessage(DecisionRecord(stmt.ColumnText(2)),
                                                  stmt.ColumnBlob(3), &page.items.emplace_back()));
    }
    if (bottom <= floor) return page;  // reached the oldest decision
    // Everything at or after `bottom` has been read: continue strictly below.
    cursor = PageCursor{bottom, INT64_MIN};
    top = bottom;
    window = window > INT64_MAX / 2 ? INT64_MAX : window * 2;
    if (absl::Now() - started >= options_.routing_log_scan_budget) {
      page.next_page_token = EncodePageToken("routingDecisions", scope, cursor);
      return page;
    }
  }
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
