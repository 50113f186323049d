#include "snomed/rf2.h"

#include "gtest/gtest.h"
#include "snomed/sctid.h"

namespace sprout::snomed {
namespace {

TEST(Rf2Test, ClassifiesInternationalAndUkFileNames) {
  struct Case {
    const char* name;
    Rf2Kind kind;
  } cases[] = {
      {"sct2_Concept_Snapshot_INT_20240101.txt", Rf2Kind::kConcept},
      {"Snapshot/Terminology/sct2_Concept_UKCLSnapshot_GB1000000_20240410.txt", Rf2Kind::kConcept},
      {"sct2_Concept_UKEDSnapshot_GB_20240410.txt", Rf2Kind::kConcept},
      {"sct2_Concept_Snapshot_GB1000000_20190601.txt", Rf2Kind::kConcept},
      {"sct2_Concept_Full_INT_20240101.txt", Rf2Kind::kIgnored},
      {"sct2_Concept_Delta_INT_20240101.txt", Rf2Kind::kIgnored},
      {"sct2_Description_Snapshot-en_INT_20240101.txt", Rf2Kind::kDescription},
      {"sct2_Description_UKCLSnapshot-en_GB1000000_20240410.txt", Rf2Kind::kDescription},
      {"sct2_TextDefinition_Snapshot-en_INT_20240101.txt", Rf2Kind::kDescription},
      {"sct2_Relationship_Snapshot_INT_20240101.txt", Rf2Kind::kRelationship},
      {"sct2_StatedRelationship_Snapshot_INT_20240101.txt", Rf2Kind::kIgnored},
      {"sct2_RelationshipConcreteValues_Snapshot_INT_20240101.txt", Rf2Kind::kConcreteRelationship},
      {"sct2_Identifier_Snapshot_INT_20240101.txt", Rf2Kind::kIdentifier},
      {"sct2_Identifier_Full_INT_20240101.txt", Rf2Kind::kIgnored},
      {"der2_Refset_SimpleSnapshot_INT_20240101.txt", Rf2Kind::kSimpleRefset},
      {"der2_Refset_SimpleUKCRSnapshot_GB1000000_20240410.txt", Rf2Kind::kSimpleRefset},
      {"der2_cRefset_LanguageSnapshot-en_INT_20240101.txt", Rf2Kind::kLanguageRefset},
      {"der2_cRefset_LanguageUKCLSnapshot-en_GB1000000_20240410.txt", Rf2Kind::kLanguageRefset},
      {"der2_cRefset_AssociationSnapshot_INT_20240101.txt", Rf2Kind::kAssociationRefset},
      {"der2_cRefset_AssociationUKCLSnapshot_GB1000000_20240410.txt", Rf2Kind::kAssociationRefset},
      {"der2_cRefset_AttributeValueSnapshot_INT_20240101.txt", Rf2Kind::kAttributeValueRefset},
      {"der2_sRefset_SimpleMapSnapshot_INT_20240101.txt", Rf2Kind::kSimpleMapRefset},
      {"der2_iisssccRefset_ExtendedMapSnapshot_INT_20240101.txt", Rf2Kind::kExtendedMapRefset},
      {"der2_iisssciRefset_ExtendedMapUKCLSnapshot_GB1000000_20240410.txt",
       Rf2Kind::kExtendedMapRefset},
      {"der2_sRefset_OWLExpressionSnapshot_INT_20240101.txt", Rf2Kind::kIgnored},
      {"der2_ssRefset_ModuleDependencySnapshot_INT_20240101.txt", Rf2Kind::kIgnored},
      {"Readme_en_20240101.txt", Rf2Kind::kIgnored},
      {"sct2_Concept_Snapshot_INT_20240101.json", Rf2Kind::kIgnored},
  };
  for (const Case& c : cases) EXPECT_EQ(ClassifyRf2File(c.name), c.kind) << c.name;
}

TEST(Rf2Test, ParsesConcreteValues) {
  struct Case {
    const char* value;
    bool ok;
    bool is_text;
    double number;
    const char* text;
  } cases[] = {
      {"#500", true, false, 500, ""}, {"#0.5", true, false, 0.5, ""},
      {"#-2", true, false, -2, ""},   {"\"weekly\"", true, true, 0, "weekly"},
      {"\"\"", true, true, 0, ""},    {"500", false, false, 0, ""},
      {"#", false, false, 0, ""},     {"#.5", false, false, 0, ""},
      {"#5x", false, false, 0, ""},   {"\"open", false, false, 0, ""},
  };
  for (const Case& c : cases) {
    double number = 0;
    absl::string_view text;
    bool is_text = false;
    EXPECT_EQ(ParseConcreteValue(c.value, &number, &text, &is_text), c.ok) << c.value;
    if (!c.ok) continue;
    EXPECT_EQ(is_text, c.is_text) << c.value;
    if (c.is_text) {
      EXPECT_EQ(text, c.text);
    } else {
      EXPECT_EQ(number, c.number);
    }
  }
  const std::string name = "sct2_RelationshipConcreteValues_Snapshot_INT_20240101.txt";
  const std::string header =
      "id\teffectiveTime\tactive\tmoduleId\tsourceId\tvalue\trelationshipGroup\ttypeId\t"
      "characteristicTypeId\tmodifierId\n";
  std::vector<ConcreteRelationshipRow> rows;
  size_t body = 0;
  std::string good = header +
                     "100022\t20240101\t1\t900000000000207008\t404684003\t#12.5\t2\t116680003\t"
                     "900000000000011006\t900000000000451002\n";
  ASSERT_TRUE(ReadRf2Header(name, good, Rf2Kind::kConcreteRelationship, &body).ok());
  const std::string good_rows = good.substr(body);  // the rows point into it
  ASSERT_TRUE(ParseConcreteRelationshipRows(name, good_rows, 2, &rows).ok());
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].value, "#12.5");
  EXPECT_EQ(rows[0].group, 2u);
  EXPECT_EQ(rows[0].source_id, 404684003u);
  std::string bad = header +
                    "100022\t20240101\t1\t900000000000207008\t404684003\t12.5\t0\t116680003\t"
                    "900000000000011006\t900000000000451002\n";
  absl::Status s = ParseConcreteRelationshipRows(name, bad.substr(body), 2, &rows);
  EXPECT_EQ(s.message(), name +
                             ":2: field 6 (value) is '12.5'; expected #number (e.g. #500, #0.5) "
                             "or \"text\"");
}

TEST(Rf2Test, ParsesAlternateIdentifiers) {
  const std::string name = "sct2_Identifier_Snapshot_INT_20240101.txt";
  std::string content =
      "alternateIdentifier\teffectiveTime\tactive\tmoduleId\tidentifierSchemeId\t"
      "referencedComponentId\nSP-1\t20240101\t1\t900000000000207008\t404684003\t267076002\n";
  size_t body = 0;
  ASSERT_TRUE(ReadRf2Header(name, content, Rf2Kind::kIdentifier, &body).ok());
  std::vector<IdentifierRow> rows;
  const std::string body_rows = content.substr(body);  // the rows point into it
  ASSERT_TRUE(ParseIdentifierRows(name, body_rows, 2, &rows).ok());
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].alternate_identifier, "SP-1");
  EXPECT_EQ(rows[0].scheme_id, 404684003u);
  EXPECT_EQ(rows[0].referenced_component_id, 267076002u);
  EXPECT_FALSE(ReadRf2Header(name, "alternateIdentifier\tx\n", Rf2Kind::kIdentifier, &body).ok());
}

TEST(Rf2Test, VersionDateComesFromTheFileName) {
  EXPECT_EQ(VersionDateOf("dir/sct2_Concept_Snapshot_INT_20240101.txt"), "20240101");
  EXPECT_EQ(VersionDateOf("notes.txt"), "");
}

constexpr char kConceptHeader[] = "id\teffectiveTime\tactive\tmoduleId\tdefinitionStatusId\n";

TEST(Rf2Test, ParsesConceptsWithLfOrCrlfAndBom) {
  for (std::string eol : {"\n", "\r\n"}) {
    std::string content = std::string("\xEF\xBB\xBF") + kConceptHeader;
    if (eol == "\r\n")
      content = "\xEF\xBB\xBFid\teffectiveTime\tactive\tmoduleId\tdefinitionStatusId\r\n";
    content += "138875005\t20020131\t1\t900000000000207008\t900000000000074008" + eol;
    content += "404684003\t\t0\t900000000000207008\t900000000000073002";  // no final newline
    std::vector<ConceptRow> rows;
    ASSERT_TRUE(ParseConceptFile("c.txt", content, &rows).ok());
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].id, 138875005u);
    EXPECT_EQ(rows[0].effective_time, 20020131u);
    EXPECT_TRUE(rows[0].active);
    EXPECT_EQ(rows[1].effective_time, 0u);
    EXPECT_FALSE(rows[1].active);
    EXPECT_EQ(rows[1].definition_status_id, 900000000000073002u);
  }
}

struct ErrorCase {
  std::string body;
  std::string message;
};

TEST(Rf2Test, ConceptErrorsNameFileLineAndProblem) {
  const ErrorCase cases[] = {
      {"138875005\t20020131\t1\t900000000000207008\n", "c.txt:2: has 4 fields; expected 5"},
      {"138875005\t20020131\tx\t900000000000207008\t900000000000074008\n",
       "c.txt:2: field 3 (active) is 'x'; expected 0 or 1"},
      {"138875005\t2002013\t1\t900000000000207008\t900000000000074008\n",
       "c.txt:2: field 2 (effectiveTime) is '2002013'; expected a date YYYYMMDD"},
      {"138875005\t20020131\t1\t900000000000207008\t900000000000074008\n"
       "0138875005\t20020131\t1\t900000000000207008\t900000000000074008\n",
       "c.txt:3: field 1 (id) is '0138875005'; expected an SCTID"},
      {"138875005\t20020131\t1\t9000000000002070x8\t900000000000074008\n",
       "c.txt:2: field 4 (moduleId) is '9000000000002070x8'; expected an SCTID"},
  };
  for (const ErrorCase& c : cases) {
    std::vector<ConceptRow> rows;
    absl::Status s = ParseConceptFile("c.txt", kConceptHeader + c.body, &rows);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(s.message(), c.message);
  }
}

TEST(Rf2Test, HeaderIsChecked) {
  std::vector<ConceptRow> rows;
  absl::Status s = ParseConceptFile("c.txt", "id\teffectiveTime\tactive\tmoduleId\n", &rows);
  EXPECT_EQ(s.message(),
            "c.txt:1: header is 'id\\teffectiveTime\\tactive\\tmoduleId'; expected "
            "'id\\teffectiveTime\\tactive\\tmoduleId\\tdefinitionStatusId'");
  s = ParseConceptFile("c.txt", "", &rows);
  EXPECT_EQ(s.message(), "c.txt:1: file is empty; expected a header row");
  EXPECT_TRUE(ParseConceptFile("c.txt", kConceptHeader, &rows).ok());
  EXPECT_TRUE(rows.empty());
}

TEST(Rf2Test, DescriptionTermsAreNotCappedAt255) {
  std::string term(4096, 'a');
  std::string content =
      "id\teffectiveTime\tactive\tmoduleId\tconceptId\tlanguageCode\ttypeId\tterm\t"
      "caseSignificanceId\r\n"
      "1000015\t20200101\t1\t900000000000207008\t138875005\ten\t900000000000013009\t" +
      term + "\t900000000000448009\r\n";
  std::vector<DescriptionRow> rows;
  ASSERT_TRUE(ParseDescriptionFile("d.txt", content, &rows).ok());
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].term.size(), 4096u);
  EXPECT_EQ(rows[0].language_code, "en");
}

TEST(Rf2Test, TermsMustBeValidUtf8) {
  const std::string header =
      "id\teffectiveTime\tactive\tmoduleId\tconceptId\tlanguageCode\ttypeId\tterm\t"
      "caseSignificanceId\n";
  auto row = [](const std::string& term) {
    return "1000015\t20200101\t1\t900000000000207008\t138875005\ten\t900000000000013009\t" + term +
           "\t900000000000448009\n";
  };
  std::vector<DescriptionRow> rows;
  EXPECT_TRUE(
      ParseDescriptionFile("d.txt", header + row("Sj\xC3\xB6gren syndrome \xE2\x80\x93 ok"), &rows)
          .ok());
  for (const char* bad : {"caf\xE9", "\xC0\xAF", "x\xED\xA0\x80", "\xF4\x90\x80\x80", "ab\xC3"}) {
    absl::Status s = ParseDescriptionFile("d.txt", header + row(bad), &rows);
    EXPECT_EQ(std::string(s.message()), "d.txt:2: field 8 (term) is not valid UTF-8") << bad;
  }
}

TEST(Rf2Test, RelationshipGroupMustBeAnInteger) {
  std::string content =
      "id\teffectiveTime\tactive\tmoduleId\tsourceId\tdestinationId\trelationshipGroup\ttypeId\t"
      "characteristicTypeId\tmodifierId\n"
      "100022\t20200101\t1\t900000000000207008\t404684003\t138875005\tA\t116680003\t"
      "900000000000011006\t900000000000451002\n";
  std::vector<RelationshipRow> rows;
  absl::Status s = ParseRelationshipFile("r.txt", content, &rows);
  EXPECT_EQ(s.message(), "r.txt:2: field 7 (relationshipGroup) is 'A'; expected an integer");
}

TEST(Rf2Test, RefsetExtraColumnIsChecked) {
  std::string header = "id\teffectiveTime\tactive\tmoduleId\trefsetId\treferencedComponentId";
  std::vector<RefsetRow> rows;
  absl::Status s =
      ParseRefsetFile("l.txt", header + "\tvalueId\n", Rf2Kind::kLanguageRefset, &rows);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("l.txt:1: header is"), absl::string_view::npos);
  std::string ok = header + "\tacceptabilityId\n" +
                   "a-uuid\t20200101\t1\t900000000000207008\t900000000000508004\t1000015\t"
                   "900000000000548007\n";
  ASSERT_TRUE(ParseRefsetFile("l.txt", ok, Rf2Kind::kLanguageRefset, &rows).ok());
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].value, 900000000000548007u);
}

TEST(Rf2Test, UkExtendedMapColumnsAreFoundByName) {
  std::string content =
      "id\teffectiveTime\tactive\tmoduleId\trefsetId\treferencedComponentId\tmapGroup\t"
      "mapPriority\tmapRule\tmapAdvice\tmapTarget\tcorrelationId\tmapBlock\n"
      "u1\t20200101\t1\t999000011000000103\t" +
      std::to_string(MakeSctid(9000050, 1000000, Partition::kExtensionConcept)) +
      "\t267076002\t1\t1\tTRUE\t"
      "ALWAYS Z60.2\tZ60.2\t447561005\t1\n";
  std::vector<MapRow> rows;
  ASSERT_TRUE(ParseMapFile("m.txt", content, Rf2Kind::kExtendedMapRefset, &rows).ok());
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].map_target, "Z60.2");
  EXPECT_EQ(rows[0].map_advice, "ALWAYS Z60.2");
  EXPECT_EQ(rows[0].correlation_id, 447561005u);
}

}  // namespace
}  // namespace sprout::snomed
