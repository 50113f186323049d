// ECL 2.2 beyond the core: concept, description and member filters, member
// field selection, history supplements, top and bottom, alternate
// identifiers and concrete values, each on a release built to make them
// tricky (ecl22_release.h). The core operators are in ecl_test.cc.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "snomed/ecl.h"
#include "tests/snomed/ecl22_release.h"

namespace sprout::snomed {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;
using namespace testing;  // NOLINT: the fixture's ids

class Ecl22Test : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ids_ = new Ecl22Descriptions;
    auto t = Terminology::LoadFromFiles(Ecl22ReleaseBuilder(ids_).Build());
    ASSERT_TRUE(t.ok()) << t.status();
    t_ = new std::shared_ptr<const Terminology>(*t);
  }
  static const Terminology& T() { return **t_; }

  // Evaluates (sorted SCTIDs), and checks that Matches(), MatchesBounded()
  // and Count() agree with the set for every concept.
  std::vector<uint64_t> Eval(const std::string& text) {
    absl::StatusOr<Ecl> e = Ecl::Parse(text);
    EXPECT_TRUE(e.ok()) << text << ": " << e.status();
    if (!e.ok()) return {};
    std::vector<uint64_t> ids = e->Evaluate(T());
    EXPECT_EQ(e->Count(T()), ids.size()) << text;
    for (uint32_t c = 0; c < T().concept_count(); ++c) {
      bool in = std::binary_search(ids.begin(), ids.end(), T().IdAt(c));
      EXPECT_EQ(e->MatchesIndex(T(), c), in) << text << " concept " << T().IdAt(c);
      EXPECT_EQ(*e->MatchesBounded(T(), T().IdAt(c)), in) << text;
    }
    return ids;
  }
  static std::string Id(uint64_t id) { return std::to_string(id); }
  static std::vector<uint64_t> Sorted(std::vector<uint64_t> v) {
    std::sort(v.begin(), v.end());
    return v;
  }
  std::string Error(const std::string& text) {
    absl::StatusOr<Ecl> e = Ecl::Parse(text);
    EXPECT_FALSE(e.ok()) << text;
    if (e.ok()) return "";
    EXPECT_EQ(e.status().code(), absl::StatusCode::kInvalidArgument) << text;
    return std::string(e.status().message());
  }

  static std::shared_ptr<const Terminology>* t_;
  static Ecl22Descriptions* ids_;
};
std::shared_ptr<const Terminology>* Ecl22Test::t_ = nullptr;
Ecl22Descriptions* Ecl22Test::ids_ = nullptr;

TEST_F(Ecl22Test, ConceptFilterOnModule) {
  EXPECT_EQ(Eval("<< 71388002 {{ C moduleId = 999000011000000103 }}"),
            Sorted({kLinkWorkerReferral, kReview}));
  EXPECT_EQ(Eval("<< 306206005 {{ C moduleId != 999000011000000103 }}"),
            Sorted({306206005, 306238000, 871731000000106}));
  // A set of modules, and a module given as a constraint over ids the
  // release does not describe (module concepts are often not loaded).
  EXPECT_EQ(Eval("<< 3457005 {{ C moduleId = (900000000000207008 999000011000000103) }}"),
            Eval("<< 3457005"));
  EXPECT_EQ(Eval("<< 3457005 {{ c moduleId = 999000011000000103 |UK clinical| }}"),
            Sorted({kLinkWorkerReferral, kReview}));
}

TEST_F(Ecl22Test, ConceptFilterOnEffectiveTime) {
  EXPECT_EQ(Eval("<< 71388002 {{ C effectiveTime >= \"20230615\" }}"),
            Sorted({kLinkWorkerReferral, kReview}));
  EXPECT_EQ(Eval("<< 71388002 {{ C effectiveTime > \"20230615\" }}"),
            Sorted({kLinkWorkerReferral}));
  EXPECT_EQ(Eval("<< 3457005 {{ C effectiveTime < \"20230615\" }}"),
            Sorted({3457005, 306206005, 306238000, 871731000000106}));
  EXPECT_EQ(Eval("<< 3457005 {{ C effectiveTime <= \"20230615\" }}"),
            Sorted({3457005, 306206005, 306238000, 871731000000106, kReview}));
  EXPECT_EQ(Eval("<< 3457005 {{ C effectiveTime = \"20250131\" }}"), Sorted({kLinkWorkerReferral}));
  EXPECT_EQ(Eval("<< 3457005 {{ C effectiveTime = (\"20250131\" \"20230615\") }}"),
            Sorted({kLinkWorkerReferral, kReview}));
  EXPECT_EQ(Eval("<< 3457005 {{ C effectiveTime != \"20200101\" }}"),
            Sorted({kLinkWorkerReferral, kReview}));
}

TEST_F(Ecl22Test, ConceptFilterOnDefinitionStatusAndActive) {
  EXPECT_EQ(Eval("<< 404684003 {{ C definitionStatus = defined }}"), Sorted({kChronicLoneliness}));
  EXPECT_EQ(Eval("<< 3457005 {{ C definitionStatusId = 900000000000073002 |Defined| }}"),
            Sorted({kLinkWorkerReferral}));
  EXPECT_EQ(Eval("<< 161152002 {{ C definitionStatus = primitive }}"),
            Sorted({161152002, 267076002, 422650009, 423315002}));
  EXPECT_EQ(Eval("<< 161152002 {{ C definitionStatus = (primitive defined) }}"),
            Eval("<< 161152002"));
  // ^ yields inactive members; the filter keeps one side.
  EXPECT_EQ(Eval("^ 900000000000527005 {{ C active = false }}"),
            Sorted({kSameAsLonely, kOldLinkWorker}));
  EXPECT_EQ(Eval("^ 900000000000527005 {{ C active = 1 }}"), Sorted({}));
  EXPECT_EQ(Eval("^ 1127531000000102 {{ C active = true, moduleId = 999000011000000103 }}"),
            Sorted({kLinkWorkerReferral}));
  EXPECT_EQ(Eval("^ 1127531000000102 {{ C active != 0 }} {{ C moduleId = 900000000000207008 }}"),
            Sorted({306238000, 871731000000106}));
}

TEST_F(Ecl22Test, ConceptAndDescriptionFiltersCombine) {
  EXPECT_EQ(Eval("<< 404684003 {{ D term = \"lonel\" }} {{ C definitionStatus = primitive }}"),
            Sorted({267076002}));
  EXPECT_EQ(Eval("<< 71388002 {{ C moduleId = 999000011000000103 }} {{ term = \"review\" }}"),
            Sorted({kReview}));
}

TEST_F(Ecl22Test, DialectFilters) {
  // "Chronic lonesomeness" is preferred in US English, acceptable in GB.
  EXPECT_EQ(Eval("<< 404684003 {{ D term = \"lonesomeness\", dialect = en-us (prefer) }}"),
            Sorted({kChronicLoneliness}));
  EXPECT_EQ(Eval("<< 404684003 {{ D term = \"lonesomeness\", dialect = en-gb (prefer) }}"),
            Sorted({}));
  EXPECT_EQ(Eval("<< 404684003 {{ D term = \"lonesomeness\", dialect = en-gb (accept) }}"),
            Sorted({kChronicLoneliness}));
  EXPECT_EQ(Eval("<< 404684003 {{ D term = \"lonesomeness\", dialect = en-gb }}"),
            Sorted({kChronicLoneliness}));
  // "Loneliness" (267076002) is acceptable in GB and US; "Chronic
  // loneliness" preferred in GB and acceptable in US.
  EXPECT_EQ(Eval("<< 404684003 {{ D term = \"loneliness\", dialect = en-gb (prefer) }}"),
            Sorted({kChronicLoneliness}));
  EXPECT_EQ(Eval("<< 404684003 {{ D term = \"loneliness\", dialect = en-us }}"),
            Sorted({267076002, kChronicLoneliness}));
  // "Lonely all the time" is in the NHS realm refset only.
  EXPECT_EQ(Eval("<< 404684003 {{ D term = \"lonely\", dialect != en-us }}"),
            Sorted({kChronicLoneliness}));
  EXPECT_EQ(Eval("<< 404684003 {{ D term = \"lonely\", dialect != (en-us en-gb) }}"),
            Sorted({kChronicLoneliness}));
  EXPECT_EQ(Eval("<< 404684003 {{ D term = \"loneliness\", dialectId = 900000000000508004 "
                 "(accept) }}"),
            Sorted({267076002}));
  EXPECT_EQ(Eval("<< 404684003 {{ D term = \"loneliness\", dialectId = 900000000000508004 "
                 "(900000000000549004 |Acceptable|) }}"),
            Sorted({267076002}));
  EXPECT_EQ(Eval("<< 404684003 {{ D term = \"loneliness\", acceptableIn = 900000000000508004 }}"),
            Sorted({267076002}));
  EXPECT_EQ(Eval("<< 404684003 {{ D term = \"loneliness\", preferredIn = (900000000000508004 "
                 "900000000000509007) }}"),
            Sorted({kChronicLoneliness}));
  EXPECT_EQ(Eval("<< 404684003 {{ D term = \"loneliness\", languageRefSetId = "
                 "900000000000509007 }}"),
            Sorted({267076002, kChronicLoneliness}));
  EXPECT_EQ(Eval("<< 404684003 {{ D term = \"lonesomeness\", dialect = (en-gb (prefer) en-us "
                 "(prefer)) }}"),
            Sorted({kChronicLoneliness}));
  // The NHS realm refset: 871731000000106's NHS preferred synonym.
  EXPECT_EQ(Eval("<< 71388002 {{ D dialect = en-nhs-clinical (prefer) }}"),
            Sorted({871731000000106}));
  EXPECT_EQ(Eval("<< 404684003 {{ D dialectId = 999001261000000100 }}"),
            Sorted({kChronicLoneliness}));
  // Two dialect conditions in one block hold for the same description.
  EXPECT_EQ(Eval("<< 404684003 {{ D dialect = en-gb (accept), dialect = en-us (prefer) }}"),
            Sorted({kChronicLoneliness}));
  EXPECT_EQ(Eval("<< 267076002 {{ D dialect = en-gb (accept), dialect = en-us (accept) }}"),
            Sorted({267076002}));
  EXPECT_EQ(Eval("<< 267076002 {{ D dialect = en-gb (prefer), dialect = en-us (accept) }}"),
            Sorted({kChronicLoneliness}));
}

TEST_F(Ecl22Test, DescriptionFiltersOnModuleTimeActiveAndId) {
  EXPECT_EQ(Eval("<< 404684003 {{ D moduleId = 999000011000000103 }}"),
            Sorted({kChronicLoneliness}));
  EXPECT_EQ(Eval("<< 404684003 {{ D effectiveTime > \"20240101\" }}"),
            Sorted({kChronicLoneliness}));
  EXPECT_EQ(Eval("<< 404684003 {{ D term = \"chronic\", effectiveTime > \"20240101\" }}"),
            Sorted({}));
  // Descriptions are active unless the filter says otherwise.
  EXPECT_EQ(Eval("<< 71388002 {{ D term = \"old social\" }}"), Sorted({}));
  EXPECT_EQ(Eval("<< 71388002 {{ D term = \"old social\", active = false }}"),
            Sorted({871731000000106}));
  EXPECT_EQ(Eval("<< 71388002 {{ D active = 0 }}"), Sorted({871731000000106}));
  EXPECT_EQ(Eval("<< 404684003 {{ D id = " + Id(ids_->lonesomeness) + " }}"),
            Sorted({kChronicLoneliness}));
  EXPECT_EQ(Eval("<< 404684003 {{ D id = (" + Id(ids_->lonesomeness) + " " +
                 Id(ids_->all_the_time) + "), type = syn }}"),
            Sorted({kChronicLoneliness}));
  EXPECT_EQ(Eval("<< 267076002 {{ D id != " + Id(ids_->lonesomeness) + " }}"),
            Sorted({267076002, kChronicLoneliness}));
}

TEST_F(Ecl22Test, HistorySupplements) {
  // MIN: SAME AS. MOD: SAME AS, REPLACED BY, WAS A, PARTIALLY EQUIVALENT TO.
  // MAX (and plain +HISTORY): every association.
  EXPECT_EQ(Eval("267076002 {{ +HISTORY-MIN }}"), Sorted({267076002, kSameAsLonely}));
  EXPECT_EQ(Eval("267076002 {{ +HISTORY-MOD }}"), Sorted({267076002, kSameAsLonely}));
  EXPECT_EQ(Eval("267076002 {{ +HISTORY-MAX }}"),
            Sorted({267076002, kSameAsLonely, kPossiblyLonely}));
  EXPECT_EQ(Eval("267076002 {{ +HISTORY }}"), Eval("267076002 {{ +HISTORY-MAX }}"));
  EXPECT_EQ(
      Eval("<< 161152002 {{ +HISTORY-MIN }}"),
      Sorted({161152002, 267076002, 422650009, 423315002, kChronicLoneliness, kSameAsLonely}));
  EXPECT_EQ(Eval("<< 161152002 {{ +HISTORY-MOD }}"),
            Sorted({161152002, 267076002, 422650009, 423315002, kChronicLoneliness, kSameAsLonely,
                    kWasALoneliness, kPartlyIsolated}));
  EXPECT_EQ(
      Eval("< 404684003 {{ +HISTORY-MOD }}"),
      Sorted({40979000, 105529008, 161152002, 267076002, 422650009, 423315002, kChronicLoneliness,
              415510005, kSameAsLonely, kWasALoneliness, kPartlyIsolated}));
  // The explicit form names the association refsets.
  EXPECT_EQ(Eval("267076002 {{ +HISTORY (900000000000523009 |POSSIBLY EQUIVALENT TO|) }}"),
            Sorted({267076002, kPossiblyLonely}));
  // An inactive association row is not followed.
  EXPECT_EQ(Eval("105529008 {{ +HISTORY }}"), Sorted({105529008}));
  // The supplement applies to the filtered set; UK SAME AS row included.
  EXPECT_EQ(Eval("<< 306206005 {{ C moduleId = 999000011000000103 }} {{ +HISTORY-MIN }}"),
            Sorted({kLinkWorkerReferral, kOldLinkWorker}));
}

TEST_F(Ecl22Test, TopAndBottom) {
  EXPECT_EQ(Eval("!!> (<< 161152002)"), Sorted({161152002}));
  EXPECT_EQ(Eval("!!< (<< 161152002)"), Sorted({423315002, kChronicLoneliness}));
  EXPECT_EQ(Eval("!!> (267076002 OR 423315002 OR 404684003)"), Sorted({404684003}));
  EXPECT_EQ(Eval("!!< (267076002 OR 423315002 OR 404684003)"), Sorted({267076002, 423315002}));
  EXPECT_EQ(Eval("!!> (^ 1127531000000102)"),
            Sorted({306238000, 871731000000106, kLinkWorkerReferral}));
  EXPECT_EQ(Eval("!!> 404684003"), Sorted({404684003}));
  EXPECT_EQ(Eval("!!< 404684003"), Sorted({404684003}));
  EXPECT_EQ(Eval("!!> *"), Sorted({138875005}));
  EXPECT_EQ(Eval("!!< (<< 71388002)"),
            Sorted({306238000, 871731000000106, kLinkWorkerReferral, kReview}));
  EXPECT_EQ(Eval("!!< (<< 71388002) AND !!< (<< 306206005)"),
            Sorted({306238000, 871731000000106, kLinkWorkerReferral}));
}

TEST_F(Ecl22Test, MemberFieldSelection) {
  // Concept-valued fields return the concepts.
  EXPECT_EQ(Eval("^ [referencedComponentId] 900000000000527005 |SAME AS|"),
            Sorted({kSameAsLonely, kOldLinkWorker}));
  EXPECT_EQ(Eval("^ [targetComponentId] 900000000000527005"),
            Sorted({267076002, kLinkWorkerReferral}));
  EXPECT_EQ(Eval("^ [referencedComponentId, targetComponentId] 900000000000527005"),
            Sorted({267076002, kSameAsLonely, kLinkWorkerReferral, kOldLinkWorker}));
  // [*]: every concept-valued field the release holds (the module and refset
  // concepts are not in this release).
  EXPECT_EQ(Eval("^ [*] 900000000000527005"),
            Sorted({267076002, kSameAsLonely, kLinkWorkerReferral, kOldLinkWorker}));
  // valueId of the active inactivation rows only.
  EXPECT_EQ(Eval("^ [valueId] 900000000000489007"), Sorted({kReasonOutdated}));
  EXPECT_EQ(Eval("^ [targetComponentId] 1127531000000102"), Sorted({}));
  // Targets of every association row (the refset concepts are not in this
  // release, so they are named through '*').
  EXPECT_EQ(Eval("<< 404684003 AND ^ [targetComponentId] *"),
            Sorted({40979000, 161152002, 267076002, 422650009}));
  EXPECT_EQ(Eval("< (^ [targetComponentId] 900000000000527005)"), Sorted({kChronicLoneliness}));
}

TEST_F(Ecl22Test, MemberFilters) {
  EXPECT_EQ(Eval("^ 900000000000527005 {{ M targetComponentId = << 404684003 }}"),
            Sorted({kSameAsLonely}));
  EXPECT_EQ(Eval("^ 900000000000527005 {{ M targetComponentId != << 404684003 }}"),
            Sorted({kOldLinkWorker}));
  EXPECT_EQ(Eval("^ 900000000000527005 {{ M effectiveTime >= \"20250101\" }}"),
            Sorted({kOldLinkWorker}));
  EXPECT_EQ(Eval("^ 900000000000527005 {{ M moduleId = 999000011000000103 }}"),
            Sorted({kOldLinkWorker}));
  // Inactive rows only when asked for.
  EXPECT_EQ(Eval("^ 900000000000527005 {{ M active = 0 }}"), Sorted({kRetiredAlone}));
  EXPECT_EQ(Eval("^ 1127531000000102 {{ M active = 0 }}"), Sorted({3457005}));
  EXPECT_EQ(Eval("^ 1127531000000102 {{ M active = 1, moduleId = 999000011000000103, "
                 "effectiveTime >= \"20250101\" }}"),
            Sorted({kLinkWorkerReferral}));
  EXPECT_EQ(Eval("^ 900000000000489007 {{ M valueId = " + Id(kReasonOutdated) + " }}"),
            Sorted({415510005, kWasALoneliness}));
  EXPECT_EQ(
      Eval("^ 900000000000489007 {{ M valueId = " + Id(kReasonOutdated) + ", active = false }}"),
      Sorted({kSameAsLonely}));
  EXPECT_EQ(Eval("^ [targetComponentId] 900000000000527005 {{ M referencedComponentId = " +
                 Id(kOldLinkWorker) + " }}"),
            Sorted({kLinkWorkerReferral}));
  // Two blocks must hold for the same row.
  EXPECT_EQ(Eval("^ * {{ M targetComponentId = 267076002 }} {{ M moduleId = 900000000000207008 }}"),
            Sorted({kSameAsLonely, kPossiblyLonely}));
  // Member, concept and description filters together.
  EXPECT_EQ(Eval("^ * {{ M targetComponentId = << 161152002 }} {{ C active = 0 }} {{ D term = "
                 "\"lonel\" }}"),
            Sorted({kWasALoneliness, kSameAsLonely, kPossiblyLonely}));
  EXPECT_EQ(Eval("<< 71388002 AND ^ 1127531000000102 {{ M moduleId = 900000000000207008 }}"),
            Sorted({306238000, 871731000000106}));
}

TEST_F(Ecl22Test, AlternateIdentifiers) {
  EXPECT_EQ(Eval("http://snomed.info/sct#267076002"), Sorted({267076002}));
  EXPECT_EQ(Eval("<< http://snomed.info/sct#161152002 |Social problem| MINUS << 422650009"),
            Sorted({161152002, 267076002, kChronicLoneliness}));
  // Through the identifier file: the scheme alias is the scheme concept's term.
  EXPECT_EQ(Eval("SPROUT#SP-1"), Sorted({267076002}));
  EXPECT_EQ(Eval("sprout#SP-2 |Chronic loneliness|"), Sorted({kChronicLoneliness}));
  EXPECT_EQ(Eval("<< SPROUT#SP-1"), Sorted({267076002, kChronicLoneliness}));
  EXPECT_EQ(Eval("> SPROUT#SP-2 AND < 404684003"), Sorted({161152002, 267076002}));
  EXPECT_EQ(Eval("<< 404684003 {{ C moduleId = 900000000000207008 }} MINUS SPROUT#SP-1"),
            Sorted({40979000, 105529008, 161152002, 404684003, 422650009, 423315002,
                    kChronicLoneliness}));
  // An inactive row, an unknown code and an unknown scheme match nothing,
  // and are reported.
  EXPECT_EQ(Eval("SPROUT#SP-old"), Sorted({}));
  EXPECT_EQ(Eval("SPROUT#nope OR LOINC#1234-5 OR SPROUT#SP-1"), Sorted({267076002}));
  EXPECT_THAT(
      Ecl::Parse("SPROUT#nope OR LOINC#1234-5 OR SPROUT#SP-1")->UnknownAlternateIdentifiers(T()),
      ElementsAre("LOINC#1234-5", "SPROUT#nope"));
  EXPECT_TRUE(Ecl::Parse("<< SPROUT#SP-2")->UnknownConcepts(T()).empty());
}

TEST_F(Ecl22Test, ConcreteValues) {
  const std::string strength = Id(kStrength), schedule = Id(kScheduleText);
  EXPECT_EQ(Eval("< 71388002 : " + strength + " = #500"), Sorted({306238000}));
  EXPECT_EQ(Eval("< 71388002 : " + strength + " = #500.0"), Sorted({306238000}));
  EXPECT_EQ(Eval("< 71388002 : " + strength + " >= #2.5"),
            Sorted({306238000, kLinkWorkerReferral}));
  EXPECT_EQ(Eval("< 71388002 : " + strength + " > #2.5"), Sorted({306238000}));
  EXPECT_EQ(Eval("< 71388002 : " + strength + " < #2.5"), Sorted({871731000000106}));
  EXPECT_EQ(Eval("< 71388002 : " + strength + " <= #2.5"),
            Sorted({871731000000106, kLinkWorkerReferral}));
  EXPECT_EQ(Eval("< 71388002 : " + strength + " != #500"),
            Sorted({871731000000106, kLinkWorkerReferral}));
  EXPECT_EQ(Eval("< 71388002 : " + strength + " > #-1"),
            Sorted({306238000, 871731000000106, kLinkWorkerReferral}));
  // Inactive and stated rows do not count.
  EXPECT_EQ(Eval("< 71388002 : " + strength + " = #7"), Sorted({}));
  EXPECT_EQ(Eval("< 71388002 : " + strength + " = #9"), Sorted({}));
  // Strings compare exactly; a number never equals a string.
  EXPECT_EQ(Eval("< 71388002 : " + schedule + " = \"weekly\""), Sorted({kLinkWorkerReferral}));
  EXPECT_EQ(Eval("< 71388002 : " + schedule + " = \"Weekly\""), Sorted({}));
  EXPECT_EQ(Eval("< 71388002 : " + schedule + " != \"weekly\""), Sorted({kReview}));
  EXPECT_EQ(Eval("< 71388002 : " + schedule + " = #1"), Sorted({}));
  // Groups, cardinality and attribute names as constraints.
  EXPECT_EQ(Eval("< 71388002 : { " + strength + " >= #1, " + schedule + " = \"weekly\" }"),
            Sorted({kLinkWorkerReferral}));
  EXPECT_EQ(Eval("< 71388002 : { " + strength + " >= #1, " + schedule + " = \"monthly\" }"),
            Sorted({}));
  EXPECT_EQ(Eval("< 71388002 : [1..1] { " + strength + " > #0 }"),
            Sorted({306238000, 871731000000106, kLinkWorkerReferral}));
  EXPECT_EQ(Eval("<< 306206005 : [0..0] " + strength + " > #0"), Sorted({306206005}));
  EXPECT_EQ(Eval("< 71388002 : << " + strength + " = #0.5"), Sorted({871731000000106}));
  EXPECT_EQ(Eval("< 71388002 : " + strength + " = #500 OR " + schedule + " = \"monthly\""),
            Sorted({306238000, kReview}));
  // Concrete and concept attributes together.
  EXPECT_EQ(Eval("< 71388002 : " + strength + " = #0.5, 116680003 = 306206005"),
            Sorted({871731000000106}));
}

TEST_F(Ecl22Test, ErrorsArePrecise) {
  EXPECT_EQ(Error("<< 404684003 {{ M active = 1 }}"),
            "ECL syntax error at column 17: a member filter ({{ M ... }}) applies only to '^' "
            "(memberOf)");
  EXPECT_EQ(Error("<< 404684003 {{ C active = maybe }}"),
            "ECL syntax error at column 28: expected true, false, 1 or 0, found 'maybe'");
  EXPECT_EQ(Error("<< 404684003 {{ D dialect = en-xx }}"),
            "ECL syntax error at column 29: unknown dialect alias 'en-xx'; known: en-gb, en-us, "
            "en-nhs-clinical, en-nhs-pharmacy (or use dialectId)");
  EXPECT_EQ(Error("<< 404684003 {{ +HISTORY }} {{ C active = 1 }}"),
            "ECL syntax error at column 29: a history supplement ({{ +HISTORY ... }}) must be the "
            "last filter");
  EXPECT_EQ(Error("<< 404684003 {{ +HISTORY-ALL }}"),
            "ECL syntax error at column 26: expected MIN, MOD or MAX after HISTORY-, found "
            "'ALL'");
  EXPECT_EQ(Error("<< 404684003 {{ C effectiveTime >= \"2025\" }}"),
            "ECL syntax error at column 36: expected a date \"YYYYMMDD\"");
  EXPECT_EQ(Error("<< 404684003 {{ C effectiveTime > (\"20250101\") }}"),
            "ECL syntax error at column 35: a set of dates needs '=' or '!='");
  EXPECT_EQ(Error("<< 404684003 {{ C colour = red }}"),
            "ECL syntax error at column 19: expected 'active', 'definitionStatus', "
            "'definitionStatusId', 'moduleId' or 'effectiveTime' in the concept filter, found "
            "'colour'");
  EXPECT_EQ(Error("^ [effectiveTime] 1127531000000102"),
            "ECL syntax error at column 4: selecting the field 'effectiveTime' is not supported: "
            "only concept-valued fields (referencedComponentId, targetComponentId, valueId, "
            "moduleId, refsetId) can be selected");
  EXPECT_EQ(Error("^ 1127531000000102 {{ M mapTarget = \"Z60.2\" }}"),
            "ECL syntax error at column 25: the member field 'mapTarget' cannot be compared here; "
            "member filters support referencedComponentId, targetComponentId, valueId, moduleId, "
            "effectiveTime and active");
  EXPECT_EQ(Error("^ 900000000000508004 {{ M acceptabilityId = 900000000000548007 }}"),
            "ECL syntax error at column 27: acceptabilityId belongs to language refsets, whose "
            "members are descriptions; use a description filter ({{ D dialect = ... }})");
  EXPECT_EQ(Error("^ 1127531000000102 {{ D term = \"x\" }} {{ M active = 1 }}"),
            "ECL syntax error at column 42: member filters ({{ M ... }}) must come before "
            "description and concept filters");
  EXPECT_EQ(Error("<< 404684003 {{ D dialectId = LOINC#1234-5 }}"),
            "ECL syntax error at column 31: expected a language refset id, found "
            "'LOINC#1234-5'");
  EXPECT_EQ(Error("<< 71388002 : " + Id(kStrength) + " > \"x\""),
            "ECL syntax error at column 26: a string value compares only with '=' or '!='");
  EXPECT_EQ(Error("<< 71388002 : " + Id(kStrength) + " = true"),
            "ECL syntax error at column 28: boolean concrete values are not supported: RF2 "
            "concrete values are numbers (#n) and strings (\"text\")");
  EXPECT_EQ(Error("<< 71388002 : " + Id(kStrength) + " >= 306206005"),
            "ECL syntax error at column 26: '<', '<=', '>' and '>=' compare concrete numbers: "
            "expected '#' and a number after them");
  EXPECT_EQ(Error("* : R " + Id(kStrength) + " = #5"),
            "ECL syntax error at column 18: a reverse attribute (R) cannot have a concrete value");
  EXPECT_EQ(Error("<< 404684003 {{ D dialect = en-gb (maybe) }}"),
            "ECL syntax error at column 36: expected prefer, accept or an acceptability id, "
            "found 'maybe)'");
}

TEST_F(Ecl22Test, LimitsBoundTheNewConstructs) {
  // Filters hold constraints, so they nest: each block is a level.
  EclLimits limits;
  limits.max_depth = 4;
  EXPECT_TRUE(Ecl::Parse("<< 404684003 {{ C moduleId = << 900000000000207008 }}", limits).ok());
  absl::StatusOr<Ecl> deep = Ecl::Parse(
      "<< 404684003 {{ C moduleId = << 138875005 {{ C moduleId = << 138875005 {{ C moduleId = "
      "<< 138875005 {{ C moduleId = 138875005 }} }} }} }}",
      limits);
  ASSERT_FALSE(deep.ok());
  EXPECT_THAT(std::string(deep.status().message()), HasSubstr("(max_depth)"));
  // History, member rows and top/bottom are charged.
  for (const char* text :
       {"<< 138875005 {{ +HISTORY }}", "!!< *", "^ * {{ M targetComponentId = << 138875005 }}",
        "<< 138875005 {{ D dialect = en-gb (prefer) }}"}) {
    absl::StatusOr<Ecl> e = Ecl::Parse(text, EclLimits{.max_cost = 20});
    ASSERT_TRUE(e.ok()) << text << ": " << e.status();
    absl::StatusOr<std::vector<uint64_t>> ids = e->EvaluateBounded(T());
    ASSERT_FALSE(ids.ok()) << text;
    EXPECT_THAT(std::string(ids.status().message()), HasSubstr("(max_cost)")) << text;
    EXPECT_TRUE(Ecl::Parse(text)->EvaluateBounded(T()).ok()) << text;
  }
}

}  // namespace
}  // namespace sprout::snomed
