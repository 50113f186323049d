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
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace sprout::audit {

// One entry of the audit trail (who did what to which resource, and how it
// ended). Holds no patient-identifiable data: resource names and ids only.
struct AuditEvent {
  std::string actor_organisation;  // e.g. "A81001" or "police:WYP"
  std::string actor_role;          // "referrer", "link_worker", "admin"
  std::string actor_link_worker;   // link workers: their id in that PCN; else empty
  std::string action;              // the RPC method, e.g. "SubmitReferral"
  std::string resource;            // e.g. "referrals/{id}", or the listing's parent
  std::string outcome;             // "OK" or the canonical code name
  absl::Time time;
  // For reads: the resources the answer carried ("referrals/{id}",
  // "queueItems/{id}"), in the order returned. Resource names, never data.
  std::vector<std::string> returned;
  // Why the actor did this, when they had to say: the reason given for a
  // break-glass read of full patient data. Empty otherwise.
  std::string stated_reason;

  bool break_glass() const { return !stated_reason.empty(); }
};

// `returned` as stored: the names separated by single spaces (resource names
// never contain spaces), and back.
std::string ReturnedText(const AuditEvent& event);
std::vector<std::string> ParseReturnedText(absl::string_view text);

// One stored record of the trail, as listed (Store::ListAuditRecords).
struct AuditRecord {
  int64_t sequence = 0;
  AuditEvent event;
};

// Which records to list; empty fields do not filter. Newest first.
struct AuditQuery {
  std::string action;              // e.g. "GetReferral"
  std::string actor_organisation;  // e.g. "police:WYP"
  std::string resource;            // e.g. "referrals/{id}"
  bool break_glass_only = false;   // only records with a stated_reason
};

// A point of the chain: record `sequence` and its hash (raw 32 bytes); the
// head, or the anchor kept outside the database (audit_anchor.h).
struct AuditAnchor {
  int64_t sequence = 0;
  std::string hash;
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
