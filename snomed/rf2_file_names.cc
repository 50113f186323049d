// What an RF2 file is, from its name alone (the RF2 file naming convention,
// DOMAIN.md §2.5): its kind, and the release date it carries.
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "snomed/rf2.h"

namespace sprout::snomed {
namespace {

absl::string_view BaseName(absl::string_view path) {
  size_t slash = path.find_last_of('/');
  return slash == absl::string_view::npos ? path : path.substr(slash + 1);
}

// Strips the UK "UKCL"/"UKCR"/"UKED" infix from a content sub-type prefix such
// as "SimpleUKCR" or "LanguageUKCL".
absl::string_view StripUkInfix(absl::string_view s) {
  for (absl::string_view infix : {"UKCL", "UKCR", "UKED", "UKDG"}) {
    if (absl::EndsWith(s, infix)) return s.substr(0, s.size() - infix.size());
  }
  return s;
}

}  // namespace

Rf2Kind ClassifyRf2File(absl::string_view file_name) {
  absl::string_view base = BaseName(file_name);
  if (!absl::EndsWith(base, ".txt")) return Rf2Kind::kIgnored;
  std::vector<absl::string_view> parts = absl::StrSplit(base, '_');
  if (parts.size() < 4) return Rf2Kind::kIgnored;
  absl::string_view file_type = parts[0];
  // An x or z prefix marks pre-release / non-core files; treat them alike.
  if (file_type.size() == 5 && (file_type[0] == 'x' || file_type[0] == 'z')) {
    file_type.remove_prefix(1);
  }
  absl::string_view content_type = parts[1];
  absl::string_view sub = parts[2];
  size_t snap = sub.find("Snapshot");
  if (snap == absl::string_view::npos) return Rf2Kind::kIgnored;
  absl::string_view refset_type = StripUkInfix(sub.substr(0, snap));
  if (file_type == "sct2") {
    if (!refset_type.empty()) return Rf2Kind::kIgnored;
    if (content_type == "Concept") return Rf2Kind::kConcept;
    if (content_type == "Description" || content_type == "TextDefinition") {
      return Rf2Kind::kDescription;
    }
    if (content_type == "Relationship") return Rf2Kind::kRelationship;
    if (content_type == "RelationshipConcreteValues") return Rf2Kind::kConcreteRelationship;
    if (content_type == "Identifier") return Rf2Kind::kIdentifier;
    return Rf2Kind::kIgnored;
  }
  if (file_type != "der2") return Rf2Kind::kIgnored;
  if (content_type == "Refset" && refset_type == "Simple") return Rf2Kind::kSimpleRefset;
  if (content_type == "cRefset") {
    if (refset_type == "Language") return Rf2Kind::kLanguageRefset;
    if (refset_type == "Association" || refset_type == "AssociationReference") {
      return Rf2Kind::kAssociationRefset;
    }
    if (refset_type == "AttributeValue") return Rf2Kind::kAttributeValueRefset;
    return Rf2Kind::kIgnored;
  }
  if (content_type == "sRefset" && refset_type == "SimpleMap") return Rf2Kind::kSimpleMapRefset;
  if (refset_type == "ExtendedMap") return Rf2Kind::kExtendedMapRefset;
  if (refset_type == "ComplexMap") return Rf2Kind::kComplexMapRefset;
  return Rf2Kind::kIgnored;
}

std::string VersionDateOf(absl::string_view file_name) {
  absl::string_view base = BaseName(file_name);
  if (!absl::EndsWith(base, ".txt") || base.size() < 13) return "";
  absl::string_view date = base.substr(base.size() - 12, 8);
  if (base[base.size() - 13] != '_') return "";
  for (char c : date) {
    if (c < '0' || c > '9') return "";
  }
  return std::string(date);
}

}  // namespace sprout::snomed
