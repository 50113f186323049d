#include "server/audit/audit_record.h"

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace sprout::audit {

std::string ReturnedText(const AuditEvent& event) { return absl::StrJoin(event.returned, " "); }

std::vector<std::string> ParseReturnedText(absl::string_view text) {
  return absl::StrSplit(text, ' ', absl::SkipEmpty());
}

}  // namespace sprout::audit
