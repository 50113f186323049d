// One request must never take the service down, and a broken release must
// never load, through the real sproutd binary:
//  - 20,000 nested parentheses of ECL are refused INVALID_ARGUMENT and the
//    server keeps serving;
//  - a copy of the starter release without its UK Description file, or with
//    one concept id's check digit changed, stops start-up with one line
//    naming what is wrong and where;
//  - a release without the demo's concepts starts with bindings, a directory
//    and a policy of its own, and codes and routes a referral.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "client/health_check.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rpc/status_conversion.h"
#include "server/common/errors.h"
#include "snomed/synthetic_release.h"
#include "snomed/terminology.h"
#include "sprout/v1/referral_service.grpc.pb.h"
#include "sprout/v1/terminology_service.grpc.pb.h"
#include "tests/integration/sproutd_process.h"
#include "tests/integration/test_referrals.h"

namespace sprout {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::SizeIs;

std::unique_ptr<grpc::ClientContext> Context() {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  return context;
}

std::string Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void Write(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

// The non-empty lines of `text`.
std::vector<std::string> Lines(const std::string& text) {
  return absl::StrSplit(text, '\n', absl::SkipWhitespace());
}

// A fresh copy of the bundled starter release under `dir`.
std::string CopyStarterRelease(const std::string& dir) {
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::copy(testing::SourceDir() + "/snomed/data/starter", dir, fs::copy_options::recursive);
  return dir;
}

// The one file under `dir` whose name starts with `prefix`.
std::string FindFile(const std::string& dir, const std::string& prefix) {
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.path().filename().string().rfind(prefix, 0) == 0) return e.path().string();
  }
  ADD_FAILURE() << "no " << prefix << " under " << dir;
  return "";
}

std::string ReleaseFlag(const std::string& release) {
  std::vector<std::string> folders;
  for (const auto& e : fs::directory_iterator(release)) folders.push_back(e.path().string());
  std::sort(folders.begin(), folders.end());
  return "--snomed_release=" + absl::StrJoin(folders, ",");
}

TEST(TerminologyRobustnessTest, DeeplyNestedEclIsRefusedAndTheServerKeepsServing) {
  const std::string dir = ::testing::TempDir() + "/robustness_serving";
  fs::remove_all(dir);
  absl::StatusOr<std::unique_ptr<testing::SproutdProcess>> server =
      testing::SproutdProcess::Start(dir);
  ASSERT_TRUE(server.ok()) << server.status();
  auto terminology = sprout::v1::TerminologyService::NewStub((*server)->Channel("gp"));

  // 20,000 parentheses on each side (about 40 KB): past the length limit.
  sprout::v1::ExpandEclRequest hostile;
  hostile.set_ecl(std::string(20000, '(') + "<< 404684003" + std::string(20000, ')'));
  sprout::v1::ExpandEclResponse response;
  grpc::Status status = terminology->ExpandEcl(Context().get(), hostile, &response);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  std::vector<FieldViolation> violations = ViolationsOf(rpc::FromGrpcStatus(status));
  ASSERT_THAT(violations, SizeIs(1));
  EXPECT_EQ(violations[0].field, "ecl");
  EXPECT_THAT(violations[0].description,
              HasSubstr("ECL limit exceeded at column 32769: the expression is longer than 32768 "
                        "bytes (max_length)"));

  // 10,000 on each side (about 20 KB) is short enough to parse: past the depth limit.
  hostile.set_ecl(std::string(10000, '(') + "<< 404684003" + std::string(10000, ')'));
  status = terminology->ExpandEcl(Context().get(), hostile, &response);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  violations = ViolationsOf(rpc::FromGrpcStatus(status));
  ASSERT_THAT(violations, SizeIs(1));
  EXPECT_EQ(violations[0].field, "ecl");
  EXPECT_EQ(violations[0].description,
            "ECL limit exceeded at column 65: nesting deeper than 64 levels (max_depth); flatten "
            "the expression");

  // Still serving, and still answering.
  absl::StatusOr<client::ServingStatus> health =
      client::CheckHealth(*(*server)->Channel("admin"), "", absl::Seconds(10));
  ASSERT_TRUE(health.ok()) << health.status();
  EXPECT_EQ(*health, client::ServingStatus::kServing);
  sprout::v1::ExpandEclRequest fine;
  fine.set_ecl("<< 404684003 |Clinical finding|");
  status = terminology->ExpandEcl(Context().get(), fine, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_GT(response.total_size(), 1);
  EXPECT_EQ((*server)->Stop(), 0);
}

TEST(TerminologyRobustnessTest, AReleaseWithoutItsUkDescriptionFileDoesNotStart) {
  const std::string dir = ::testing::TempDir() + "/robustness_no_uk_descriptions";
  const std::string release = CopyStarterRelease(dir + "/release");
  fs::remove(FindFile(release, "sct2_Description_UKCL"));
  absl::StatusOr<testing::StartupFailure> failure =
      testing::RunSproutdExpectingFailure(dir, {ReleaseFlag(release)});
  ASSERT_TRUE(failure.ok()) << failure.status();
  EXPECT_NE(failure->exit_code, 0);
  std::vector<std::string> lines = Lines(failure->stderr_text);
  ASSERT_THAT(lines, SizeIs(1)) << failure->stderr_text;
  EXPECT_THAT(lines[0], HasSubstr("module 999000011000000103 has "));
  EXPECT_THAT(lines[0], HasSubstr("missing that module's Description file"));
}

TEST(TerminologyRobustnessTest, AConceptIdWithAWrongCheckDigitStopsStartUpAtItsRow) {
  const std::string dir = ::testing::TempDir() + "/robustness_check_digit";
  const std::string release = CopyStarterRelease(dir + "/release");
  const std::string concepts = FindFile(release, "sct2_Concept_UKCL");
  std::string text = Read(concepts);
  const size_t at = text.find("871731000000106\t");
  ASSERT_NE(at, std::string::npos);
  const int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + at, '\n'));
  text.replace(at, 15, "871731000000107");
  Write(concepts, text);
  absl::StatusOr<testing::StartupFailure> failure =
      testing::RunSproutdExpectingFailure(dir, {ReleaseFlag(release)});
  ASSERT_TRUE(failure.ok()) << failure.status();
  EXPECT_NE(failure->exit_code, 0);
  std::vector<std::string> lines = Lines(failure->stderr_text);
  ASSERT_THAT(lines, SizeIs(1)) << failure->stderr_text;
  EXPECT_THAT(lines[0], HasSubstr(absl::StrCat(concepts, ":", line,
                                               ": field 1 (id): SCTID '871731000000107': check "
                                               "digit is wrong (Verhoeff)")));
}

TEST(TerminologyRobustnessTest, AReleaseWithoutTheDemoConceptsStartsWithItsOwnConfiguration) {
  const std::string dir = ::testing::TempDir() + "/robustness_own_release";
  fs::remove_all(dir);
  snomed::SyntheticReleaseOptions synth;
  synth.out_dir = dir + "/release";
  synth.scale = 0.002;
  absl::StatusOr<snomed::SyntheticReleaseStats> written = snomed::WriteSyntheticRelease(synth);
  ASSERT_TRUE(written.ok()) << written.status();
  snomed::LoadOptions load;
  load.release_dirs = {written->release_dir};
  auto t = snomed::Terminology::Load(load);
  ASSERT_TRUE(t.ok()) << t.status();
  ASSERT_FALSE((*t)->Exists(871731000000106)) << "the synthetic release has the demo's concepts";
  // A reason and a service code that only this release has.
  const std::vector<uint64_t> findings = (*t)->Descendants(404684003);
  const std::vector<uint64_t> procedures = (*t)->Descendants(71388002);
  uint64_t reason = 0, service = 0;
  for (uint64_t id : findings) {
    if ((*t)->IsActive(id) && reason == 0) reason = id;
  }
  for (uint64_t id : procedures) {
    if ((*t)->IsActive(id) && service == 0) service = id;
  }
  ASSERT_NE(reason, 0u);
  ASSERT_NE(service, 0u);

  // Bindings, directory (the demo's, without its ECL specialisms), policy
  // and (no) code maps of its own.
  const std::string config = dir + "/config";
  Write(config + "/bindings.textproto",
        absl::StrCat("name: \"synthetic\"\nversion: \"1\"\nreason_ecl: \"<< 404684003\"\n",
                     "referral_source_ecl: \"< 71388002\"\nservice_code: \"", service, "\"\n"));
  Write(config + "/policy.textproto",
        "name: \"synthetic-policy\"\ndefault_triage_sub_icb_location: \"Z1W0A\"\n");
  fs::create_directories(config + "/codemaps");
  fs::create_directories(config + "/lexicons");
  fs::copy(testing::SourceDir() + "/deploy/demo/directory", config + "/directory",
           fs::copy_options::recursive);
  std::string link_workers = Read(config + "/directory/link_workers.csv");
  std::vector<std::string> rows = absl::StrSplit(link_workers, '\n');
  std::string plain = rows[0] + "\n";
  for (size_t k = 1; k < rows.size(); ++k) {
    std::vector<std::string> cells = absl::StrSplit(rows[k], ',');
    if (cells.size() < 7) continue;
    cells[6] = "";  // specialisms name the demo's concepts
    plain += absl::StrJoin(cells, ",") + "\n";
  }
  Write(config + "/directory/link_workers.csv", plain);

  absl::StatusOr<std::unique_ptr<testing::SproutdProcess>> server = testing::SproutdProcess::Start(
      dir,
      {"--snomed_release=" + written->release_dir, "--bindings=" + config + "/bindings.textproto",
       "--routing_policy=" + config + "/policy.textproto", "--directory=" + config + "/directory",
       "--codemaps=" + config + "/codemaps", "--lexicons=" + config + "/lexicons"});
  ASSERT_TRUE(server.ok()) << server.status();

  auto referrals = sprout::v1::ReferralService::NewStub((*server)->Channel("gp"));
  sprout::v1::SubmitReferralRequest request;
  request.set_request_id("synthetic-0001");
  *request.mutable_referral() = testing::GpReferral();
  request.mutable_referral()->clear_reasons();
  request.mutable_referral()->add_reasons()->set_snomed_code(absl::StrCat(reason));
  sprout::v1::SubmitReferralResponse response;
  grpc::Status status = referrals->SubmitReferral(Context().get(), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(response.referral().coded_reasons_size(), 1);
  EXPECT_EQ(response.referral().coded_reasons(0).concept().code(), absl::StrCat(reason));
  EXPECT_EQ(response.referral().service_code().code(), absl::StrCat(service));
  // The demo GP practice Y99001 is in Northgate Wrenfield PCN.
  EXPECT_EQ(response.referral().route().pcn(), "pcns/U99001");
  EXPECT_EQ((*server)->Stop(), 0);
}

}  // namespace
}  // namespace sprout
