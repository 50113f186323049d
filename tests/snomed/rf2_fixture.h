// A tiny RF2 release built in memory for tests: real ids from DOMAIN.md for
// the hierarchy, generated (Verhoeff-valid) ids for descriptions,
// relationships and the few synthetic attributes.
#ifndef SPROUT_TESTS_SNOMED_RF2_FIXTURE_H_
#define SPROUT_TESTS_SNOMED_RF2_FIXTURE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "snomed/sctid.h"
#include "snomed/terminology.h"

namespace sprout::snomed::testing {

class Rf2FixtureBuilder {
 public:
  explicit Rf2FixtureBuilder(std::string date = "20240410") : date_(std::move(date)) {}

  Rf2FixtureBuilder& Concept(uint64_t id, bool active = true, uint32_t time = 20200101,
                             uint64_t module = kCoreModule, bool defined = false) {
    concepts_ += absl::StrCat(id, "\t", time, "\t", active ? 1 : 0, "\t", module, "\t",
                              defined ? kFullyDefined : kPrimitiveStatus, "\n");
    return *this;
  }
  // A relationship with a concrete value, e.g. "#500", "#0.5" or "\"text\"".
  Rf2FixtureBuilder& Concrete(uint64_t source, uint64_t type, const std::string& value, int group,
                              bool active = true, uint64_t characteristic = kInferred) {
    concrete_ += absl::StrCat(MakeSctid(++rel_seq_, 0, Partition::kRelationship), "\t20200101\t",
                              active ? 1 : 0, "\t900000000000207008\t", source, "\t", value, "\t",
                              group, "\t", type, "\t", characteristic, "\t900000000000451002\n");
    return *this;
  }
  // An alternate identifier `code` in `scheme` for `component`.
  Rf2FixtureBuilder& Identifier(const std::string& code, uint64_t scheme, uint64_t component,
                                bool active = true) {
    identifiers_ += absl::StrCat(code, "\t20200101\t", active ? 1 : 0, "\t900000000000207008\t",
                                 scheme, "\t", component, "\n");
    return *this;
  }
  Rf2FixtureBuilder& IsA(uint64_t child, uint64_t parent, bool active = true) {
    return Rel(child, kIsA, parent, 0, active);
  }
  Rf2FixtureBuilder& Rel(uint64_t source, uint64_t type, uint64_t dest, int group,
                         bool active = true, uint64_t characteristic = kInferred) {
    rels_ += absl::StrCat(MakeSctid(++rel_seq_, 0, Partition::kRelationship), "\t20200101\t",
                          active ? 1 : 0, "\t900000000000207008\t", source, "\t", dest, "\t", group,
                          "\t", type, "\t", characteristic, "\t900000000000451002\n");
    return *this;
  }
  // Adds a description; `gb`/`nhs`/`us` are 'P' (preferred), 'A' (acceptable)
  // or 0 (no row) in those language refsets. Returns the description id.
  uint64_t Description(uint64_t concept_id, uint64_t type, const std::string& term, char gb,
                       char nhs = 0, char us = 0, bool active = true, uint32_t time = 20200101,
                       uint64_t module = kCoreModule) {
    uint64_t id = MakeSctid(++desc_seq_, 0, Partition::kDescription);
    descs_ += absl::StrCat(id, "\t", time, "\t", active ? 1 : 0, "\t", module, "\t", concept_id,
                           "\ten\t", type, "\t", term, "\t900000000000448009\n");
    Lang(id, kGbLanguageRefset, gb);
    Lang(id, kNhsRealmLanguageRefset, nhs);
    Lang(id, kUsLanguageRefset, us);
    return id;
  }
  // FSN + preferred synonym in GB (and NHS realm), the usual pair.
  Rf2FixtureBuilder& Named(uint64_t concept_id, const std::string& pt, const std::string& tag) {
    Description(concept_id, kFsnType, absl::StrCat(pt, " (", tag, ")"), 'P', 0, 'P');
    Description(concept_id, kSynonymType, pt, 'P', 0, 'P');
    return *this;
  }
  Rf2FixtureBuilder& Member(uint64_t refset, uint64_t component, bool active = true,
                            uint32_t time = 20200101, uint64_t module = kCoreModule) {
    simple_ += absl::StrCat(Uuid(), "\t", time, "\t", active ? 1 : 0, "\t", module, "\t", refset,
                            "\t", component, "\n");
    return *this;
  }
  Rf2FixtureBuilder& Association(uint64_t refset, uint64_t source, uint64_t target,
                                 bool active = true, uint32_t time = 20200101,
                                 uint64_t module = kCoreModule) {
    assoc_ += absl::StrCat(Uuid(), "\t", time, "\t", active ? 1 : 0, "\t", module, "\t", refset,
                           "\t", source, "\t", target, "\n");
    return *this;
  }
  Rf2FixtureBuilder& AttributeValue(uint64_t refset, uint64_t component, uint64_t value,
                                    bool active = true, uint32_t time = 20200101) {
    attr_ += absl::StrCat(Uuid(), "\t", time, "\t", active ? 1 : 0, "\t900000000000207008\t",
                          refset, "\t", component, "\t", value, "\n");
    return *this;
  }
  Rf2FixtureBuilder& Inactivation(uint64_t concept_id, uint64_t reason) {
    attr_ += absl::StrCat(Uuid(), "\t20200101\t1\t900000000000207008\t", kConceptInactivationRefset,
                          "\t", concept_id, "\t", reason, "\n");
    return *this;
  }
  Rf2FixtureBuilder& ExtendedMap(uint64_t refset, uint64_t concept_id, int group, int priority,
                                 const std::string& target) {
    maps_ += absl::StrCat(Uuid(), "\t20200101\t1\t999000011000000103\t", refset, "\t", concept_id,
                          "\t", group, "\t", priority, "\tTRUE\tALWAYS ", target, "\t", target,
                          "\t447561005\t1\n");
    return *this;
  }

  std::vector<Rf2File> Build(bool crlf = false) const {
    auto fix = [&](std::string s) {
      if (!crlf) return s;
      std::string out;
      for (char c : s) {
        if (c == '\n') out += '\r';
        out += c;
      }
      return out;
    };
    std::string d = date_;
    std::vector<Rf2File> files = {
        {"sct2_Concept_Snapshot_INT_" + d + ".txt",
         fix("id\teffectiveTime\tactive\tmoduleId\tdefinitionStatusId\n" + concepts_)},
        {"sct2_Description_Snapshot-en_INT_" + d + ".txt",
         fix("id\teffectiveTime\tactive\tmoduleId\tconceptId\tlanguageCode\ttypeId\tterm\t"
             "caseSignificanceId\n" +
             descs_)},
        {"sct2_Relationship_Snapshot_INT_" + d + ".txt",
         fix("id\teffectiveTime\tactive\tmoduleId\tsourceId\tdestinationId\trelationshipGroup\t"
             "typeId\tcharacteristicTypeId\tmodifierId\n" +
             rels_)},
        {"der2_cRefset_LanguageSnapshot-en_INT_" + d + ".txt",
         fix(std::string(kRefsetHeader) + "\tacceptabilityId\n" + lang_)},
        {"der2_Refset_SimpleUKCRSnapshot_GB1000000_" + d + ".txt",
         fix(std::string(kRefsetHeader) + "\n" + simple_)},
        {"der2_cRefset_AssociationSnapshot_INT_" + d + ".txt",
         fix(std::string(kRefsetHeader) + "\ttargetComponentId\n" + assoc_)},
        {"der2_cRefset_AttributeValueSnapshot_INT_" + d + ".txt",
         fix(std::string(kRefsetHeader) + "\tvalueId\n" + attr_)},
        {"der2_iisssciRefset_ExtendedMapUKCLSnapshot_GB1000000_" + d + ".txt",
         fix(std::string(kRefsetHeader) +
             "\tmapGroup\tmapPriority\tmapRule\tmapAdvice\tmapTarget\tcorrelationId\tmapBlock\n" +
             maps_)},
    };
    // Written only when used, so older tests see the files they always did.
    if (!concrete_.empty()) {
      files.push_back({"sct2_RelationshipConcreteValues_Snapshot_INT_" + d + ".txt",
                       fix("id\teffectiveTime\tactive\tmoduleId\tsourceId\tvalue\t"
                           "relationshipGroup\ttypeId\tcharacteristicTypeId\tmodifierId\n" +
                           concrete_)});
    }
    if (!identifiers_.empty()) {
      files.push_back({"sct2_Identifier_Snapshot_INT_" + d + ".txt",
                       fix("alternateIdentifier\teffectiveTime\tactive\tmoduleId\t"
                           "identifierSchemeId\treferencedComponentId\n" +
                           identifiers_)});
    }
    return files;
  }

 private:
  static constexpr uint64_t kCoreModule = 900000000000207008;
  static constexpr uint64_t kPrimitiveStatus = 900000000000074008;
  static constexpr const char* kRefsetHeader =
      "id\teffectiveTime\tactive\tmoduleId\trefsetId\treferencedComponentId";

  void Lang(uint64_t desc, uint64_t refset, char acc) {
    if (acc == 0) return;
    lang_ += absl::StrCat(Uuid(), "\t20200101\t1\t900000000000207008\t", refset, "\t", desc, "\t",
                          acc == 'P' ? kPreferred : kAcceptable, "\n");
  }
  std::string Uuid() {
    std::string n = absl::StrCat(++uuid_seq_);
    return absl::StrCat("00000000-0000-4000-8000-", std::string(12 - n.size(), '0'), n);
  }

  std::string date_;
  std::string concepts_, descs_, rels_, lang_, simple_, assoc_, attr_, maps_, concrete_,
      identifiers_;
  uint64_t rel_seq_ = 1000, desc_seq_ = 1000, uuid_seq_ = 0;
};

}  // namespace sprout::snomed::testing

#endif  // SPROUT_TESTS_SNOMED_RF2_FIXTURE_H_
