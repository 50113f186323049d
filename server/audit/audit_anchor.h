// File: server/audit/audit_anchor.h
//
// The audit trail's anchor: the chain head (a sequence and its hash) kept
// outside the database, so that records cut from the end of the trail are
// seen. The hash chain alone cannot show them: what is left still verifies.
//
// The anchor file is one line,
//
//   sprout-audit-anchor 1 {sequence} {hash, hex} {HMAC-SHA256 of the rest, hex}
//
// signed with the deployment's pseudonym key so that whoever can write the
// database but not read the key cannot forge one. sproutd rewrites it
// (atomically, mode 0600) as the trail grows and at shutdown; operators copy
// it off the machine with the backups (README, "Storage and durability").
#ifndef SPROUT_SERVER_AUDIT_AUDIT_ANCHOR_H_
#define SPROUT_SERVER_AUDIT_AUDIT_ANCHOR_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "server/audit/audit_record.h"
#include "server/common/keyed_hash.h"

namespace sprout::audit {

// The anchor file's line for `anchor`, signed with `key`.
std::string FormatAnchorFile(const AuditAnchor& anchor, const KeyedHasher& key);

// Reads the anchor file at `path`: nullopt when there is none yet; DATA_LOSS
// naming the path when it is malformed or its signature does not verify
// (changed, or written under another key).
absl::StatusOr<std::optional<AuditAnchor>> ReadAnchorFile(const std::string& path,
                                                          const KeyedHasher& key);

// Replaces the anchor file at `path` (a temporary file, fsync, rename; mode
// 0600).
absl::Status WriteAnchorFile(const std::string& path, const AuditAnchor& anchor,
                             const KeyedHasher& key);

// CheckAgainstAnchor()
//
// Extends `chain` (VerifyAuditChain's result on the stored records) with the
// anchor's evidence. `hash_at_anchor` is the stored hash of record
// anchor.sequence, nullopt when there is no such record. When the stored
// chain is intact but does not reach the anchor, records were cut from its
// end: the first missing sequence is reported bad. When the record there
// holds another hash, the chain was rewritten from there or before.
AuditVerification CheckAgainstAnchor(const AuditVerification& chain,
                                     const std::optional<std::string>& hash_at_anchor,
                                     const AuditAnchor& anchor);

}  // namespace sprout::audit

#endif  // SPROUT_SERVER_AUDIT_AUDIT_ANCHOR_H_
