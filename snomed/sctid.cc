#include "snomed/sctid.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace sprout::snomed {
namespace {

// Tables from the SNOMED RFS §6.4.2 (DOMAIN.md §2.4).
constexpr uint8_t kD[10][10] = {{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 2, 3, 4, 0, 6, 7, 8, 9, 5},
                                {2, 3, 4, 0, 1, 7, 8, 9, 5, 6}, {3, 4, 0, 1, 2, 8, 9, 5, 6, 7},
                                {4, 0, 1, 2, 3, 9, 5, 6, 7, 8}, {5, 9, 8, 7, 6, 0, 4, 3, 2, 1},
                                {6, 5, 9, 8, 7, 1, 0, 4, 3, 2}, {7, 6, 5, 9, 8, 2, 1, 0, 4, 3},
                                {8, 7, 6, 5, 9, 3, 2, 1, 0, 4}, {9, 8, 7, 6, 5, 4, 3, 2, 1, 0}};
constexpr uint8_t kP[8][10] = {{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 5, 7, 6, 2, 8, 3, 0, 9, 4},
                               {5, 8, 0, 3, 7, 9, 6, 1, 4, 2}, {8, 9, 1, 6, 0, 4, 3, 5, 2, 7},
                               {9, 4, 5, 3, 1, 2, 6, 8, 7, 0}, {4, 2, 8, 6, 5, 7, 3, 9, 0, 1},
                               {2, 7, 9, 3, 8, 0, 6, 4, 1, 5}, {7, 0, 4, 6, 9, 1, 3, 2, 5, 8}};
constexpr uint8_t kInv[10] = {0, 4, 3, 2, 1, 5, 6, 7, 8, 9};

bool IsDefinedPartition(int pp) {
  switch (pp) {
    case 0:
    case 1:
    case 2:
    case 10:
    case 11:
    case 12:
    case 16:
      return true;
    default:
      return false;
  }
}

std::string Quote(absl::string_view text) {
  // Inputs can be long or hostile; keep the message bounded.
  if (text.size() > 40) return absl::StrCat("'", text.substr(0, 40), "...'");
  return absl::StrCat("'", text, "'");
}

}  // namespace

bool VerhoeffValid(absl::string_view digits) {
  int c = 0;
  int i = 0;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it, ++i) {
    c = kD[c][kP[i & 7][*it - '0']];
  }
  return c == 0;
}

char VerhoeffCheckDigit(absl::string_view stem) {
  int c = 0;
  int i = 0;
  for (auto it = stem.rbegin(); it != stem.rend(); ++it, ++i) {
    c = kD[c][kP[(i + 1) & 7][*it - '0']];
  }
  return static_cast<char>('0' + kInv[c]);
}

absl::string_view PartitionName(Partition p) {
  switch (p) {
    case Partition::kConcept:
      return "concept";
    case Partition::kDescription:
      return "description";
    case Partition::kRelationship:
      return "relationship";
    case Partition::kExtensionConcept:
      return "extension concept";
    case Partition::kExtensionDescription:
      return "extension description";
    case Partition::kExtensionRelationship:
      return "extension relationship";
    case Partition::kExpression:
      return "expression";
  }
  return "unknown";
}

namespace {

// Shared by ParseSctid and IsValidSctid. On failure sets *why (when wanted) to
// the first rule broken, without the quoted input.
template <bool kWantMessage>
bool Check(absl::string_view text, PartitionSet allowed, std::string* why, uint64_t* out) {
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') {
      if constexpr (kWantMessage) {
        *why = absl::StrCat("character ", i + 1, " is '", text.substr(i, 1),
                            "'; only digits are allowed");
      }
      return false;
    }
  }
  if (text.size() < 6 || text.size() > 18) {
    if constexpr (kWantMessage) {
      *why = text.empty() ? std::string("it is empty")
                          : absl::StrCat("it has ", text.size(), " digits; an SCTID has 6 to 18");
    }
    return false;
  }
  if (text[0] == '0') {
    if constexpr (kWantMessage) *why = "it starts with 0";
    return false;
  }
  int pp = (text[text.size() - 3] - '0') * 10 + (text[text.size() - 2] - '0');
  if (!IsDefinedPartition(pp)) {
    if constexpr (kWantMessage) {
      *why = absl::StrCat("partition ", text.substr(text.size() - 3, 2), " does not exist");
    }
    return false;
  }
  if (!VerhoeffValid(text)) {
    if constexpr (kWantMessage) *why = "check digit is wrong (Verhoeff)";
    return false;
  }
  Partition p = static_cast<Partition>(pp);
  if ((allowed & PartitionBit(p)) == 0) {
    if constexpr (kWantMessage) {
      std::string needed;
      if (allowed == kConceptPartitions)
        needed = "a concept id is needed";
      else if (allowed == kDescriptionPartitions)
        needed = "a description id is needed";
      else if (allowed == kRelationshipPartitions)
        needed = "a relationship id is needed";
      else
        needed = "that partition is not allowed here";
      *why = absl::StrCat("partition ", text.substr(text.size() - 3, 2), " is a ", PartitionName(p),
                          " id; ", needed);
    }
    return false;
  }
  uint64_t v = 0;
  for (char ch : text) v = v * 10 + static_cast<uint64_t>(ch - '0');
  *out = v;
  return true;
}

}  // namespace

absl::StatusOr<uint64_t> ParseSctid(absl::string_view text, PartitionSet allowed) {
  std::string why;
  uint64_t id = 0;
  if (!Check<true>(text, allowed, &why, &id)) {
    return absl::InvalidArgumentError(absl::StrCat("SCTID ", Quote(text), ": ", why));
  }
  return id;
}

bool IsValidSctid(absl::string_view text, PartitionSet allowed) {
  uint64_t id;
  return Check<false>(text, allowed, nullptr, &id);
}

bool IsValidSctid(uint64_t id, PartitionSet allowed) {
  // The same rules as the text form, on the number: 6 to 18 digits (a
  // number has no leading zero), a defined and allowed partition, Verhoeff.
  // The RF2 loader checks every id of a release with this, so it does not
  // build a string.
  if (id < 100000 || id >= 1000000000000000000ull) return false;
  const int pp = static_cast<int>((id / 10) % 100);
  if (!IsDefinedPartition(pp) || (allowed & PartitionBit(static_cast<Partition>(pp))) == 0) {
    return false;
  }
  int c = 0;
  for (int i = 0; id != 0; ++i, id /= 10) c = kD[c][kP[i & 7][id % 10]];
  return c == 0;
}

std::optional<Partition> PartitionOf(uint64_t id) {
  int pp = static_cast<int>((id / 10) % 100);
  if (id < 100 || !IsDefinedPartition(pp)) return std::nullopt;
  return static_cast<Partition>(pp);
}

uint32_t NamespaceOf(uint64_t id) {
  int pp = static_cast<int>((id / 10) % 100);
  if (pp / 10 != 1) return 0;
  return static_cast<uint32_t>((id / 1000) % 10000000);
}

uint64_t MakeSctid(uint64_t item, uint32_t namespace_id, Partition partition) {
  std::string stem = absl::StrCat(item);
  if (static_cast<int>(partition) >= 10) {
    std::string ns = absl::StrCat(namespace_id);
    stem += std::string(7 - ns.size(), '0') + ns;
  }
  int pp = static_cast<int>(partition);
  stem.push_back(static_cast<char>('0' + pp / 10));
  stem.push_back(static_cast<char>('0' + pp % 10));
  stem.push_back(VerhoeffCheckDigit(stem));
  uint64_t v = 0;
  for (char ch : stem) v = v * 10 + static_cast<uint64_t>(ch - '0');
  return v;
}

}  // namespace sprout::snomed
