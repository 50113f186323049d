// libFuzzer target: arbitrary bytes as the rows of an RF2 file. The first
// byte picks the file kind; the rest is parsed by that kind's row parser,
// and, when the first byte's top bit is set, loaded as that file of a small
// release (so the loader's resolution, module checks, cycle naming and the
// build run on it too). A release file is data from outside the project: no
// input may crash the loader. Built only with -DSPROUT_FUZZ=ON.
#include <cstdint>
#include <string>
#include <vector>

#include "snomed/rf2.h"
#include "snomed/terminology.h"
#include "tests/snomed/test_release.h"

namespace {

using sprout::snomed::Rf2Kind;

struct Kind {
  Rf2Kind kind;
  const char* file_prefix;  // the file of the test release it replaces
};
constexpr Kind kKinds[] = {
    {Rf2Kind::kConcept, "sct2_Concept_"},
    {Rf2Kind::kDescription, "sct2_Description_"},
    {Rf2Kind::kRelationship, "sct2_Relationship_"},
    {Rf2Kind::kLanguageRefset, "der2_cRefset_Language"},
    {Rf2Kind::kSimpleRefset, "der2_Refset_Simple"},
    {Rf2Kind::kAssociationRefset, "der2_cRefset_Association"},
    {Rf2Kind::kAttributeValueRefset, "der2_cRefset_AttributeValue"},
    {Rf2Kind::kExtendedMapRefset, "der2_iisssciRefset_ExtendedMap"},
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const Kind& k = kKinds[(data[0] & 0x7F) % (sizeof(kKinds) / sizeof(kKinds[0]))];
  const bool whole_load = (data[0] & 0x80) != 0;
  const std::string rows(reinterpret_cast<const char*>(data + 1), size - 1);

  static const std::vector<sprout::snomed::Rf2File>* const release =
      new std::vector<sprout::snomed::Rf2File>(
          sprout::snomed::testing::TestReleaseBuilder().Build());
  for (const sprout::snomed::Rf2File& f : *release) {
    if (f.name.rfind(k.file_prefix, 0) != 0) continue;
    // The header stays; the fuzzed bytes are the body.
    const std::string header = f.content.substr(0, f.content.find('\n') + 1);
    size_t body = 0;
    absl::StatusOr<sprout::snomed::Rf2Layout> layout =
        sprout::snomed::ReadRf2Header(f.name, header, k.kind, &body);
    if (!layout.ok()) __builtin_trap();  // the test release's own header
    switch (k.kind) {
      case Rf2Kind::kConcept: {
        std::vector<sprout::snomed::ConceptRow> out;
        sprout::snomed::ParseConceptRows(f.name, rows, 2, &out).IgnoreError();
        break;
      }
      case Rf2Kind::kDescription: {
        std::vector<sprout::snomed::DescriptionRow> out;
        sprout::snomed::ParseDescriptionRows(f.name, rows, 2, &out).IgnoreError();
        break;
      }
      case Rf2Kind::kRelationship: {
        std::vector<sprout::snomed::RelationshipRow> out;
        sprout::snomed::ParseRelationshipRows(f.name, rows, 2, &out).IgnoreError();
        break;
      }
      case Rf2Kind::kExtendedMapRefset: {
        std::vector<sprout::snomed::MapRow> out;
        sprout::snomed::ParseMapRows(f.name, rows, 2, *layout, &out).IgnoreError();
        break;
      }
      default: {
        std::vector<sprout::snomed::RefsetRow> out;
        sprout::snomed::ParseRefsetRows(f.name, rows, 2, *layout, &out).IgnoreError();
        break;
      }
    }
    if (whole_load) {
      std::vector<sprout::snomed::Rf2File> files = *release;
      for (sprout::snomed::Rf2File& g : files) {
        if (g.name == f.name) g.content = header + rows;
      }
      sprout::snomed::Terminology::LoadFromFiles(files).status().IgnoreError();
    }
    break;
  }
  return 0;
}
