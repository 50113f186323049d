#include "server/store/audit_query.h"

#include "absl/strings/str_cat.h"

namespace sprout::store {

AuditWhere AuditRecordsWhere(const audit::AuditQuery& query,
                             const std::function<std::string(int)>& placeholder) {
  AuditWhere where;
  where.sql = absl::StrCat("sequence < ", placeholder(1));
  auto equals = [&](absl::string_view column, const std::string& value) {
    if (value.empty()) return;
    where.text_params.push_back(value);
    absl::StrAppend(&where.sql, " AND ", column, " = ",
                    placeholder(static_cast<int>(where.text_params.size()) + 1));
  };
  equals("action", query.action);
  equals("actor_organisation", query.actor_organisation);
  equals("resource", query.resource);
  if (query.break_glass_only) absl::StrAppend(&where.sql, " AND stated_reason <> ''");
  return where;
}

std::string AuditQueryScope(const audit::AuditQuery& query) {
  return absl::StrCat(query.action.size(), ":", query.action, "|", query.actor_organisation.size(),
                      ":", query.actor_organisation, "|", query.resource.size(), ":",
                      query.resource, "|", query.break_glass_only ? "bg" : "all");
}

}  // namespace sprout::store
