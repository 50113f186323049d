// File: server/audit/audit_record.h
//
// What the audit trail records: who did what to which resource, when, and how
// it ended. Every read and write of patient data produces one AuditEvent; the
// store appends them to a hash chain (server/audit/audit_chain.h,
// doc/audit-format.md) that VerifyAuditLog checks.
#ifndef SPROUT_SERVER_AUDIT_AUDIT_RECORD_H_
#define SPROUT_SERVER_AUDIT_AUDIT_RECORD_H_

#include <cstdint>
#include <string>

#include "absl/time/time.h"

namespace sprout::audit {

// One entry of the audit trail (who did what to which resource, and how it
// ended). Holds no patient-identifiable data: resource names and ids only.
struct AuditEvent {
  std::string actor_organisation;  // e.g. "A81001" or "police:WYP"
  std::string actor_role;          // "referrer", "link_worker", "admin"
  std::string action;              // the RPC method, e.g. "SubmitReferral"
  std::string resource;            // e.g. "referrals/{id}"
  std::string outcome;             // "OK" or the canonical code name
  absl::Time time;
};

// The result of checking the audit hash chain from its first record.
struct AuditVerification {
  int64_t records_checked = 0;     // records read, including the first bad one
  int64_t first_bad_sequence = 0;  // 0 when every record checked out
  std::string message;             // what was wrong (no record content), or "ok"
  bool intact() const { return first_bad_sequence == 0; }
};

}  // namespace sprout::audit

#endif  // SPROUT_SERVER_AUDIT_AUDIT_RECORD_H_
