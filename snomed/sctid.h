// File: snomed/sctid.h
//
// SNOMED CT identifiers (SCTIDs): syntax, partition and Verhoeff check digit,
// as specified in the SNOMED Release File Specification §6 (DOMAIN.md §2.1–2.4).
//
// An SCTID is held as uint64_t everywhere. Parse user input with ParseSctid,
// which returns a message precise enough to show to the person who typed it:
//
//   absl::StatusOr<uint64_t> id = sprout::snomed::ParseSctid(text, kConceptPartitions);
//   if (!id.ok()) return id.status();  // e.g. "check digit is wrong (Verhoeff)"
//
// Everything here is a pure function: thread-safe, no allocation except for
// error messages.
#ifndef SPROUT_SNOMED_SCTID_H_
#define SPROUT_SNOMED_SCTID_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sprout::snomed {

// The partition identifier: the 2nd and 3rd digits from the right.
enum class Partition : uint8_t {
  kConcept = 0,                 // 00, short format (International)
  kDescription = 1,             // 01
  kRelationship = 2,            // 02
  kExtensionConcept = 10,       // 10, long format (has a namespace)
  kExtensionDescription = 11,   // 11
  kExtensionRelationship = 12,  // 12
  kExpression = 16,             // 16, postcoordinated expression
};

// A set of allowed partitions, as a bit mask over Partition values.
using PartitionSet = uint32_t;
constexpr PartitionSet PartitionBit(Partition p) { return PartitionSet{1} << static_cast<int>(p); }
constexpr PartitionSet kConceptPartitions =
    PartitionBit(Partition::kConcept) | PartitionBit(Partition::kExtensionConcept);
constexpr PartitionSet kDescriptionPartitions =
    PartitionBit(Partition::kDescription) | PartitionBit(Partition::kExtensionDescription);
constexpr PartitionSet kRelationshipPartitions =
    PartitionBit(Partition::kRelationship) | PartitionBit(Partition::kExtensionRelationship);
constexpr PartitionSet kAnyPartition = kConceptPartitions | kDescriptionPartitions |
                                       kRelationshipPartitions |
                                       PartitionBit(Partition::kExpression);

// ParseSctid()
//
// Parses and fully validates `text` as an SCTID: only ASCII digits, 6 to 18 of
// them, no leading zero, a legal partition that is in `allowed`, and a correct
// Verhoeff check digit. Surrounding whitespace is NOT accepted.
// Returns the id, or INVALID_ARGUMENT whose message names the first rule broken,
// for example:
//   "SCTID '12a45': character 3 is 'a'; only digits are allowed"
//   "SCTID '12345': it has 5 digits; an SCTID has 6 to 18"
//   "SCTID '0123456': it starts with 0"
//   "SCTID '1234567890': partition 89 does not exist"
//   "SCTID '138875004': check digit is wrong (Verhoeff)"
//   "SCTID '100005014': partition 01 is a description id; a concept id is needed"
absl::StatusOr<uint64_t> ParseSctid(absl::string_view text,
                                    PartitionSet allowed = kConceptPartitions);

// IsValidSctid()
//
// True iff ParseSctid(text, allowed) would succeed. Allocates nothing.
bool IsValidSctid(absl::string_view text, PartitionSet allowed = kAnyPartition);
bool IsValidSctid(uint64_t id, PartitionSet allowed = kAnyPartition);

// VerhoeffCheckDigit()
//
// Returns the check digit ('0'..'9') for `stem`, the SCTID without its last
// digit. REQUIRES: `stem` is non-empty and all ASCII digits. Example: "2470000" -> '7'.
char VerhoeffCheckDigit(absl::string_view stem);

// VerhoeffValid()
//
// True iff the digit string `digits` (check digit last) passes the Verhoeff check.
// REQUIRES: all ASCII digits.
bool VerhoeffValid(absl::string_view digits);

// PartitionOf()
//
// The partition of a syntactically plausible id (any value >= 100), or
// nullopt if the two partition digits are not a defined partition.
std::optional<Partition> PartitionOf(uint64_t id);

// NamespaceOf()
//
// The 7-digit namespace of a long-format id (partition 1x), or 0 for a short
// format (International) id.
uint32_t NamespaceOf(uint64_t id);

// MakeSctid()
//
// Builds a valid SCTID from an item identifier, a namespace (0 for none) and a
// partition. Used by the synthetic release generator and tests.
// REQUIRES: namespace < 10^7; for a namespace, a long-format partition.
uint64_t MakeSctid(uint64_t item, uint32_t namespace_id, Partition partition);

// PartitionName()
//
// "concept", "description", "relationship", "extension concept", ... for messages.
absl::string_view PartitionName(Partition p);

}  // namespace sprout::snomed

#endif  // SPROUT_SNOMED_SCTID_H_
