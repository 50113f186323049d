// The test release (test_release.h) with what ECL 2.2 filters, history
// supplements and member fields need, arranged to catch the easy mistakes:
//
// Modules and times: core 900000000000207008 (concepts 20200101) and UK
// 999000011000000103, whose concepts carry later effective times.
//   kLinkWorkerReferral   UK, 20250131, fully defined, child of 306206005,
//                         member of the services refset (UK module, 20250131)
//   kReview               UK, 20230615, primitive, child of 3457005
//   kOldLinkWorker        UK, 20250131, inactive, SAME AS kLinkWorkerReferral
//                         (association row in the UK module, 20250131)
//   kChronicLoneliness    core, 20250131, fully defined, child of 267076002
// Inactive concepts with historical associations (core, 20230101):
//   415510005             REPLACED BY 40979000 (from test_release.h)
//   kWasALoneliness       WAS A 161152002
//   kSameAsLonely         SAME AS 267076002
//   kPossiblyLonely       POSSIBLY EQUIVALENT TO 267076002
//   kPartlyIsolated       PARTIALLY EQUIVALENT TO 422650009
//   kRetiredAlone         SAME AS 105529008, but that association row is inactive
// Descriptions of kChronicLoneliness, in two dialects:
//   FSN "Chronic loneliness (finding)"  GB P, US P
//   "Chronic loneliness"                GB P, US A
//   "Chronic lonesomeness"              GB A, US P
//   "Lonely all the time"               NHS realm A, UK module, 20250131
// (267076002's "Loneliness" is acceptable in GB only; 871731000000106 has an
// inactive description and an NHS-realm preferred term.)
// Attribute-value rows: inactivation reasons for kWasALoneliness (active)
// and kSameAsLonely (inactive row).
// Concrete values (attributes kStrength, kScheduleText):
//   306238000             kStrength #500 (group 1)
//   871731000000106       kStrength #0.5 (group 0)
//   kLinkWorkerReferral   kStrength #2.5 and kScheduleText "weekly" (group 1)
//   kReview               kScheduleText "monthly" (group 0)
//   3457005               kStrength #7, inactive row; 306206005 kStrength #9, stated
// Alternate identifiers in scheme kSproutScheme ("SPROUT"): SP-1 267076002,
// SP-2 kChronicLoneliness, SP-old 105529008 (inactive row).
#ifndef SPROUT_TESTS_SNOMED_ECL22_RELEASE_H_
#define SPROUT_TESTS_SNOMED_ECL22_RELEASE_H_

#include "tests/snomed/test_release.h"

namespace sprout::snomed::testing {

inline constexpr uint64_t kUkModule = 999000011000000103;
inline constexpr uint64_t kCoreModule = 900000000000207008;
inline constexpr uint64_t kPartiallyEquivalentTo = 1186921001;
inline const uint64_t kLinkWorkerReferral =
    MakeSctid(9100010, 1000000, Partition::kExtensionConcept);
inline const uint64_t kReview = MakeSctid(9100020, 1000000, Partition::kExtensionConcept);
inline const uint64_t kOldLinkWorker = MakeSctid(9100030, 1000000, Partition::kExtensionConcept);
inline const uint64_t kChronicLoneliness = MakeSctid(9000140, 0, Partition::kConcept);
inline const uint64_t kWasALoneliness = MakeSctid(9000110, 0, Partition::kConcept);
inline const uint64_t kSameAsLonely = MakeSctid(9000120, 0, Partition::kConcept);
inline const uint64_t kPossiblyLonely = MakeSctid(9000130, 0, Partition::kConcept);
inline const uint64_t kPartlyIsolated = MakeSctid(9000150, 0, Partition::kConcept);
inline const uint64_t kRetiredAlone = MakeSctid(9000160, 0, Partition::kConcept);
inline const uint64_t kStrength = MakeSctid(9000170, 0, Partition::kConcept);
inline const uint64_t kScheduleText = MakeSctid(9000180, 0, Partition::kConcept);
inline const uint64_t kSproutScheme = MakeSctid(9000190, 0, Partition::kConcept);

// Description ids the tests name.
struct Ecl22Descriptions {
  uint64_t lonesomeness = 0;  // "Chronic lonesomeness"
  uint64_t all_the_time = 0;  // "Lonely all the time"
};

inline Rf2FixtureBuilder Ecl22ReleaseBuilder(Ecl22Descriptions* ids = nullptr) {
  Rf2FixtureBuilder b = TestReleaseBuilder();
  b.Concept(kLinkWorkerReferral, true, 20250131, kUkModule, /*defined=*/true)
      .Concept(kReview, true, 20230615, kUkModule)
      .Concept(kOldLinkWorker, false, 20250131, kUkModule)
      .Concept(kChronicLoneliness, true, 20250131, kCoreModule, /*defined=*/true);
  for (uint64_t id :
       {kWasALoneliness, kSameAsLonely, kPossiblyLonely, kPartlyIsolated, kRetiredAlone}) {
    b.Concept(id, false, 20230101);
  }
  b.IsA(kLinkWorkerReferral, 306206005).IsA(kReview, 3457005).IsA(kChronicLoneliness, 267076002);

  b.Named(kLinkWorkerReferral, "Referral to link worker", "procedure");
  b.Named(kReview, "Social prescribing review", "procedure");
  b.Named(kOldLinkWorker, "Link worker referral", "procedure");
  b.Named(kWasALoneliness, "Loneliness state", "finding");
  b.Named(kSameAsLonely, "Lonely feeling", "finding");
  b.Named(kPossiblyLonely, "Possibly lonely", "finding");
  b.Named(kPartlyIsolated, "Partly isolated", "finding");
  b.Named(kRetiredAlone, "Living by oneself", "finding");
  b.Description(kChronicLoneliness, kFsnType, "Chronic loneliness (finding)", 'P', 0, 'P');
  b.Description(kChronicLoneliness, kSynonymType, "Chronic loneliness", 'P', 0, 'A');
  uint64_t lonesomeness =
      b.Description(kChronicLoneliness, kSynonymType, "Chronic lonesomeness", 'A', 0, 'P');
  uint64_t all_the_time = b.Description(kChronicLoneliness, kSynonymType, "Lonely all the time", 0,
                                        'A', 0, true, 20250131, kUkModule);
  if (ids != nullptr) *ids = {lonesomeness, all_the_time};

  b.Member(kServicesRefset, kLinkWorkerReferral, true, 20250131, kUkModule);
  b.Association(kSameAsRefset, kOldLinkWorker, kLinkWorkerReferral, true, 20250131, kUkModule);
  b.Association(kWasARefset, kWasALoneliness, 161152002, true, 20230101);
  b.Association(kSameAsRefset, kSameAsLonely, 267076002, true, 20230101);
  b.Association(kPossiblyEquivalentToRefset, kPossiblyLonely, 267076002, true, 20230101);
  b.Association(kPartiallyEquivalentTo, kPartlyIsolated, 422650009, true, 20230101);
  b.Association(kSameAsRefset, kRetiredAlone, 105529008, /*active=*/false, 20230101);
  b.AttributeValue(kConceptInactivationRefset, kWasALoneliness, kReasonOutdated, true, 20230101);
  b.AttributeValue(kConceptInactivationRefset, kSameAsLonely, kReasonOutdated, false, 20230101);

  for (uint64_t id : {kStrength, kScheduleText, kSproutScheme}) b.Concept(id).IsA(id, 138875005);
  b.Named(kStrength, "Synthetic strength", "attribute");
  b.Named(kScheduleText, "Synthetic schedule", "attribute");
  b.Named(kSproutScheme, "SPROUT", "core metadata concept");
  b.Concrete(306238000, kStrength, "#500", 1).Concrete(871731000000106, kStrength, "#0.5", 0);
  b.Concrete(kLinkWorkerReferral, kStrength, "#2.5", 1)
      .Concrete(kLinkWorkerReferral, kScheduleText, "\"weekly\"", 1);
  b.Concrete(kReview, kScheduleText, "\"monthly\"", 0);
  b.Concrete(3457005, kStrength, "#7", 0, /*active=*/false);
  b.Concrete(306206005, kStrength, "#9", 0, true, 900000000000010007);
  b.Identifier("SP-1", kSproutScheme, 267076002)
      .Identifier("SP-2", kSproutScheme, kChronicLoneliness);
  b.Identifier("SP-old", kSproutScheme, 105529008, /*active=*/false);
  return b;
}

}  // namespace sprout::snomed::testing

#endif  // SPROUT_TESTS_SNOMED_ECL22_RELEASE_H_
