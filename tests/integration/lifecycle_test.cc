// The referral lifecycle end to end through the real sproutd over mutual TLS:
// a GP referral is claimed, accepted, contacted three times and closed with
// ONS4 scores by the link worker; steps out of order are refused saying the
// state and what is allowed; the GP follows it to CLOSED on WatchReferral
// (disconnecting and resuming without missing an event) and never sees the
// link worker or the notes on the wire; another organisation cannot tell it
// exists; a referral flagged for coding review is resolved.
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "sprout/v1/queue_service.grpc.pb.h"
#include "sprout/v1/referral_service.grpc.pb.h"
#include "tests/integration/error_details.h"
#include "tests/integration/sproutd_suite.h"
#include "tests/integration/test_referrals.h"

namespace sprout {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kNotes[] = "spoke about the lunch club and her late husband";
constexpr char kLinkWorker[] = "pcns/U99001/linkWorkers/lw-u99001-01";

google::rpc::Status DetailsOf(const grpc::Status& status) {
  google::rpc::Status details;
  EXPECT_TRUE(details.ParseFromString(status.error_details()));
  return details;
}

class LifecycleTest : public testing::SproutdSuite<LifecycleTest> {
 protected:
  static void SetUpTestSuite() { StartServer("lifecycle"); }
  void SetUp() override {
    SproutdSuite::SetUp();
    if (HasFatalFailure()) return;
    gp_ = v1::ReferralService::NewStub(server_->Channel("gp"));
    police_ = v1::ReferralService::NewStub(server_->Channel("police"));
    lw_ = v1::QueueService::NewStub(server_->Channel("linkworker"));
  }

  v1::Referral Submit(v1::ReferralService::Stub& stub, const v1::Referral& referral,
                      const std::string& request_id) {
    v1::SubmitReferralRequest request;
    request.set_request_id(request_id);
    *request.mutable_referral() = referral;
    v1::SubmitReferralResponse response;
    grpc::Status status = stub.SubmitReferral(Context().get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.referral();
  }

  // Claims the PCN queue item of referral `name`, as the link worker does
  // before taking someone on from a colleague's queue.
  void ClaimItemOf(const std::string& name) {
    v1::ListQueueItemsRequest list;
    list.set_parent("pcns/U99001");
    list.set_page_size(500);
    v1::ListQueueItemsResponse items;
    grpc::Status listed = lw_->ListQueueItems(Context().get(), list, &items);
    ASSERT_TRUE(listed.ok()) << listed.error_message();
    for (const v1::QueueItem& item : items.queue_items()) {
      if (item.referral() != name) continue;
      v1::ClaimReferralRequest claim;
      claim.set_name(item.name());
      v1::QueueItem claimed;
      grpc::Status status = lw_->ClaimReferral(Context().get(), claim, &claimed);
      ASSERT_TRUE(status.ok()) << status.error_message();
      EXPECT_EQ(claimed.claimed_by(), kLinkWorker);
      return;
    }
    FAIL() << "no queue item for " << name;
  }

  grpc::Status Accept(const std::string& name, v1::Referral* out) {
    v1::AcceptReferralRequest request;
    request.set_name(name);
    return lw_->AcceptReferral(Context().get(), request, out);
  }

  grpc::Status Close(const std::string& name, v1::Referral* out) {
    v1::CloseReferralRequest request;
    request.set_name(name);
    request.mutable_outcome()->add_codes()->set_code("1230392000");
    request.mutable_outcome()->set_summary("Goes to the lunch club on Tuesdays");
    v1::Ons4Scores& ons4 = *request.mutable_wellbeing()->mutable_ons4();
    ons4.set_life_satisfaction(7);
    ons4.set_worthwhile(8);
    ons4.set_happiness(7);
    ons4.set_anxiety(3);
    return lw_->CloseReferral(Context().get(), request, out);
  }

  // Events of `name` after `after`, reading at most `limit` (0: until the
  // stream has been quiet for a second), as raw wire bytes too.
  std::vector<v1::ReferralEvent> Watch(const std::string& name, int64_t after, size_t limit,
                                       std::string* wire = nullptr) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(limit ? 10 : 2));
    v1::WatchReferralRequest request;
    request.set_name(name);
    request.set_after_sequence(after);
    std::unique_ptr<grpc::ClientReader<v1::ReferralEvent>> reader =
        gp_->WatchReferral(&context, request);
    std::vector<v1::ReferralEvent> events;
    v1::ReferralEvent event;
    while ((limit == 0 || events.size() < limit) && reader->Read(&event)) {
      if (wire != nullptr) *wire += event.SerializeAsString();
      events.push_back(event);
    }
    context.TryCancel();  // the client goes away mid-stream
    reader->Finish();
    return events;
  }

  std::unique_ptr<v1::ReferralService::Stub> gp_;
  std::unique_ptr<v1::ReferralService::Stub> police_;
  std::unique_ptr<v1::QueueService::Stub> lw_;
};

std::vector<std::string> ActionsOf(const std::vector<v1::ReferralEvent>& events) {
  std::vector<std::string> actions;
  for (const v1::ReferralEvent& e : events) actions.push_back(e.action());
  return actions;
}

TEST_F(LifecycleTest, ALinkWorkerWorksAReferralToClosedAndTheGpSeesTheOutcomeButNotTheNotes) {
  const v1::Referral submitted = Submit(*gp_, testing::GpReferral(), "it-lifecycle-1");
  const std::string name = submitted.name();
  ASSERT_FALSE(name.empty());

  // Out of order: closing before accepting names the state and what is allowed.
  v1::Referral referral;
  grpc::Status early = Close(name, &referral);
  ASSERT_EQ(early.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(early.error_message(), HasSubstr("QUEUED"));
  google::rpc::ErrorInfo info = testing::ErrorInfoOf(early);
  EXPECT_EQ(info.reason(), "ILLEGAL_TRANSITION");
  EXPECT_EQ(info.metadata().at("state"), "QUEUED");
  EXPECT_THAT(info.metadata().at("allowed"), HasSubstr("AcceptReferral"));
  bool has_precondition = false;
  const google::rpc::Status early_details = DetailsOf(early);
  for (const auto& any : early_details.details()) {
    google::rpc::PreconditionFailure failure;
    if (any.UnpackTo(&failure)) {
      has_precondition = true;
      ASSERT_EQ(failure.violations_size(), 1);
      EXPECT_EQ(failure.violations(0).type(), "REFERRAL_STATE");
      EXPECT_EQ(failure.violations(0).subject(), name);
    }
  }
  EXPECT_TRUE(has_precondition);

  // The GP starts watching, and leaves after the first event.
  std::vector<v1::ReferralEvent> first = Watch(name, 0, 1);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].state(), v1::REFERRAL_STATE_QUEUED);

  ASSERT_NO_FATAL_FAILURE(ClaimItemOf(name));
  grpc::Status accepted = Accept(name, &referral);
  ASSERT_TRUE(accepted.ok()) << accepted.error_message();
  EXPECT_EQ(referral.state(), v1::REFERRAL_STATE_ACCEPTED);
  EXPECT_EQ(referral.route().link_worker(), kLinkWorker);
  grpc::Status twice = Accept(name, &referral);
  EXPECT_EQ(twice.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(testing::ErrorInfoOf(twice).metadata().at("state"), "ACCEPTED");

  // A step that is legal now but made against an old read is ABORTED
  // (AIP-154): the caller re-reads and decides again. Nothing changes.
  v1::CloseReferralRequest stale;
  stale.set_name(name);
  stale.set_etag(submitted.etag());
  stale.mutable_outcome()->add_codes()->set_code("1230392000");
  grpc::Status aborted = lw_->CloseReferral(Context().get(), stale, &referral);
  EXPECT_EQ(aborted.error_code(), grpc::StatusCode::ABORTED) << aborted.error_message();
  EXPECT_THAT(aborted.error_message(), HasSubstr("etag"));

  for (int i = 1; i <= 3; ++i) {
    v1::RecordContactRequest request;
    request.set_parent(name);
    request.set_request_id("it-lifecycle-contact-" + std::to_string(i));
    v1::Contact& c = *request.mutable_contact();
    c.set_type(i == 2 ? v1::CONTACT_TYPE_HOME_VISIT : v1::CONTACT_TYPE_PHONE);
    c.mutable_contact_time()->set_seconds(absl::ToUnixSeconds(absl::Now()) - 60);
    c.mutable_duration()->set_seconds(1800);
    c.set_notes(kNotes);
    v1::Contact stored;
    grpc::Status status = lw_->RecordContact(Context().get(), request, &stored);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(stored.number(), i);
    EXPECT_EQ(stored.link_worker(), kLinkWorker);
  }

  // Scores out of range are refused field by field, and nothing changes.
  v1::CloseReferralRequest bad;
  bad.set_name(name);
  bad.mutable_outcome()->add_codes()->set_code("1230392000");
  bad.mutable_wellbeing()->mutable_ons4()->set_anxiety(11);
  grpc::Status refused = lw_->CloseReferral(Context().get(), bad, &referral);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(refused.error_message(), HasSubstr("wellbeing.ons4"));

  ASSERT_TRUE(Close(name, &referral).ok());
  EXPECT_EQ(referral.state(), v1::REFERRAL_STATE_CLOSED);
  EXPECT_EQ(referral.contact_count(), 3);
  EXPECT_EQ(referral.last_wellbeing().ons4().happiness(), 7);

  // The GP resumes after the event it saw: nothing missed, nothing repeated.
  std::string wire;
  std::vector<v1::ReferralEvent> rest = Watch(name, first[0].sequence(), 0, &wire);
  EXPECT_THAT(ActionsOf(rest), ElementsAre("AcceptReferral", "RecordContact", "RecordContact",
                                           "RecordContact", "CloseReferral"));
  std::vector<v1::ReferralEvent> all = Watch(name, 0, 0);
  ASSERT_EQ(all.size(), first.size() + rest.size());
  EXPECT_EQ(all[1].recorded_code().code(), "871731000000106");
  const v1::ReferralEvent& closed = rest.back();
  EXPECT_EQ(closed.state(), v1::REFERRAL_STATE_CLOSED);
  EXPECT_EQ(closed.outcome().codes(0).code(), "1230392000");
  EXPECT_THAT(wire, Not(HasSubstr(kNotes)));
  EXPECT_THAT(wire, Not(HasSubstr("lw-u99001-01")));

  // The GP reads the outcome and scores, not the notes or the link worker.
  v1::GetReferralRequest get;
  get.set_name(name);
  v1::Referral seen;
  ASSERT_TRUE(gp_->GetReferral(Context().get(), get, &seen).ok());
  EXPECT_EQ(seen.state(), v1::REFERRAL_STATE_CLOSED);
  EXPECT_EQ(seen.outcome().codes(0).code(), "1230392000");
  EXPECT_EQ(seen.last_wellbeing().ons4().anxiety(), 3);
  EXPECT_EQ(seen.route().pcn(), "pcns/U99001");
  const std::string bytes = seen.SerializeAsString();
  EXPECT_THAT(bytes, Not(HasSubstr(kNotes)));
  EXPECT_THAT(bytes, Not(HasSubstr("lw-u99001-01")));

  // The link worker's caseload no longer holds it; the year still counts it.
  v1::GetCaseloadRequest caseload_request;
  caseload_request.set_name(std::string(kLinkWorker) + "/caseload");
  v1::Caseload caseload;
  ASSERT_TRUE(lw_->GetCaseload(Context().get(), caseload_request, &caseload).ok());
  EXPECT_GE(caseload.accepted_this_year(), 1);
  for (const v1::CaseloadEntry& e : caseload.entries()) EXPECT_NE(e.referral(), name);
}

TEST_F(LifecycleTest, AnotherOrganisationCannotTellAReferralExists) {
  const v1::Referral submitted =
      Submit(*gp_, testing::GpReferral(testing::TestNhsNumber(7101)), "it-lifecycle-2");
  for (const std::string& name : {submitted.name(), std::string("referrals/nosuchreferral")}) {
    v1::WithdrawReferralRequest withdraw;
    withdraw.set_name(name);
    v1::Referral out;
    grpc::Status status = police_->WithdrawReferral(Context().get(), withdraw, &out);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND) << name;
    EXPECT_EQ(testing::ErrorInfoOf(status).reason(), "REFERRAL_NOT_FOUND");
    EXPECT_EQ(status.error_message(), name + " was not found among the referrals you may read");

    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::WatchReferralRequest watch;
    watch.set_name(name);
    auto reader = police_->WatchReferral(&context, watch);
    v1::ReferralEvent event;
    EXPECT_FALSE(reader->Read(&event));
    grpc::Status watched = reader->Finish();
    EXPECT_EQ(watched.error_code(), grpc::StatusCode::NOT_FOUND) << name;
    EXPECT_EQ(watched.error_message(), name + " was not found among the referrals you may read");
  }
  // The GP withdraws its own, before acceptance.
  v1::WithdrawReferralRequest withdraw;
  withdraw.set_name(submitted.name());
  withdraw.set_reason("sent to the wrong service");
  v1::Referral out;
  ASSERT_TRUE(gp_->WithdrawReferral(Context().get(), withdraw, &out).ok());
  EXPECT_EQ(out.state(), v1::REFERRAL_STATE_WITHDRAWN);
  EXPECT_EQ(Accept(submitted.name(), &out).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(LifecycleTest, ALinkWorkerResolvesAFreeTextReasonFlaggedForReview) {
  v1::Referral referral = testing::GpReferral(testing::TestNhsNumber(7102));
  referral.clear_reasons();
  referral.add_reasons()->set_free_text("keeps calling 999 at night, frightened on her own");
  const v1::Referral submitted = Submit(*gp_, referral, "it-lifecycle-3");
  ASSERT_TRUE(submitted.needs_coding_review());

  v1::ResolveCodingReviewRequest request;
  request.set_name(submitted.name());
  request.set_reason_index(0);
  request.set_code("900000000000003001");  // a metadata concept: outside the reason binding
  v1::Referral out;
  grpc::Status outside = lw_->ResolveCodingReview(Context().get(), request, &out);
  EXPECT_EQ(outside.error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  request.set_code("267076002");
  grpc::Status status = lw_->ResolveCodingReview(Context().get(), request, &out);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_FALSE(out.needs_coding_review());
  EXPECT_EQ(out.coded_reasons(0).method(), v1::CODING_METHOD_REVIEWED);
  EXPECT_EQ(out.coded_reasons(0).concept().code(), "267076002");
  EXPECT_THAT(out.coded_reasons(0).reviewed_by(), HasSubstr("lw-u99001-01"));
  EXPECT_EQ(lw_->ResolveCodingReview(Context().get(), request, &out).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);  // no longer flagged
}

}  // namespace
}  // namespace sprout
