#include "server/routing/directory_loader.h"

#include <functional>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/server/routing/fake_concepts.h"
#include "tests/server/routing/test_directory.h"

namespace sprout::routing {
namespace {

using ::sprout::routing::testing::FakeConceptCompiler;
using ::sprout::routing::testing::SmallSources;

const char kWorkersHeader[] =
    "link_worker_id,pcn_code,display_name,wte,annual_caseload_cap,open_caseload_cap,"
    "specialisms,languages,age_groups,available_from,available_to\n";

TEST(DirectoryLoaderTest, SmallDirectoryLoads) {
  FakeConceptCompiler compiler;
  absl::StatusOr<std::shared_ptr<const Directory>> dir = BuildDirectory(SmallSources(), compiler);
  ASSERT_TRUE(dir.ok()) << dir.status();
  EXPECT_EQ((*dir)->icbs().size(), 2u);
  EXPECT_EQ((*dir)->sub_icb_locations().size(), 3u);
  EXPECT_EQ((*dir)->pcns().size(), 3u);
  EXPECT_EQ((*dir)->practices().size(), 4u);
  EXPECT_EQ((*dir)->link_workers().size(), 4u);
  EXPECT_THAT((*dir)->version(), ::testing::MatchesRegex("sha256:[0-9a-f]{64}"));
  // The quoted name keeps its comma.
  EXPECT_EQ((*dir)->FindPractice("B00003")->name, "BETA SURGERY, BRANCH");
}

TEST(DirectoryLoaderTest, BlankCapsDefaultTo250And60PerWte) {
  FakeConceptCompiler compiler;
  auto dir = BuildDirectory(SmallSources(), compiler);
  ASSERT_TRUE(dir.ok()) << dir.status();
  const LinkWorker* half = (*dir)->FindLinkWorker("lw-a2");
  ASSERT_NE(half, nullptr);
  EXPECT_EQ(half->annual_cap, 125);
  EXPECT_EQ(half->open_cap, 30);
  EXPECT_EQ((*dir)->FindLinkWorker("lw-a1")->annual_cap, 250);
}

TEST(DirectoryLoaderTest, CorePartnerFileWithHeaderRowLoadsTheSame) {
  FakeConceptCompiler compiler;
  DirectorySources with_header = SmallSources();
  with_header.core_partners.content =
      "Partner Organisation Code,Partner Name,Practice Parent Sub ICB Location Code,"
      "Practice Parent Sub ICB Location Name,PCN Code,PCN Name,PCN Parent Sub ICB Location Code,"
      "PCN Parent Sub ICB Location Name,Practice to PCN Relationship Start Date,"
      "Practice to PCN Relationship End Date,Practice Sub ICB and PCN Sub ICB Match?\r\n" +
      with_header.core_partners.content;
  auto dir = BuildDirectory(with_header, compiler);
  ASSERT_TRUE(dir.ok()) << dir.status();
  EXPECT_EQ((*dir)->practices().size(), 4u);
  EXPECT_EQ((*dir)->FindPractice("A00002")->history.size(), 2u);
}

TEST(DirectoryLoaderTest, PcnDetailsWithHeaderAndAddressColumnsLoad) {
  FakeConceptCompiler compiler;
  DirectorySources s = SmallSources();
  s.pcn_details.content =
      "PCN Code,PCN Name,Current Sub ICB Loc Code,Sub ICB Location,Open Date,Close Date,"
      "Address Line 1,Address Line 2,Address Line 3,Address Line 4,Address Line 5,Postcode\n"
      "U00001,Alpha PCN,01A,Test SICBL A,2019-07-01,,1 Road,,TOWN,,,AB1 1AA\n"
      "U00002,Beta PCN,01A,Test SICBL A,20190701,,2 Road,,TOWN,,,AB2 1AA\n"
      "U00003,Gamma PCN,02C,Test SICBL C,20190701,20231231,3 Road,,TOWN,,,AB3 1AA\n";
  auto dir = BuildDirectory(s, compiler);
  ASSERT_TRUE(dir.ok()) << dir.status();
  EXPECT_EQ(*(*dir)->FindPcn("U00001")->open_date, absl::CivilDay(2019, 7, 1));
  EXPECT_EQ(*(*dir)->FindPcn("U00003")->close_date, absl::CivilDay(2023, 12, 31));
}

TEST(DirectoryLoaderTest, RepeatedIdenticalPartnerRowIsIgnored) {
  FakeConceptCompiler compiler;
  DirectorySources s = SmallSources();
  s.core_partners.content +=
      "A00001,ALPHA SURGERY,01A,TEST SICBL A,U00001,ALPHA PCN,01A,TEST SICBL A,20190701,,Y\n";
  auto dir = BuildDirectory(s, compiler);
  ASSERT_TRUE(dir.ok()) << dir.status();
  EXPECT_EQ((*dir)->FindPractice("A00001")->history.size(), 1u);
}

TEST(DirectoryLoaderTest, VersionChangesWithAnyByte) {
  FakeConceptCompiler compiler;
  DirectorySources s = SmallSources();
  auto a = BuildDirectory(s, compiler);
  s.link_workers.content += "lw-b2,U00002,Beta 2,1.0,,,,en,,,\n";
  auto b = BuildDirectory(s, compiler);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE((*a)->version(), (*b)->version());
  EXPECT_EQ((*a)->version(), (*BuildDirectory(SmallSources(), compiler))->version());
}

struct BadInput {
  std::string name;
  std::function<void(DirectorySources*)> mutate;
  std::string error;
};

class DirectoryLoaderErrorTest : public ::testing::TestWithParam<BadInput> {};

TEST_P(DirectoryLoaderErrorTest, FailsWithExactMessage) {
  FakeConceptCompiler compiler;
  DirectorySources s = SmallSources();
  GetParam().mutate(&s);
  absl::StatusOr<std::shared_ptr<const Directory>> dir = BuildDirectory(s, compiler);
  ASSERT_FALSE(dir.ok());
  EXPECT_EQ(dir.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(dir.status().message(), GetParam().error);
}

void SetPartners(DirectorySources* s, std::string content) { s->core_partners.content = content; }
void SetReferrers(DirectorySources* s, std::string rows) {
  s->referrers = {"referrers.csv",
                  "Organisation Code,Organisation Name,Sub ICB Location Code\n" + rows};
}
void SetWorkers(DirectorySources* s, std::string rows) {
  s->link_workers.content = kWorkersHeader + rows;
}

INSTANTIATE_TEST_SUITE_P(
    Malformed, DirectoryLoaderErrorTest,
    ::testing::Values(
        BadInput{"PartnerRowTooShort",
                 [](DirectorySources* s) { SetPartners(s, "A00001,X,01A,Y,U00001\n"); },
                 "partners.csv:1: expected 11 columns, found 5"},
        BadInput{"PartnerBadPracticeCode",
                 [](DirectorySources* s) {
                   SetPartners(s, "I00001,X,01A,S,U00001,P,01A,S,20190701,,Y\n");
                 },
                 "partners.csv:1: column 1 (Partner Organisation Code): 'I00001' is not a GP "
                 "practice code (e.g. A81001)"},
        BadInput{"PartnerBadPcnCode",
                 [](DirectorySources* s) {
                   SetPartners(s, "A00001,X,01A,S,U0001,P,01A,S,20190701,,Y\n");
                 },
                 "partners.csv:1: column 5 (PCN Code): 'U0001' is not a PCN code (U + 5 digits)"},
        BadInput{"PartnerBadDate",
                 [](DirectorySources* s) {
                   SetPartners(s, "A00001,X,01A,S,U00001,P,01A,S,01/07/2019,,Y\n");
                 },
                 "partners.csv:1: column 9 (Practice to PCN Relationship Start Date): "
                 "'01/07/2019' is not a date (expected YYYYMMDD, e.g. 20230401)"},
        BadInput{"PartnerImpossibleDate",
                 [](DirectorySources* s) {
                   SetPartners(s, "A00001,X,01A,S,U00001,P,01A,S,20230230,,Y\n");
                 },
                 "partners.csv:1: column 9 (Practice to PCN Relationship Start Date): "
                 "'20230230' is not a date (expected YYYYMMDD, e.g. 20230401)"},
        BadInput{"PartnerEndBeforeStart",
                 [](DirectorySources* s) {
                   SetPartners(s, "A00001,X,01A,S,U00001,P,01A,S,20200101,20191231,Y\n");
                 },
                 "partners.csv:1: column 10 (Practice to PCN Relationship End Date): end date "
                 "2019-12-31 is before the start date 2020-01-01"},
        BadInput{"PartnerMissingStart",
                 [](DirectorySources* s) { SetPartners(s, "A00001,X,01A,S,U00001,P,01A,S,,,Y\n"); },
                 "partners.csv:1: column 9 (Practice to PCN Relationship Start Date): must not "
                 "be empty"},
        BadInput{"PartnerUnterminatedQuote",
                 [](DirectorySources* s) {
                   SetPartners(s, "A00001,\"X,01A,S,U00001,P,01A,S,20190701,,Y\n");
                 },
                 "partners.csv:1: unterminated quoted field (missing closing '\"')"},
        BadInput{"PartnerQuotedLineBreakIsShownEscaped",
                 [](DirectorySources* s) {
                   SetPartners(s, "\"A0\n0001\",X,01A,S,U00001,P,01A,S,20190701,,Y\n");
                 },
                 "partners.csv:1: column 1 (Partner Organisation Code): 'A0\\n0001' is not a GP "
                 "practice code (e.g. A81001)"},
        BadInput{"PartnerUnknownPcn",
                 [](DirectorySources* s) {
                   SetPartners(s,
                               "A00001,X,01A,S,U00001,P,01A,S,20190701,,Y\n"
                               "A00009,X,01A,S,U09999,P,01A,S,20190701,,Y\n");
                 },
                 "partners.csv:2: practice 'A00009' references unknown PCN 'U09999'"},
        BadInput{"PartnerUnknownSicbl",
                 [](DirectorySources* s) {
                   SetPartners(s, "A00001,X,09Z,S,U00001,P,01A,S,20190701,,Y\n");
                 },
                 "partners.csv:1: practice 'A00001' references unknown Sub-ICB Location '09Z'"},
        BadInput{"PartnerOverlappingRelationships",
                 [](DirectorySources* s) {
                   SetPartners(s,
                               "A00001,X,01A,S,U00001,P,01A,S,20190701,20241001,Y\n"
                               "A00001,X,01A,S,U00002,P,01A,S,20241001,,Y\n");
                 },
                 "partners.csv:2: practice 'A00001' relationship with 'U00002' starting "
                 "2024-10-01 overlaps its relationship with 'U00001' (partners.csv:1); end "
                 "dates are inclusive"},
        BadInput{"PartnerWrongHeader",
                 [](DirectorySources* s) {
                   SetPartners(s, "Partner Organisation Code,Partner Name,Oops\n");
                 },
                 "partners.csv:1: column 3: expected header 'Practice Parent Sub ICB Location "
                 "Code', found 'Oops'"},
        BadInput{"EmptyPartnerFile", [](DirectorySources* s) { SetPartners(s, "\n"); },
                 "partners.csv: the file has no rows"},
        BadInput{"SicblMissingHeader",
                 [](DirectorySources* s) {
                   s->sub_icb_locations.content = "QA1,Test ICB One,01A,Test SICBL A\n";
                 },
                 "sicbl.csv:1: column 1: expected header 'ICB Code', found 'QA1'"},
        BadInput{"SicblBadIcbCode",
                 [](DirectorySources* s) {
                   s->sub_icb_locations.content =
                       "ICB Code,ICB Name,Sub ICB Location Code,Sub ICB Location Name\n"
                       "XA1,Test,01A,Test\n";
                 },
                 "sicbl.csv:2: column 1 (ICB Code): 'XA1' is not an ICB code (Q + 2 letters or "
                 "digits)"},
        BadInput{"PcnDetailsUnknownSicbl",
                 [](DirectorySources* s) {
                   s->pcn_details.content += "U00004,Delta PCN,07Q,Nowhere,20190701,\n";
                 },
                 "pcns.csv:4: PCN 'U00004' references unknown Sub-ICB Location '07Q'"},
        BadInput{"PcnDetailsDuplicate",
                 [](DirectorySources* s) {
                   s->pcn_details.content += "U00001,Alpha again,01A,Test SICBL A,20190701,\n";
                 },
                 "pcns.csv:4: duplicate PCN 'U00001'"},
        BadInput{"CoverageBadKey",
                 [](DirectorySources* s) { s->postcode_coverage.content += "AB1 2CD,U00001\n"; },
                 "coverage.csv:5: column 1 (Postcode Sector or District): 'AB1 2CD' is not a "
                 "postcode sector (e.g. \"AB1 2\") or district (e.g. \"AB1\")"},
        BadInput{"CoverageTwice",
                 [](DirectorySources* s) { s->postcode_coverage.content += "ab1,U00002\n"; },
                 "coverage.csv:5: postcode 'AB1' is covered twice"},
        BadInput{"CoverageUnknownPcn",
                 [](DirectorySources* s) { s->postcode_coverage.content += "AB9,U00009\n"; },
                 "coverage.csv:5: coverage 'AB9' references unknown PCN 'U00009'"},
        BadInput{"WorkerUnknownPcn",
                 [](DirectorySources* s) { SetWorkers(s, "lw-x,U00009,X,1.0,,,,en,,,\n"); },
                 "workers.csv:2: link worker 'lw-x' references unknown PCN 'U00009'"},
        BadInput{"WorkerZeroWte",
                 [](DirectorySources* s) { SetWorkers(s, "lw-x,U00001,X,0,,,,en,,,\n"); },
                 "workers.csv:2: column 4 (wte): '0' is not a whole-time equivalent in (0, 1.5]"},
        BadInput{"WorkerZeroCap",
                 [](DirectorySources* s) { SetWorkers(s, "lw-x,U00001,X,1.0,0,,,en,,,\n"); },
                 "workers.csv:2: column 5 (annual_caseload_cap): '0' is not a positive whole "
                 "number (leave blank for the default)"},
        BadInput{"WorkerBadEcl",
                 [](DirectorySources* s) {
                   SetWorkers(s, "lw-x,U00001,X,1.0,,,debt=<< 1609 OR,en,,,\n");
                 },
                 "workers.csv:2: column 7 (specialisms): specialism 'debt': ECL syntax error at "
                 "position 11: expected a concept id"},
        BadInput{
            "WorkerSpecialismWithoutLabel",
            [](DirectorySources* s) { SetWorkers(s, "lw-x,U00001,X,1.0,,,<< 160932005,en,,,\n"); },
            "workers.csv:2: column 7 (specialisms): '<< 160932005' is not label=ECL "
            "(label: a-z, 0-9, '_', '-')"},
        BadInput{"WorkerBadLanguage",
                 [](DirectorySources* s) { SetWorkers(s, "lw-x,U00001,X,1.0,,,,EN,,,\n"); },
                 "workers.csv:2: column 8 (languages): 'EN' is not a lower-case language tag "
                 "(e.g. en, pl)"},
        BadInput{"WorkerBadAgeBand",
                 [](DirectorySources* s) { SetWorkers(s, "lw-x,U00001,X,1.0,,,,en,25-11,,\n"); },
                 "workers.csv:2: column 9 (age_groups): '25-11' is not an age band (\"18-64\" or "
                 "\"65+\")"},
        BadInput{"WorkerBadId",
                 [](DirectorySources* s) { SetWorkers(s, "LW_X,U00001,X,1.0,,,,en,,,\n"); },
                 "workers.csv:2: 'LW_X' is not a link worker id (lower-case letters, digits and "
                 "'-', at most 63)"},
        BadInput{"WorkerDuplicate",
                 [](DirectorySources* s) {
                   SetWorkers(s, "lw-x,U00001,X,1.0,,,,en,,,\nlw-x,U00002,Y,1.0,,,,en,,,\n");
                 },
                 "workers.csv:3: duplicate link worker 'lw-x'"},
        BadInput{"WorkerTooFewColumns",
                 [](DirectorySources* s) { SetWorkers(s, "lw-x,U00001,X,1.0\n"); },
                 "workers.csv:2: expected 11 columns, found 4"},
        BadInput{"ReferrerBadCode",
                 [](DirectorySources* s) { SetReferrers(s, "police WYP,Police,01A\n"); },
                 "referrers.csv:2: column 1 (Organisation Code): 'police WYP' is not an "
                 "organisation code (an ODS code such as FA123 or a local id such as "
                 "police:WYP)"},
        BadInput{"ReferrerUnknownSubIcbLocation",
                 [](DirectorySources* s) { SetReferrers(s, "police:WYP,Police,09Z\n"); },
                 "referrers.csv:2: referrer 'police:WYP' references unknown Sub-ICB Location "
                 "'09Z'"},
        BadInput{"ReferrerThatIsAPractice",
                 [](DirectorySources* s) { SetReferrers(s, "A00001,Alpha,01A\n"); },
                 "referrers.csv:2: referrer 'A00001' is a practice of the ePCN files; list only "
                 "organisations that are not practices"},
        BadInput{"ReferrerDuplicate",
                 [](DirectorySources* s) {
                   SetReferrers(s, "FA123,Pharmacy,01A\nFA123,Pharmacy again,01B\n");
                 },
                 "referrers.csv:3: duplicate referrer 'FA123'"}),
    [](const ::testing::TestParamInfo<BadInput>& info) { return info.param.name; });

TEST(DirectoryLoaderTest, ReferrersAreOptionalAndFoundByCode) {
  FakeConceptCompiler compiler;
  DirectorySources s = SmallSources();
  absl::StatusOr<std::shared_ptr<const Directory>> without = BuildDirectory(s, compiler);
  ASSERT_TRUE(without.ok()) << without.status();
  EXPECT_EQ((*without)->FindReferrer("police:WYP"), nullptr);
  SetReferrers(&s, "police:WYP,Demo Police,01B\n");
  absl::StatusOr<std::shared_ptr<const Directory>> with = BuildDirectory(s, compiler);
  ASSERT_TRUE(with.ok()) << with.status();
  const ReferrerOrganisation* police = (*with)->FindReferrer("police:WYP");
  ASSERT_NE(police, nullptr);
  EXPECT_EQ(police->sicbl_code, "01B");
  EXPECT_EQ(police->name, "Demo Police");
  EXPECT_NE((*with)->version(), (*without)->version());  // the file is part of the version
}

TEST(DirectoryLoaderTest, LoadDirectoryNamesAMissingFile) {
  FakeConceptCompiler compiler;
  DirectoryFiles files = DirectoryFiles::InFolder("/nonexistent-sprout-dir");
  auto dir = LoadDirectory(files, compiler);
  ASSERT_FALSE(dir.ok());
  EXPECT_EQ(dir.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(dir.status().message()),
              ::testing::StartsWith("/nonexistent-sprout-dir/sub_icb_locations.csv: cannot open"));
}

}  // namespace
}  // namespace sprout::routing
