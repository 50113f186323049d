// The SQL both Store backends run to list audit records
// (Store::ListAuditRecords), written once: the WHERE clause for an
// audit::AuditQuery and the paging scope of its tokens.
#ifndef SPROUT_SERVER_STORE_AUDIT_QUERY_H_
#define SPROUT_SERVER_STORE_AUDIT_QUERY_H_

#include <functional>
#include <string>
#include <vector>

#include "server/audit/audit_record.h"

namespace sprout::store {

// The columns of audit_records read into an audit::AuditRecord, in this
// order: sequence, time_us, actor_organisation, actor_role, action, resource,
// outcome, actor_link_worker, returned, stated_reason, prev_hash, hash.
inline constexpr char kAuditColumns[] =
    "sequence, time_us, actor_organisation, actor_role, action, resource, outcome, "
    "actor_link_worker, returned, stated_reason, prev_hash, hash";

// The chain head and one record's hash, for the audit anchor; the same in
// both backends (no placeholder in the first; "?1"/"$1" in the second).
inline constexpr char kAuditChainHeadSql[] =
    "SELECT sequence, hash FROM audit_records ORDER BY sequence DESC LIMIT 1";
inline constexpr char kAuditHashAtSql[] = "SELECT hash FROM audit_records WHERE sequence = ";

// A WHERE clause over audit_records and the text values of its placeholders.
// Placeholder 1 is always the paging bound (sequence < it, an integer the
// backend binds itself); text_params bind placeholders 2, 3, ... in order.
struct AuditWhere {
  std::string sql;
  std::vector<std::string> text_params;
};

// `placeholder(n)` spells placeholder n in the backend's dialect ("?2", "$2").
AuditWhere AuditRecordsWhere(const audit::AuditQuery& query,
                             const std::function<std::string(int)>& placeholder);

// The scope string that ties a page token to its query (page_token.h).
std::string AuditQueryScope(const audit::AuditQuery& query);

}  // namespace sprout::store

#endif  // SPROUT_SERVER_STORE_AUDIT_QUERY_H_
