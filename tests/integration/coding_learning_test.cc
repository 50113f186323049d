// Learning from coding review, end to end through the real sproutd over
// mutual TLS: link workers resolve a police phrase flagged for review in
// three referrals; the administrator sees it as a proposal (and not a phrase
// used once), accepts it into the police lexicon as a new version; the next
// police referral with that phrase is coded without review, naming the
// version, also after a restart; GP referrals are not affected, and the
// phrases are sealed at rest.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "sprout/v1/admin_service.grpc.pb.h"
#include "sprout/v1/queue_service.grpc.pb.h"
#include "sprout/v1/referral_service.grpc.pb.h"
#include "tests/integration/error_details.h"
#include "tests/integration/sproutd_process.h"
#include "tests/integration/sproutd_suite.h"
#include "tests/integration/sqlite_peek.h"
#include "tests/integration/test_referrals.h"

namespace sprout {
namespace {

using ::testing::HasSubstr;

constexpr char kFeelingLonely[] = "267076002";
// The same phrase three referrers wrote three ways, and a fourth way.
const char* const kWritten[] = {"keeps calling 999 at night, frightened on her own",
                                "Keeps calling 999 at night - frightened on her own",
                                "keeps calling 999 at night frightened on her own!"};
constexpr char kLater[] = "KEEPS CALLING 999 AT NIGHT; FRIGHTENED ON HER OWN";
constexpr char kOnce[] = "found wandering by the canal asking for her sister";

class CodingLearningTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/coding_learning";
    std::filesystem::remove_all(dir_);
    ASSERT_NO_FATAL_FAILURE(StartSproutd());
  }

  void StartSproutd() {
    absl::StatusOr<std::unique_ptr<testing::SproutdProcess>> started =
        testing::SproutdProcess::Start(dir_);
    ASSERT_TRUE(started.ok()) << started.status();
    server_ = *std::move(started);
    police_ = v1::ReferralService::NewStub(server_->Channel("police"));
    gp_ = v1::ReferralService::NewStub(server_->Channel("gp"));
    lw_ = v1::QueueService::NewStub(server_->Channel("linkworker"));
    admin_ = v1::AdminService::NewStub(server_->Channel("admin"));
  }

  // A police referral from someone in PCN U99001's area giving `text`.
  v1::Referral SubmitPolice(const std::string& text, const std::string& request_id) {
    v1::Referral referral = testing::PoliceReferral();
    referral.mutable_patient()->mutable_address()->set_postcode("ZW1 4QA");
    referral.clear_reasons();
    referral.add_reasons()->set_free_text(text);
    return Submit(*police_, referral, request_id);
  }

  v1::Referral Submit(v1::ReferralService::Stub& stub, const v1::Referral& referral,
                      const std::string& request_id) {
    v1::SubmitReferralRequest request;
    request.set_request_id(request_id);
    *request.mutable_referral() = referral;
    v1::SubmitReferralResponse response;
    grpc::Status status =
        stub.SubmitReferral(testing::ContextWithDeadline().get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.referral();
  }

  void Resolve(const std::string& name, const std::string& code) {
    v1::ResolveCodingReviewRequest request;
    request.set_name(name);
    request.set_reason_index(0);
    request.set_code(code);
    v1::Referral out;
    grpc::Status status =
        lw_->ResolveCodingReview(testing::ContextWithDeadline().get(), request, &out);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(out.coded_reasons(0).method(), v1::CODING_METHOD_REVIEWED);
  }

  grpc::Status List(const v1::ListCodingProposalsRequest& request,
                    v1::ListCodingProposalsResponse* response) {
    return admin_->ListCodingProposals(testing::ContextWithDeadline().get(), request, response);
  }

  grpc::Status Accept(const std::string& name, const std::string& code,
                      v1::AcceptCodingProposalResponse* response) {
    v1::AcceptCodingProposalRequest request;
    request.set_name(name);
    request.set_code(code);
    return admin_->AcceptCodingProposal(testing::ContextWithDeadline().get(), request, response);
  }

  std::string dir_;
  std::unique_ptr<testing::SproutdProcess> server_;
  std::unique_ptr<v1::ReferralService::Stub> police_;
  std::unique_ptr<v1::ReferralService::Stub> gp_;
  std::unique_ptr<v1::QueueService::Stub> lw_;
  std::unique_ptr<v1::AdminService::Stub> admin_;
};

TEST_F(CodingLearningTest, AcceptedPhrasesAreCodedWithoutReviewFromTheNewLexiconVersion) {
  for (int i = 0; i < 3; ++i) {
    const v1::Referral flagged = SubmitPolice(kWritten[i], absl::StrCat("it-learn-", i));
    ASSERT_TRUE(flagged.needs_coding_review()) << kWritten[i];
    ASSERT_NO_FATAL_FAILURE(Resolve(flagged.name(), kFeelingLonely));
  }
  const v1::Referral once = SubmitPolice(kOnce, "it-learn-once");
  ASSERT_TRUE(once.needs_coding_review());
  ASSERT_NO_FATAL_FAILURE(Resolve(once.name(), "417430008"));  // Vulnerable adult
  // A GP's referral with the phrase: another agency's proposal.
  v1::Referral from_gp = testing::GpReferral(testing::TestNhsNumber(7301));
  from_gp.clear_reasons();
  from_gp.add_reasons()->set_free_text(kWritten[0]);
  const v1::Referral gp_flagged = Submit(*gp_, from_gp, "it-learn-gp");
  ASSERT_TRUE(gp_flagged.needs_coding_review());
  ASSERT_NO_FATAL_FAILURE(Resolve(gp_flagged.name(), kFeelingLonely));

  // The phrases are sealed at rest like the referrals they came from.
  EXPECT_EQ(testing::CountRows(server_->database_file(), "coding_choices"), 5);
  EXPECT_EQ(testing::QueryInt(server_->database_file(),
                              "SELECT COUNT(*) FROM coding_choices WHERE hex(body) LIKE '%' || "
                              "hex('calling 999') || '%'"),
            0);

  // One proposal: three referrals wrote it, three ways; the phrase used once
  // and the GP's are not shown.
  v1::ListCodingProposalsResponse listed;
  ASSERT_TRUE(List({}, &listed).ok());
  ASSERT_EQ(listed.proposals_size(), 1);
  const v1::CodingProposal proposal = listed.proposals(0);
  EXPECT_EQ(proposal.agency(), "police");
  EXPECT_EQ(proposal.phrase(), kWritten[2]);  // the latest written
  EXPECT_EQ(proposal.referrals(), 3);
  EXPECT_EQ(proposal.state(), v1::CODING_PROPOSAL_STATE_OPEN);
  ASSERT_EQ(proposal.choices_size(), 1);
  EXPECT_EQ(proposal.choices(0).concept().code(), kFeelingLonely);
  EXPECT_EQ(proposal.choices(0).concept().display(), "Feeling lonely");
  EXPECT_EQ(proposal.choices(0).referrals(), 3);

  v1::ListCodingProposalsRequest gp_only;
  gp_only.set_agency("gp_practice");
  gp_only.set_min_referrals(2);
  ASSERT_TRUE(List(gp_only, &listed).ok());
  EXPECT_EQ(listed.proposals_size(), 0);
  v1::ListCodingProposalsRequest too_few;
  too_few.set_min_referrals(1);
  grpc::Status refused = List(too_few, &listed);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(refused.error_message(), HasSubstr("min_referrals"));

  // Only a concept reviewers chose may be accepted.
  v1::AcceptCodingProposalResponse accepted;
  grpc::Status not_chosen = Accept(proposal.name(), "160932005", &accepted);
  EXPECT_EQ(not_chosen.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(testing::ErrorInfoOf(not_chosen).reason(), "CONCEPT_NOT_CHOSEN");
  EXPECT_THAT(not_chosen.error_message(), HasSubstr(kFeelingLonely));

  grpc::Status status = Accept(proposal.name(), kFeelingLonely, &accepted);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(accepted.lexicon(), "police@2026-12+reviewed.1");
  EXPECT_EQ(accepted.proposal().state(), v1::CODING_PROPOSAL_STATE_IN_LEXICON);
  grpc::Status twice = Accept(proposal.name(), kFeelingLonely, &accepted);
  EXPECT_EQ(twice.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(testing::ErrorInfoOf(twice).reason(), "PHRASE_IN_LEXICON");

  ASSERT_TRUE(List({}, &listed).ok());
  EXPECT_EQ(listed.proposals_size(), 0);  // nothing open
  v1::ListCodingProposalsRequest with_accepted;
  with_accepted.set_include_in_lexicon(true);
  ASSERT_TRUE(List(with_accepted, &listed).ok());
  ASSERT_EQ(listed.proposals_size(), 1);
  EXPECT_EQ(listed.proposals(0).lexicon(), "police@2026-12+reviewed.1");

  // The next police referral with the phrase is coded without review, from
  // the accepted phrase, naming the version; a GP's still goes to review.
  auto expect_coded = [&](const v1::Referral& coded) {
    ASSERT_EQ(coded.coded_reasons_size(), 1);
    EXPECT_FALSE(coded.needs_coding_review());
    const v1::CodedReason& reason = coded.coded_reasons(0);
    EXPECT_EQ(reason.method(), v1::CODING_METHOD_LEXICON_MATCH);
    EXPECT_EQ(reason.concept().code(), kFeelingLonely);
    EXPECT_EQ(reason.text_match().lexicon(), "police@2026-12+reviewed.1");
  };
  expect_coded(SubmitPolice(kLater, "it-learn-later"));
  from_gp.mutable_patient()->set_nhs_number(testing::TestNhsNumber(7302));
  EXPECT_TRUE(Submit(*gp_, from_gp, "it-learn-gp-later").needs_coding_review());

  // Kept in the store: a restart loads it.
  EXPECT_EQ(server_->Stop(), 0);
  ASSERT_NO_FATAL_FAILURE(StartSproutd());
  expect_coded(SubmitPolice(kWritten[1], "it-learn-after-restart"));

  // The acceptance is audited.
  v1::ListAuditRecordsRequest audit;
  audit.set_action("AcceptCodingProposal");
  v1::ListAuditRecordsResponse records;
  ASSERT_TRUE(admin_->ListAuditRecords(testing::ContextWithDeadline().get(), audit, &records).ok());
  int ok = 0;
  for (const v1::AuditRecord& r : records.records()) {
    if (r.outcome() == "OK" && r.resource() == proposal.name()) ++ok;
  }
  EXPECT_EQ(ok, 1);
}

}  // namespace
}  // namespace sprout
