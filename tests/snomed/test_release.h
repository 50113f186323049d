// The small release most snomed tests share. Hierarchy (inferred IS-A):
//
//   138875005 SNOMED CT Concept
//   ├─ 116680003 Is a            ├─ 123037004 Body structure   ├─ 362981000 Qualifier value
//   ├─ kSiteAttribute, kSeverityAttribute (synthetic attributes)
//   ├─ 404684003 Clinical finding
//   │   ├─ 161152002 Social problem
//   │   │   ├─ 267076002 Feeling lonely   (also a child of 404684003)
//   │   │   └─ 422650009 Social isolation
//   │   │        └─ 423315002 Limited social contact
//   │   ├─ 105529008 Lives alone
//   │   └─ 40979000 Lack of physical exercise
//   └─ 71388002 Procedure
//       └─ 3457005 Patient referral
//           └─ 306206005 Referral to service
//               ├─ 306238000 Referral to Social Services
//               └─ 871731000000106 Referral to social prescribing service
//   415510005 Sedentary lifestyle: inactive, REPLACED BY 40979000
//
// Attributes (inferred): 267076002 site=123037004 (group 1);
// 422650009 site=123037004 + severity=362981000 (group 1);
// 423315002 severity=362981000 (group 0).
// Refset 1127531000000102 (simple): 306238000, 871731000000106.
#ifndef SPROUT_TESTS_SNOMED_TEST_RELEASE_H_
#define SPROUT_TESTS_SNOMED_TEST_RELEASE_H_

#include "tests/snomed/rf2_fixture.h"

namespace sprout::snomed::testing {

inline const uint64_t kSiteAttribute = MakeSctid(9000010, 0, Partition::kConcept);
inline const uint64_t kSeverityAttribute = MakeSctid(9000020, 0, Partition::kConcept);
inline const uint64_t kReasonOutdated = MakeSctid(9000040, 0, Partition::kConcept);
inline const uint64_t kIcdMapRefset = MakeSctid(9000050, 1000000, Partition::kExtensionConcept);
inline constexpr uint64_t kServicesRefset = 1127531000000102;

inline Rf2FixtureBuilder TestReleaseBuilder() {
  Rf2FixtureBuilder b;
  for (uint64_t id :
       {138875005ull, 116680003ull, 404684003ull, 71388002ull, 123037004ull, 362981000ull,
        161152002ull, 267076002ull, 422650009ull, 423315002ull, 105529008ull, 40979000ull,
        3457005ull, 306206005ull, 306238000ull, 871731000000106ull}) {
    b.Concept(id);
  }
  b.Concept(kSiteAttribute).Concept(kSeverityAttribute).Concept(kReasonOutdated);
  b.Concept(415510005, /*active=*/false);
  for (uint64_t id : {116680003ull, 404684003ull, 71388002ull, 123037004ull, 362981000ull}) {
    b.IsA(id, 138875005);
  }
  b.IsA(kSiteAttribute, 138875005)
      .IsA(kSeverityAttribute, 138875005)
      .IsA(kReasonOutdated, 138875005);
  b.IsA(161152002, 404684003).IsA(267076002, 161152002).IsA(267076002, 404684003);
  b.IsA(422650009, 161152002).IsA(423315002, 422650009).IsA(105529008, 404684003);
  b.IsA(40979000, 404684003).IsA(3457005, 71388002).IsA(306206005, 3457005);
  b.IsA(306238000, 306206005).IsA(871731000000106, 306206005);
  b.IsA(415510005, 404684003, /*active=*/false);
  // A stated relationship must not count.
  b.Rel(105529008, kIsA, 71388002, 0, true, 900000000000010007);
  b.Rel(267076002, kSiteAttribute, 123037004, 1);
  b.Rel(422650009, kSiteAttribute, 123037004, 1).Rel(422650009, kSeverityAttribute, 362981000, 1);
  b.Rel(423315002, kSeverityAttribute, 362981000, 0);

  b.Named(138875005, "SNOMED CT Concept", "SNOMED RT+CTV3");
  b.Named(116680003, "Is a", "attribute");
  b.Named(404684003, "Clinical finding", "finding");
  b.Named(71388002, "Procedure", "procedure");
  b.Named(123037004, "Body structure", "body structure");
  b.Named(362981000, "Qualifier value", "qualifier value");
  b.Named(161152002, "Social problem", "finding");
  b.Named(267076002, "Feeling lonely", "finding");
  b.Description(267076002, kSynonymType, "Loneliness", 'A', 0, 'A');
  b.Named(422650009, "Social isolation", "finding");
  b.Named(423315002, "Limited social contact", "finding");
  b.Named(105529008, "Lives alone", "finding");
  b.Named(40979000, "Lack of physical exercise", "finding");
  b.Named(415510005, "Sedentary lifestyle", "finding");
  b.Named(3457005, "Patient referral", "procedure");
  b.Named(306206005, "Referral to service", "procedure");
  b.Named(306238000, "Referral to Social Services", "procedure");
  b.Description(871731000000106, kFsnType, "Referral to social prescribing service (procedure)",
                'P');
  b.Description(871731000000106, kSynonymType, "Referral to social prescribing service", 'P', 'A',
                'P');
  // Test data: a different NHS realm preferred term, to check dialect order.
  b.Description(871731000000106, kSynonymType, "Social prescribing referral", 'A', 'P');
  b.Description(871731000000106, kSynonymType, "Old social prescribing term", 'A', 0, 0,
                /*active=*/false);
  b.Named(kSiteAttribute, "Synthetic site", "attribute");
  b.Named(kSeverityAttribute, "Synthetic severity", "attribute");
  b.Named(kReasonOutdated, "Synthetic outdated reason", "foundation metadata concept");

  b.Member(kServicesRefset, 306238000).Member(kServicesRefset, 871731000000106);
  b.Member(kServicesRefset, 3457005, /*active=*/false);
  b.Association(kReplacedByRefset, 415510005, 40979000);
  b.Inactivation(415510005, kReasonOutdated);
  b.ExtendedMap(kIcdMapRefset, 267076002, 1, 1, "Z60.2");
  return b;
}

}  // namespace sprout::snomed::testing

#endif  // SPROUT_TESTS_SNOMED_TEST_RELEASE_H_
