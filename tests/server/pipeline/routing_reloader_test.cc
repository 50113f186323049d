// RoutingReloader over real parts: the starter SNOMED release, a copy of the
// demo directory and policy in a temp folder, and a SQLite store. A good
// reload swaps in the new files and records the version and an audit record;
// a bad one names the file and problem and leaves the old configuration.
#include "server/pipeline/routing_reloader.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"
#include "server/common/errors.h"
#include "server/pipeline/ecl_predicate_compiler.h"
#include "server/store/sqlite/sqlite_store.h"
#include "snomed/terminology_holder.h"
#include "tests/repo_path.h"
#include "tests/server/store/store_test_util.h"

namespace sprout::pipeline {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

using ::sprout::testing::RepoPath;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

void WriteAll(const std::string& path, const std::string& content) {
  std::ofstream(path, std::ios::trunc) << content;
}

// A rule placed first in the demo policy: GP referrals go to Riverside.
constexpr char kGpToRiverside[] = R"(
rules {
  name: "gp-to-riverside"
  when { source_types: SOURCE_TYPE_GP_PRACTICE }
  then { route_to_pcn: "U99002" }
}
)";

google::rpc::PreconditionFailure PreconditionFailureOf(const absl::Status& status) {
  google::rpc::PreconditionFailure failure;
  auto payload = status.GetPayload(kPreconditionFailureTypeUrl);
  EXPECT_TRUE(payload.has_value()) << status;
  if (payload) {
    EXPECT_TRUE(failure.ParseFromString(std::string(*payload)));
  }
  return failure;
}

class RoutingReloaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    snomed::LoadOptions load;
    load.release_dirs = {RepoPath("snomed/data/starter")};
    auto terminology = snomed::Terminology::Load(load);
    ASSERT_TRUE(terminology.ok()) << terminology.status();
    terminology_ = std::make_unique<snomed::TerminologyHolder>(*terminology);
    compiler_ = std::make_unique<EclPredicateCompiler>(terminology_.get());

    dir_ = ::testing::TempDir() + "/reloader_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    std::filesystem::copy(RepoPath("deploy/demo/directory"), dir_ + "/directory");
    std::filesystem::copy(RepoPath("deploy/demo/routing_policy.textproto"),
                          dir_ + "/policy.textproto");
    sources_ = {dir_ + "/directory", dir_ + "/policy.textproto"};
    demo_policy_ = ReadAll(sources_.policy_file);

    store::SqliteStoreOptions store_options;
    store_options.cipher = ::sprout::store::testing::TestBodyCipher();
    store_options.path = dir_ + "/sprout.db";
    auto store = store::OpenSqliteStore(store_options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);

    auto config = LoadRoutingConfig(sources_, *compiler_);
    ASSERT_TRUE(config.ok()) << config.status();
    config_ = std::make_unique<routing::RoutingConfigHolder>(*config);
    directory_ = std::make_unique<routing::DirectoryHolder>((*config)->directory);
    ReloaderDeps deps;
    deps.sources = sources_;
    deps.compiler = compiler_.get();
    deps.config = config_.get();
    deps.directory = directory_.get();
    deps.store = store_.get();
    deps.clock = &clock_;
    reloader_ = std::make_unique<RoutingReloader>(deps);
  }

  void TearDown() override {
    if (store_ != nullptr) store_->Shutdown();
  }

  int64_t AuditRecords() {
    absl::StatusOr<store::AuditVerification> v = store_->VerifyAuditChain();
    EXPECT_TRUE(v.ok()) << v.status();
    return v.ok() ? v->records_checked : -1;
  }

  // Expects `status` to be the refusal of a bad `type` file `file`.
  void ExpectRefused(const absl::Status& status, const std::string& type, const std::string& file,
                     const std::string& problem) {
    EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
    EXPECT_THAT(std::string(status.message()), HasSubstr(problem));
    EXPECT_EQ(ErrorReasonOf(status), "ROUTING_CONFIG_INVALID");
    google::rpc::PreconditionFailure failure = PreconditionFailureOf(status);
    ASSERT_EQ(failure.violations_size(), 1);
    EXPECT_EQ(failure.violations(0).type(), type);
    EXPECT_EQ(failure.violations(0).subject(), file);
    EXPECT_THAT(failure.violations(0).description(), HasSubstr(problem));
  }

  FakeClock clock_{absl::FromCivil(absl::CivilSecond(2026, 3, 2, 10, 0, 0), absl::UTCTimeZone())};
  std::string dir_;
  RoutingSources sources_;
  std::string demo_policy_;
  std::unique_ptr<snomed::TerminologyHolder> terminology_;
  std::unique_ptr<EclPredicateCompiler> compiler_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<routing::RoutingConfigHolder> config_;
  std::unique_ptr<routing::DirectoryHolder> directory_;
  std::unique_ptr<RoutingReloader> reloader_;
};

TEST_F(RoutingReloaderTest, PolicyChangeIsSwappedInVersionedAndAudited) {
  const std::shared_ptr<const routing::RoutingConfig> before = config_->Get();
  const int64_t audits_before = AuditRecords();
  // Placed first, so the new rule decides before the demo's rules.
  WriteAll(sources_.policy_file, kGpToRiverside + demo_policy_);

  absl::StatusOr<ReloadOutcome> outcome = reloader_->Reload({"Y99999", "admin"});
  ASSERT_TRUE(outcome.ok()) << outcome.status();

  const std::shared_ptr<const routing::RoutingConfig> after = config_->Get();
  EXPECT_NE(after, before);
  EXPECT_EQ(after->policy->rules().front().spec.name, "gp-to-riverside");
  EXPECT_EQ(outcome->policy_name, "demo-policy");
  EXPECT_THAT(outcome->policy_version, StartsWith("sha256:"));
  EXPECT_NE(outcome->policy_version, outcome->previous_policy_version);
  EXPECT_EQ(outcome->previous_policy_version, before->policy->version());
  EXPECT_EQ(outcome->policy_version, after->policy->version());
  // Only the policy changed.
  EXPECT_EQ(outcome->directory_version, before->directory->version());
  EXPECT_EQ(outcome->previous_directory_version, before->directory->version());
  EXPECT_EQ(outcome->reload_time, clock_.Now());
  EXPECT_EQ(outcome->rule_count, after->policy->rules().size());
  EXPECT_EQ(directory_->Get(), after->directory);
  // The snapshot taken before still routes with the old rules.
  EXPECT_NE(before->policy->rules().front().spec.name, "gp-to-riverside");

  absl::StatusOr<std::vector<store::DirectoryVersion>> versions = store_->ListDirectoryVersions();
  ASSERT_TRUE(versions.ok()) << versions.status();
  ASSERT_FALSE(versions->empty());
  EXPECT_EQ(versions->front().version, outcome->directory_version);
  EXPECT_EQ(AuditRecords(), audits_before + 1);
}

TEST_F(RoutingReloaderTest, DirectoryChangeGivesANewDirectoryVersion) {
  const std::string before = config_->Get()->directory->version();
  const std::string workers = sources_.directory_dir + "/link_workers.csv";
  WriteAll(workers,
           ReadAll(workers) + "lw-u99001-09,U99001,Northgate link worker 9,1.0,,,,en,,,\n");
  absl::StatusOr<ReloadOutcome> outcome = reloader_->Reload({"Y99999", "admin"});
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  EXPECT_NE(outcome->directory_version, before);
  EXPECT_EQ(outcome->previous_directory_version, before);
  EXPECT_NE(config_->Get()->directory->FindLinkWorker("lw-u99001-09"), nullptr);
  EXPECT_NE(directory_->Get()->FindLinkWorker("lw-u99001-09"), nullptr);
  absl::StatusOr<std::vector<store::DirectoryVersion>> versions = store_->ListDirectoryVersions();
  ASSERT_TRUE(versions.ok());
  ASSERT_FALSE(versions->empty());
  EXPECT_EQ(versions->front().version, outcome->directory_version);
}

TEST_F(RoutingReloaderTest, BadEclIsRefusedWithRuleAndPositionAndOldPolicyKept) {
  const std::shared_ptr<const routing::RoutingConfig> before = config_->Get();
  const int64_t audits_before = AuditRecords();
  WriteAll(sources_.policy_file, demo_policy_ + R"(
rules {
  name: "broken-ecl"
  when { reasons_ecl: "<< 267076002 OR" }
  then { default_choice: true }
}
)");
  absl::StatusOr<ReloadOutcome> outcome = reloader_->Reload({"Y99999", "admin"});
  ExpectRefused(outcome.status(), "ROUTING_POLICY", sources_.policy_file,
                "rule 11 'broken-ecl': reasons_ecl:");
  EXPECT_THAT(std::string(outcome.status().message()),
              StartsWith("routing policy: " + sources_.policy_file));
  EXPECT_EQ(config_->Get(), before);
  EXPECT_EQ(directory_->Get(), before->directory);
  // The refusal is audited too.
  EXPECT_EQ(AuditRecords(), audits_before + 1);
}

TEST_F(RoutingReloaderTest, UnknownPcnIsRefusedWithRuleAndPosition) {
  const std::shared_ptr<const routing::RoutingConfig> before = config_->Get();
  WriteAll(sources_.policy_file, demo_policy_ + R"(
rules {
  name: "to-nowhere"
  when { source_types: SOURCE_TYPE_POLICE }
  then { route_to_pcn: "U00404" }
}
)");
  absl::StatusOr<ReloadOutcome> outcome = reloader_->Reload({"Y99999", "admin"});
  ExpectRefused(outcome.status(), "ROUTING_POLICY", sources_.policy_file,
                "rule 11 'to-nowhere': route_to_pcn: unknown PCN 'U00404'");
  EXPECT_EQ(config_->Get(), before);
}

TEST_F(RoutingReloaderTest, PolicySyntaxErrorNamesLineAndColumn) {
  const std::shared_ptr<const routing::RoutingConfig> before = config_->Get();
  WriteAll(sources_.policy_file, "name: \"x\"\nrules { nmae: \"typo\" }\n");
  absl::StatusOr<ReloadOutcome> outcome = reloader_->Reload({"Y99999", "admin"});
  ExpectRefused(outcome.status(), "ROUTING_POLICY", sources_.policy_file,
                sources_.policy_file + ":2:");
  EXPECT_EQ(config_->Get(), before);
}

TEST_F(RoutingReloaderTest, BadDirectoryFileIsNamedAndOldDirectoryKept) {
  const std::shared_ptr<const routing::RoutingConfig> before = config_->Get();
  const std::string workers = sources_.directory_dir + "/link_workers.csv";
  WriteAll(workers, ReadAll(workers) + "lw-bad,U99001,Bad,2.5,,,,en,,,\n");
  absl::StatusOr<ReloadOutcome> outcome = reloader_->Reload({"Y99999", "admin"});
  ExpectRefused(outcome.status(), "DIRECTORY", workers, workers + ":35:");
  EXPECT_THAT(std::string(outcome.status().message()), StartsWith("directory: " + workers));
  EXPECT_EQ(config_->Get(), before);
  EXPECT_EQ(directory_->Get(), before->directory);
}

TEST_F(RoutingReloaderTest, MissingDirectoryFileIsRefused) {
  const std::shared_ptr<const routing::RoutingConfig> before = config_->Get();
  std::filesystem::remove(sources_.directory_dir + "/postcode_coverage.csv");
  absl::StatusOr<ReloadOutcome> outcome = reloader_->Reload({"Y99999", "admin"});
  EXPECT_EQ(outcome.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(PreconditionFailureOf(outcome.status()).violations(0).subject(),
            sources_.directory_dir + "/postcode_coverage.csv");
  EXPECT_EQ(config_->Get(), before);
}

// Reloads from several threads at once (an RPC and SIGHUP, say) take turns:
// each succeeds and leaves its own audit record.
TEST_F(RoutingReloaderTest, ConcurrentReloadsEachSucceedAndAreAudited) {
  const int64_t audits_before = AuditRecords();
  std::vector<std::thread> threads;
  std::vector<absl::StatusOr<ReloadOutcome>> outcomes(4, absl::UnknownError("not run"));
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([this, i, &outcomes] {
      outcomes[i] = reloader_->Reload({"Y99999", "admin"});
    });
  }
  for (std::thread& t : threads) t.join();
  for (const auto& outcome : outcomes) {
    ASSERT_TRUE(outcome.ok()) << outcome.status();
    EXPECT_EQ(outcome->policy_version, config_->Get()->policy->version());
  }
  EXPECT_EQ(AuditRecords(), audits_before + 4);
}

}  // namespace
}  // namespace sprout::pipeline
