// File: server/audit/audit_chain.h
//
// The audit trail's hash chain, shared by every Store backend so that all of
// them write and verify the same bytes (doc/audit-format.md).
//
//   hash(n) = SHA-256(hash(n-1) || CanonicalAuditBytes(n, event))
//
// with hash(0) = 32 zero bytes. Hashes are raw 32-byte strings.
#ifndef SPROUT_SERVER_AUDIT_AUDIT_CHAIN_H_
#define SPROUT_SERVER_AUDIT_AUDIT_CHAIN_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "server/audit/audit_record.h"

namespace sprout::audit {

inline constexpr int kAuditHashBytes = 32;

// The hash that precedes the first record: 32 zero bytes.
std::string GenesisAuditHash();

// The canonical, unambiguous byte encoding of one record (see
// doc/audit-format.md): a version tag, the sequence, the time in Unix
// microseconds and the five strings, each length-prefixed.
std::string CanonicalAuditBytes(int64_t sequence, const AuditEvent& event);

// SHA-256(prev_hash || CanonicalAuditBytes(sequence, event)), raw bytes.
std::string ChainAuditHash(absl::string_view prev_hash, int64_t sequence, const AuditEvent& event);

// Checks stored records one at a time, in sequence order. Not thread-safe.
//
//   AuditChainVerifier v;
//   for (each row) if (!v.Add(seq, event, prev_hash, hash)) break;
//   AuditVerification result = v.result();
class AuditChainVerifier {
 public:
  // Checks the next stored record: its sequence follows the previous one
  // (starting at 1), its prev_hash is the previous record's hash and its hash
  // recomputes. Returns false at the first bad record (later calls are ignored).
  bool Add(int64_t sequence, const AuditEvent& event, absl::string_view prev_hash,
           absl::string_view hash);

  const AuditVerification& result() const { return result_; }

 private:
  AuditVerification result_{0, 0, "ok"};
  int64_t last_sequence_ = 0;
  std::string last_hash_ = GenesisAuditHash();
};

}  // namespace sprout::audit

#endif  // SPROUT_SERVER_AUDIT_AUDIT_CHAIN_H_
