#include "server/audit/audit_chain.h"

#include <openssl/evp.h>

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "server/common/sha256_md.h"

namespace sprout::audit {
namespace {

// Format 1 records hold the five original strings. Format 2 adds the link
// worker, the resources returned and the stated reason; a record with all
// three empty is encoded as format 1, so records written before they existed
// verify unchanged.
constexpr absl::string_view kTag1 = "SPROUT-AUDIT-1";
constexpr absl::string_view kTag2 = "SPROUT-AUDIT-2";

bool NeedsFormat2(const AuditEvent& e) {
  return !e.actor_link_worker.empty() || !e.returned.empty() || !e.stated_reason.empty();
}

void PutBigEndian64(uint64_t v, std::string* out) {
  for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<char>(v >> shift));
}

void PutString(absl::string_view s, std::string* out) {
  const uint32_t n = static_cast<uint32_t>(s.size());
  for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<char>(n >> shift));
  out->append(s.data(), s.size());
}

}  // namespace

std::string GenesisAuditHash() { return std::string(kAuditHashBytes, '\0'); }

std::string CanonicalAuditBytes(int64_t sequence, const AuditEvent& event) {
  const bool format2 = NeedsFormat2(event);
  const std::string returned = format2 ? ReturnedText(event) : "";
  std::string out;
  out.reserve(kTag2.size() + 16 + 8 * 4 + event.actor_organisation.size() +
              event.actor_role.size() + event.actor_link_worker.size() + event.action.size() +
              event.resource.size() + event.outcome.size() + returned.size() +
              event.stated_reason.size());
  const absl::string_view tag = format2 ? kTag2 : kTag1;
  out.append(tag.data(), tag.size());
  PutBigEndian64(static_cast<uint64_t>(sequence), &out);
  PutBigEndian64(static_cast<uint64_t>(absl::ToUnixMicros(event.time)), &out);
  PutString(event.actor_organisation, &out);
  PutString(event.actor_role, &out);
  PutString(event.action, &out);
  PutString(event.resource, &out);
  PutString(event.outcome, &out);
  if (format2) {
    PutString(event.actor_link_worker, &out);
    PutString(returned, &out);
    PutString(event.stated_reason, &out);
  }
  return out;
}

std::string ChainAuditHash(absl::string_view prev_hash, int64_t sequence, const AuditEvent& event) {
  const std::string body = CanonicalAuditBytes(sequence, event);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  // SHA-256 over memory cannot fail short of allocation failure: treat that
  // as impossible (STYLE.md E7).
  if (ctx == nullptr || EVP_DigestInit_ex(ctx, Sha256Md(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx, prev_hash.data(), prev_hash.size()) != 1 ||
      EVP_DigestUpdate(ctx, body.data(), body.size()) != 1 ||
      EVP_DigestFinal_ex(ctx, digest, &digest_len) != 1) {
    std::abort();
  }
  EVP_MD_CTX_free(ctx);
  return std::string(reinterpret_cast<const char*>(digest), digest_len);
}

bool AuditChainVerifier::Add(int64_t sequence, const AuditEvent& event, absl::string_view prev_hash,
                             absl::string_view hash) {
  if (!result_.intact()) return false;
  ++result_.records_checked;
  auto fail = [&](std::string message) {
    result_.first_bad_sequence = sequence > 0 ? sequence : last_sequence_ + 1;
    result_.message = std::move(message);
    return false;
  };
  if (sequence != last_sequence_ + 1) {
    return fail(absl::StrCat("audit record ", sequence, " follows ", last_sequence_,
                             ": records are missing or reordered"));
  }
  if (prev_hash != last_hash_) {
    return fail(absl::StrCat("audit record ", sequence,
                             " does not link to the hash of the record before it"));
  }
  const std::string expected = ChainAuditHash(prev_hash, sequence, event);
  if (hash != expected) {
    return fail(absl::StrCat("audit record ", sequence,
                             " was altered: its content does not match its hash"));
  }
  last_sequence_ = sequence;
  last_hash_ = expected;
  return true;
}

}  // namespace sprout::audit
