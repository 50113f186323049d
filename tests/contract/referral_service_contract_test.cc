// ReferralService contract: each method of
// proto/sprout/v1/referral_service.proto held to its comment and to the
// Referral fields' comments (referral.proto, routing.proto), through the real
// sproutd over mutual TLS with the demo directory and routing policy.
// Referrers see only their own organisation's referrals; a referral the
// caller may not read is answered exactly as one that does not exist.
#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "sprout/v1/admin_service.grpc.pb.h"
#include "sprout/v1/queue_service.grpc.pb.h"
#include "sprout/v1/referral_service.grpc.pb.h"
#include "tests/contract/contract_helpers.h"
#include "tests/integration/example_referrals.h"
#include "tests/integration/sproutd_suite.h"
#include "tests/integration/test_referrals.h"

namespace sprout {
namespace {

using testing::Checked;
using testing::ExpectInvalidField;
using testing::ExpectPreconditionFailure;
using testing::ExpectRefusal;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::ListedPage;
using testing::ReasonOf;
using testing::TestNhsNumber;

constexpr char kServiceCode[] = "871731000000106";  // Referral to social prescribing service
constexpr char kLinkWorkerU99001[] = "pcns/U99001/linkWorkers/lw-u99001-01";
constexpr char kDomesticViolenceRisk[] = "707087005";  // At risk of domestic violence

// Each test takes NHS numbers from its own block, so no referral joins
// another test's open episode.
int64_t NextPerson() {
  static int64_t next = 17000;
  return next++;
}

// A police referral flagging domestic abuse: the demo policy's
// police-domestic-abuse-to-triage rule sends it to triage, urgently.
v1::Referral DomesticAbuseReferral() {
  v1::Referral referral = testing::PoliceReferral();
  v1::SafeguardingFlag* flag = referral.add_safeguarding_flags();
  flag->set_code(kDomesticViolenceRisk);
  flag->set_details("disclosed on a welfare visit");
  return referral;
}

class ReferralServiceContractTest : public testing::SproutdSuite<ReferralServiceContractTest> {
 protected:
  static void SetUpTestSuite() {
    StartServer("contract_referral");
    if (server_ == nullptr) return;
    // A second GP practice (Y99005, PCN U99002), to show keys and
    // referrals belong to their organisation.
    testing::MintIdentity(*server_, "gp-y99005", "urn:sprout:org:Y99005:role:referrer");
  }

  void SetUp() override {
    SproutdSuite::SetUp();
    if (HasFatalFailure()) return;
    gp_ = v1::ReferralService::NewStub(server_->Channel("gp"));
    other_gp_ = v1::ReferralService::NewStub(server_->Channel("gp-y99005"));
    police_ = v1::ReferralService::NewStub(server_->Channel("police"));
    hospital_ = v1::ReferralService::NewStub(server_->Channel("hospital"));
    admin_ = v1::ReferralService::NewStub(server_->Channel("admin"));
    lw_ = v1::ReferralService::NewStub(server_->Channel("linkworker"));
    admin_routing_ = v1::AdminService::NewStub(server_->Channel("admin"));
    admin_queue_ = v1::QueueService::NewStub(server_->Channel("admin"));
  }

  static std::string NewRequestId() {
    static int n = 0;
    return "contract-referral-" + std::to_string(++n);
  }

  grpc::Status Submit(v1::ReferralService::Stub& stub, const v1::Referral& referral,
                      const std::string& request_id, v1::SubmitReferralResponse* out) {
    v1::SubmitReferralRequest request;
    request.set_request_id(request_id);
    *request.mutable_referral() = referral;
    return Checked(stub.SubmitReferral(Context().get(), request, out));
  }

  // Submits and expects it stored; returns the stored referral.
  v1::Referral SubmitOk(v1::ReferralService::Stub& stub, const v1::Referral& referral) {
    v1::SubmitReferralResponse response;
    const grpc::Status status = Submit(stub, referral, NewRequestId(), &response);
    EXPECT_TRUE(status.ok()) << testing::CodeName(status.error_code()) << " "
                             << status.error_message();
    return response.referral();
  }

  v1::Referral SubmitGp() {
    return SubmitOk(*gp_, testing::GpReferral(TestNhsNumber(NextPerson())));
  }

  grpc::Status Validate(v1::ReferralService::Stub& stub, const v1::Referral& referral,
                        v1::ValidateReferralResponse* out) {
    v1::ValidateReferralRequest request;
    *request.mutable_referral() = referral;
    return Checked(stub.ValidateReferral(Context().get(), request, out));
  }

  grpc::Status Get(v1::ReferralService::Stub& stub, const std::string& name, v1::Referral* out,
                   const std::string& break_glass_reason = "") {
    v1::GetReferralRequest request;
    request.set_name(name);
    request.set_break_glass_reason(break_glass_reason);
    return Checked(stub.GetReferral(Context().get(), request, out));
  }

  grpc::Status List(v1::ReferralService::Stub& stub, const std::string& filter, int page_size,
                    const std::string& token, v1::ListReferralsResponse* out) {
    v1::ListReferralsRequest request;
    request.set_filter(filter);
    request.set_page_size(page_size);
    request.set_page_token(token);
    return Checked(stub.ListReferrals(Context().get(), request, out));
  }

  // Every referral `stub` lists under `filter`, following the pages.
  std::vector<v1::Referral> ListAll(v1::ReferralService::Stub& stub, const std::string& filter) {
    std::vector<v1::Referral> all;
    std::string token;
    for (int pages = 0; pages < 100; ++pages) {
      v1::ListReferralsResponse page;
      const grpc::Status status = List(stub, filter, 500, token, &page);
      EXPECT_TRUE(status.ok()) << status.error_message();
      if (!status.ok()) break;
      all.insert(all.end(), page.referrals().begin(), page.referrals().end());
      if (page.next_page_token().empty()) break;
      token = page.next_page_token();
    }
    return all;
  }

  std::set<std::string> NamesListed(v1::ReferralService::Stub& stub, const std::string& filter) {
    std::set<std::string> names;
    for (const v1::Referral& r : ListAll(stub, filter)) names.insert(r.name());
    return names;
  }

  grpc::Status Withdraw(v1::ReferralService::Stub& stub, const std::string& name,
                        const std::string& etag, const std::string& reason, v1::Referral* out) {
    v1::WithdrawReferralRequest request;
    request.set_name(name);
    request.set_etag(etag);
    request.set_reason(reason);
    return Checked(stub.WithdrawReferral(Context().get(), request, out));
  }

  // Reads up to `count` events of a WatchReferral stream, then hangs up;
  // `status` is the stream's end when it ended by itself.
  std::vector<v1::ReferralEvent> WatchEvents(v1::ReferralService::Stub& stub,
                                             const std::string& name, int64_t after, size_t count,
                                             grpc::Status* status = nullptr) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::WatchReferralRequest request;
    request.set_name(name);
    request.set_after_sequence(after);
    std::unique_ptr<grpc::ClientReader<v1::ReferralEvent>> reader =
        stub.WatchReferral(&context, request);
    std::vector<v1::ReferralEvent> events;
    v1::ReferralEvent event;
    bool ended = false;
    while (events.size() < count) {
      if (!reader->Read(&event)) {
        ended = true;
        break;
      }
      events.push_back(event);
    }
    if (!ended) context.TryCancel();
    const grpc::Status finished = reader->Finish();
    if (status != nullptr) *status = ended ? Checked(finished) : grpc::Status::OK;
    return events;
  }

  v1::RoutingDecision DecisionOf(const v1::Referral& referral) {
    v1::GetRoutingDecisionRequest request;
    request.set_name(referral.route().decision());
    v1::RoutingDecision decision;
    const grpc::Status status =
        Checked(admin_routing_->GetRoutingDecision(Context().get(), request, &decision));
    EXPECT_TRUE(status.ok()) << status.error_message();
    return decision;
  }

  // The queue item of `referral` on `queue`, as an administrator lists it.
  v1::QueueItem QueueItemOf(const std::string& queue, const std::string& referral) {
    v1::ListQueueItemsRequest request;
    request.set_parent(queue);
    request.set_page_size(500);
    v1::ListQueueItemsResponse response;
    const grpc::Status status =
        Checked(admin_queue_->ListQueueItems(Context().get(), request, &response));
    EXPECT_TRUE(status.ok()) << status.error_message();
    for (const v1::QueueItem& item : response.queue_items()) {
      if (item.referral() == referral) return item;
    }
    ADD_FAILURE() << referral << " is not on " << queue;
    return {};
  }

  std::unique_ptr<v1::ReferralService::Stub> gp_;
  std::unique_ptr<v1::ReferralService::Stub> other_gp_;
  std::unique_ptr<v1::ReferralService::Stub> police_;
  std::unique_ptr<v1::ReferralService::Stub> hospital_;
  std::unique_ptr<v1::ReferralService::Stub> admin_;
  std::unique_ptr<v1::ReferralService::Stub> lw_;
  std::unique_ptr<v1::AdminService::Stub> admin_routing_;
  std::unique_ptr<v1::QueueService::Stub> admin_queue_;
};

// SubmitReferral: "Validates, codes, routes and durably stores a referral,
// and puts it on a queue." The stored referral carries every output-only
// field its comment promises; output-only fields sent in are ignored; the
// referrer is not told which link worker holds it.
TEST_F(ReferralServiceContractTest, SubmitAnswersTheStoredCodedRoutedReferral) {
  v1::Referral sent = testing::GpReferral(TestNhsNumber(NextPerson()));
  sent.set_name("referrals/chosen-by-the-client");
  sent.set_state(v1::REFERRAL_STATE_CLOSED);
  sent.set_needs_coding_review(true);
  v1::SubmitReferralResponse response;
  ASSERT_TRUE(Submit(*gp_, sent, NewRequestId(), &response).ok());
  const v1::Referral& r = response.referral();
  EXPECT_FALSE(response.replayed());
  EXPECT_TRUE(absl::StartsWith(r.name(), "referrals/")) << r.name();
  EXPECT_NE(r.name(), sent.name()) << "output-only name taken from the request";
  EXPECT_FALSE(r.etag().empty());
  EXPECT_EQ(r.state(), v1::REFERRAL_STATE_QUEUED);
  EXPECT_FALSE(r.needs_coding_review()) << "two SNOMED reasons need no review";
  EXPECT_TRUE(r.has_create_time());
  EXPECT_TRUE(r.has_update_time());
  EXPECT_EQ(r.service_code().code(), kServiceCode);
  ASSERT_EQ(r.coded_reasons_size(), 2);
  EXPECT_EQ(r.coded_reasons(0).concept().code(), "267076002");
  EXPECT_EQ(r.coded_reasons(0).method(), v1::CODING_METHOD_SNOMED);
  EXPECT_EQ(r.coded_reasons(1).concept().code(), "160932005");
  EXPECT_FALSE(r.terminology_release().empty());
  EXPECT_TRUE(absl::StartsWith(r.episode(), "episodes/")) << r.episode();
  EXPECT_FALSE(r.linked_to_existing_episode());
  EXPECT_EQ(r.route().method(), v1::ROUTING_METHOD_PRACTICE);
  EXPECT_EQ(r.route().pcn(), "pcns/U99001");
  EXPECT_FALSE(r.route().pcn_display().empty());
  EXPECT_TRUE(r.route().triage_queue().empty());
  EXPECT_TRUE(absl::StartsWith(r.route().decision(), "routingDecisions/"));
  EXPECT_FALSE(r.route().directory_version().empty());
  EXPECT_TRUE(absl::StartsWith(r.route().policy_version(), "sha256:"));
  EXPECT_TRUE(r.route().link_worker().empty()) << "a referrer is not told the link worker";
  EXPECT_EQ(r.priority(), v1::PRIORITY_ROUTINE);
  EXPECT_EQ(r.requested_priority(), v1::PRIORITY_ROUTINE);
  EXPECT_THAT(r.warnings(), IsEmpty());
  EXPECT_FALSE(r.pseudonymised());
  EXPECT_EQ(r.patient().nhs_number(), sent.patient().nhs_number());
  EXPECT_EQ(r.referrer().organisation_code(), "Y99001") << "stamped from the certificate";
  EXPECT_FALSE(r.has_accept_time());
  EXPECT_FALSE(r.has_end_time());
  EXPECT_EQ(r.contact_count(), 0);

  // GetReferral answers what SubmitReferral answered.
  v1::Referral got;
  ASSERT_TRUE(Get(*gp_, r.name(), &got).ok());
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(got, r))
      << "GetReferral differs from the SubmitReferral answer";
}

// SubmitReferral: "Idempotent on request_id": "A retry returns the original
// result; the same key with a different referral is refused with
// ALREADY_EXISTS." request_id is required.
TEST_F(ReferralServiceContractTest, SubmitIsIdempotentOnRequestId) {
  const v1::Referral referral = testing::GpReferral(TestNhsNumber(NextPerson()));
  const std::string key = NewRequestId();
  v1::SubmitReferralResponse first;
  ASSERT_TRUE(Submit(*gp_, referral, key, &first).ok());
  v1::SubmitReferralResponse retry;
  ASSERT_TRUE(Submit(*gp_, referral, key, &retry).ok());
  EXPECT_TRUE(retry.replayed());
  EXPECT_EQ(retry.referral().name(), first.referral().name());
  EXPECT_EQ(retry.referral().etag(), first.referral().etag());

  v1::Referral different = referral;
  different.set_what_matters_to_me("Something else entirely");
  v1::SubmitReferralResponse refused;
  const testing::Refusal reused =
      ExpectRefusal(Submit(*gp_, different, key, &refused), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_THAT(reused.message(), HasSubstr("request_id"));
  EXPECT_FALSE(refused.has_referral());

  v1::SubmitReferralResponse missing;
  ExpectInvalidField(Submit(*gp_, referral, "", &missing), "request_id");
}

// SubmitReferralRequest.request_id: "Keys belong to the calling
// organisation: the same key from two organisations makes two referrals,
// and no answer tells one organisation that another used a key."
TEST_F(ReferralServiceContractTest, IdempotencyKeysBelongToTheCallingOrganisation) {
  const std::string key = NewRequestId();
  v1::SubmitReferralResponse from_y99001;
  ASSERT_TRUE(
      Submit(*gp_, testing::GpReferral(TestNhsNumber(NextPerson())), key, &from_y99001).ok());

  v1::Referral y99005 = testing::GpReferral(TestNhsNumber(NextPerson()));
  y99005.mutable_patient()->set_registered_practice_code("Y99005");
  y99005.mutable_referrer()->set_organisation_name("Riverside Surgery");
  v1::SubmitReferralResponse from_y99005;
  const grpc::Status status = Submit(*other_gp_, y99005, key, &from_y99005);
  ASSERT_TRUE(status.ok()) << testing::CodeName(status.error_code()) << " "
                           << status.error_message();
  EXPECT_FALSE(from_y99005.replayed());
  EXPECT_NE(from_y99005.referral().name(), from_y99001.referral().name());
  EXPECT_EQ(from_y99005.referral().referrer().organisation_code(), "Y99005");
  EXPECT_EQ(from_y99005.referral().route().pcn(), "pcns/U99002");

  // Each organisation's retry replays its own referral.
  v1::SubmitReferralResponse replay;
  ASSERT_TRUE(Submit(*other_gp_, y99005, key, &replay).ok());
  EXPECT_TRUE(replay.replayed());
  EXPECT_EQ(replay.referral().name(), from_y99005.referral().name());
}

// SubmitReferral: "INVALID_ARGUMENT with google.rpc.BadRequest listing every
// violated field for bad input", and nothing is stored.
TEST_F(ReferralServiceContractTest, SubmitRefusesBadInputNamingEveryFieldAndStoresNothing) {
  const std::set<std::string> before = NamesListed(*gp_, "");
  v1::Referral bad = testing::GpReferral("9434765918");  // wrong check digit
  bad.mutable_consent()->set_referral_agreed(false);
  v1::SubmitReferralResponse response;
  const testing::Refusal refused = ExpectInvalidField(Submit(*gp_, bad, NewRequestId(), &response),
                                                      "referral.patient.nhs_number");
  EXPECT_THAT(testing::ViolatedFields(refused),
              ::testing::Contains("referral.consent.referral_agreed"));
  EXPECT_FALSE(response.has_referral());
  EXPECT_EQ(NamesListed(*gp_, ""), before);
}

// SubmitReferral: only referrers send referrals.
TEST_F(ReferralServiceContractTest, SubmitIsForReferrersOnly) {
  for (auto* stub : {lw_.get(), admin_.get()}) {
    v1::SubmitReferralResponse response;
    ExpectRefusal(
        Submit(*stub, testing::GpReferral(TestNhsNumber(NextPerson())), NewRequestId(), &response),
        grpc::StatusCode::PERMISSION_DENIED);
  }
}

// Referral.priority: "on output, the priority routing gave it, which a
// routing rule may raise from ROUTINE to URGENT (Route.rule names the rule
// ...; requested_priority keeps the request). The queue item and the routing
// decision carry the same value." The hospital discharge example (aged 84)
// matches older-hospital-discharge-urgent.
TEST_F(ReferralServiceContractTest, ARaisedPriorityIsTheSameEverywhere) {
  v1::Referral example = testing::ExampleReferral("hospital");
  example.mutable_patient()->set_nhs_number(TestNhsNumber(NextPerson()));
  const v1::Referral stored = SubmitOk(*hospital_, example);
  ASSERT_FALSE(stored.name().empty());
  EXPECT_EQ(stored.priority(), v1::PRIORITY_URGENT);
  EXPECT_EQ(stored.requested_priority(), v1::PRIORITY_ROUTINE);
  EXPECT_EQ(stored.route().rule(), "older-hospital-discharge-urgent");
  EXPECT_TRUE(stored.priority_reason().empty()) << "a rule raised it, the referrer gave no reason";

  v1::Referral got;
  ASSERT_TRUE(Get(*hospital_, stored.name(), &got).ok());
  EXPECT_EQ(got.priority(), v1::PRIORITY_URGENT);
  EXPECT_EQ(got.requested_priority(), v1::PRIORITY_ROUTINE);

  const v1::RoutingDecision decision = DecisionOf(stored);
  EXPECT_EQ(decision.priority(), v1::PRIORITY_URGENT);
  EXPECT_EQ(decision.route().rule(), "older-hospital-discharge-urgent");
  EXPECT_EQ(QueueItemOf(stored.route().pcn(), stored.name()).priority(), v1::PRIORITY_URGENT);
}

// Route: "The PCN ... Empty when triaged"; ROUTING_METHOD_TRIAGE "the
// sub-ICB triage queue". The demo policy sends a police referral flagging
// domestic abuse to triage, urgently.
TEST_F(ReferralServiceContractTest, ATriageRouteNamesOnlyTheTriageQueue) {
  const v1::Referral stored = SubmitOk(*police_, DomesticAbuseReferral());
  ASSERT_FALSE(stored.name().empty());
  EXPECT_EQ(stored.route().method(), v1::ROUTING_METHOD_TRIAGE);
  EXPECT_EQ(stored.route().pcn(), "");
  EXPECT_EQ(stored.route().pcn_display(), "");
  EXPECT_EQ(stored.route().link_worker(), "");
  EXPECT_EQ(stored.route().triage_queue(), "triageQueues/Z1W0A");
  EXPECT_EQ(stored.route().rule(), "police-domestic-abuse-to-triage");
  EXPECT_EQ(stored.priority(), v1::PRIORITY_URGENT);
  EXPECT_EQ(stored.state(), v1::REFERRAL_STATE_QUEUED);

  const v1::RoutingDecision decision = DecisionOf(stored);
  EXPECT_EQ(decision.outcome(), v1::ROUTING_OUTCOME_TRIAGE);
  EXPECT_EQ(decision.route().method(), v1::ROUTING_METHOD_TRIAGE);
  EXPECT_EQ(decision.route().pcn(), "");
  EXPECT_EQ(decision.route().triage_queue(), "triageQueues/Z1W0A");
  EXPECT_EQ(decision.priority(), v1::PRIORITY_URGENT);
  EXPECT_EQ(QueueItemOf("triageQueues/Z1W0A", stored.name()).priority(), v1::PRIORITY_URGENT);
}

// Referral.warnings: "What Sprout accepted but the referrer should know ...
// e.g. a registered practice its directory does not know (the referral was
// routed another way)." README: an unknown registered practice is accepted,
// routed by postcode, with warning UNKNOWN_REGISTERED_PRACTICE.
TEST_F(ReferralServiceContractTest, AnUnknownRegisteredPracticeIsAcceptedWithAWarning) {
  v1::Referral referral = testing::GpReferral(TestNhsNumber(NextPerson()));
  referral.mutable_patient()->set_registered_practice_code("Y99999");
  referral.mutable_patient()->mutable_address()->set_postcode("ZW1 1AB");
  const v1::Referral stored = SubmitOk(*gp_, referral);
  ASSERT_FALSE(stored.name().empty());
  ASSERT_EQ(stored.warnings_size(), 1);
  EXPECT_EQ(stored.warnings(0).reason(), "UNKNOWN_REGISTERED_PRACTICE");
  EXPECT_EQ(stored.warnings(0).field(), "referral.patient.registered_practice_code");
  EXPECT_THAT(stored.warnings(0).description(), HasSubstr("Y99999"));
  EXPECT_EQ(stored.route().method(), v1::ROUTING_METHOD_POSTCODE);
  EXPECT_EQ(stored.route().pcn(), "pcns/U99001");

  v1::Referral got;
  ASSERT_TRUE(Get(*gp_, stored.name(), &got).ok());
  ASSERT_EQ(got.warnings_size(), 1);
  EXPECT_EQ(got.warnings(0).reason(), "UNKNOWN_REGISTERED_PRACTICE");

  // The dry run warns the same way.
  v1::ValidateReferralResponse preview;
  ASSERT_TRUE(Validate(*gp_, referral, &preview).ok());
  ASSERT_EQ(preview.referral().warnings_size(), 1);
  EXPECT_EQ(preview.referral().warnings(0).reason(), "UNKNOWN_REGISTERED_PRACTICE");
}

// ValidateReferral: "Stores nothing, so the answer names nothing: the
// referral, its episode, route decision and etag are empty, its state is
// UNSPECIFIED, and the decision has no name; preview is true."
TEST_F(ReferralServiceContractTest, ValidateAnswersAPreviewThatNamesNothing) {
  const std::set<std::string> before = NamesListed(*gp_, "");
  const v1::Referral referral = testing::GpReferral(TestNhsNumber(NextPerson()));
  v1::ValidateReferralResponse response;
  ASSERT_TRUE(Validate(*gp_, referral, &response).ok());
  EXPECT_TRUE(response.preview());
  const v1::Referral& r = response.referral();
  EXPECT_EQ(r.name(), "");
  EXPECT_EQ(r.etag(), "");
  EXPECT_EQ(r.episode(), "");
  EXPECT_EQ(r.state(), v1::REFERRAL_STATE_UNSPECIFIED);
  EXPECT_EQ(r.route().decision(), "");
  EXPECT_EQ(response.decision().name(), "");
  EXPECT_EQ(response.decision().referral(), "");
  // What it would be is all there.
  ASSERT_EQ(r.coded_reasons_size(), 2);
  EXPECT_EQ(r.coded_reasons(0).concept().code(), "267076002");
  EXPECT_EQ(r.service_code().code(), kServiceCode);
  EXPECT_EQ(r.route().pcn(), "pcns/U99001");
  EXPECT_EQ(response.decision().route().pcn(), "pcns/U99001");
  EXPECT_FALSE(response.decision().explanation().steps().empty());
  EXPECT_FALSE(response.decision().explanation().summary().empty());
  EXPECT_EQ(NamesListed(*gp_, ""), before) << "a dry run stored a referral";

  // Bad input is refused as SubmitReferral refuses it.
  v1::Referral bad = referral;
  bad.mutable_patient()->set_nhs_number("9434765918");
  v1::ValidateReferralResponse refused;
  ExpectInvalidField(Validate(*gp_, bad, &refused), "referral.patient.nhs_number");
  EXPECT_FALSE(refused.preview());
}

// Candidate: "open_caseload: Referrals accepted and not yet closed: what the
// open cap limits"; "waiting: Referrals on the link worker's queue, not yet
// accepted. They count towards the ranking ..., never towards either cap."
// A referral waiting on a link worker's queue shows as waiting in the next
// decision's explanation, not as open caseload.
TEST_F(ReferralServiceContractTest, TheExplanationCountsWaitingApartFromOpenCaseload) {
  const v1::Referral waiting = SubmitGp();
  ASSERT_FALSE(waiting.name().empty());
  const v1::RoutingDecision placed = DecisionOf(waiting);
  const std::string link_worker = placed.route().link_worker();
  ASSERT_FALSE(link_worker.empty()) << "the demo PCN has link workers with capacity";

  v1::ValidateReferralResponse response;
  ASSERT_TRUE(Validate(*gp_, testing::GpReferral(TestNhsNumber(NextPerson())), &response).ok());
  bool seen = false;
  for (const v1::Candidate& c : response.decision().explanation().candidates()) {
    if (c.link_worker() != link_worker) continue;
    seen = true;
    EXPECT_GE(c.waiting(), 1) << c.detail();
    EXPECT_EQ(c.open_caseload(), 0) << "nothing has been accepted on this server: " << c.detail();
    EXPECT_GT(c.open_cap(), 0);
    EXPECT_GT(c.annual_cap(), 0);
    EXPECT_TRUE(c.eligible()) << c.detail();
    EXPECT_THAT(c.detail(), HasSubstr("waiting"));
  }
  EXPECT_TRUE(seen) << link_worker << " was not considered";
}

// GetReferral: "Gets one referral the caller's organisation sent." A
// referral another organisation sent, and one that does not exist, get the
// same NOT_FOUND; a malformed name is INVALID_ARGUMENT naming it.
TEST_F(ReferralServiceContractTest, GetAnswersOnlyTheCallersOwnReferrals) {
  const v1::Referral stored = SubmitGp();
  ASSERT_FALSE(stored.name().empty());

  v1::Referral out;
  const testing::Refusal others =
      ExpectRefusal(Get(*police_, stored.name(), &out), grpc::StatusCode::NOT_FOUND);
  const std::string absent = "referrals/00000000000000000000000000";
  const testing::Refusal missing =
      ExpectRefusal(Get(*police_, absent, &out), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(ReasonOf(others), ReasonOf(missing));
  EXPECT_EQ(absl::StrReplaceAll(others.message(), {{stored.name(), "NAME"}}),
            absl::StrReplaceAll(missing.message(), {{absent, "NAME"}}))
      << "the answer tells the caller the referral exists";
  EXPECT_FALSE(out.has_patient());

  ExpectInvalidField(Get(*gp_, "queueItems/abc", &out), "name");
  ExpectInvalidField(Get(*gp_, "", &out), "name");
  // Only administrators make break-glass reads.
  ExpectInvalidField(Get(*gp_, stored.name(), &out, "safeguarding review, ticket 4411"),
                     "break_glass_reason");
}

// GetReferralRequest.break_glass_reason: "Administrators are shown referrals
// pseudonymised ...: no NHS number, name, address, contact details or free
// text. A break-glass read returns the full record; it needs the reason it
// is made (10 to 500 characters)".
TEST_F(ReferralServiceContractTest, AdministratorsReadPseudonymisedUnlessTheyBreakGlass) {
  const v1::Referral stored = SubmitGp();
  ASSERT_FALSE(stored.name().empty());

  v1::Referral pseudonymised;
  ASSERT_TRUE(Get(*admin_, stored.name(), &pseudonymised).ok());
  EXPECT_TRUE(pseudonymised.pseudonymised());
  EXPECT_EQ(pseudonymised.patient().nhs_number(), "");
  EXPECT_EQ(pseudonymised.patient().given_name(), "");
  EXPECT_EQ(pseudonymised.patient().family_name(), "");
  EXPECT_THAT(pseudonymised.patient().address().lines(), IsEmpty());
  EXPECT_EQ(pseudonymised.patient().contact().phone(), "");
  EXPECT_EQ(pseudonymised.what_matters_to_me(), "");
  EXPECT_EQ(pseudonymised.coded_reasons_size(), stored.coded_reasons_size()) << "codes stay";
  EXPECT_EQ(pseudonymised.state(), stored.state());

  v1::Referral full;
  ASSERT_TRUE(
      Get(*admin_, stored.name(), &full, "safeguarding review requested, ticket 4411").ok());
  EXPECT_FALSE(full.pseudonymised());
  EXPECT_EQ(full.patient().nhs_number(), stored.patient().nhs_number());
  EXPECT_EQ(full.what_matters_to_me(), stored.what_matters_to_me());

  ExpectInvalidField(Get(*admin_, stored.name(), &full, "too short"), "break_glass_reason");
  ExpectInvalidField(Get(*admin_, stored.name(), &full, std::string(501, 'x')),
                     "break_glass_reason");
}

// ListReferrals: "Lists the caller's organisation's referrals, newest
// first", in pages (AIP-158).
TEST_F(ReferralServiceContractTest, ListPagesThroughTheCallersReferralsNewestFirst) {
  for (int i = 0; i < 5; ++i) ASSERT_FALSE(SubmitGp().name().empty());
  testing::ExpectPagingContract(
      [&](int size, const std::string& token, ListedPage* page) {
        v1::ListReferralsResponse response;
        const grpc::Status status = List(*gp_, "", size, token, &response);
        for (const v1::Referral& r : response.referrals()) page->names.push_back(r.name());
        page->next_page_token = response.next_page_token();
        return status;
      },
      2, 500, 5);

  const std::vector<v1::Referral> all = ListAll(*gp_, "");
  for (size_t i = 1; i < all.size(); ++i) {
    EXPECT_GE(google::protobuf::util::TimeUtil::TimestampToNanoseconds(all[i - 1].create_time()),
              google::protobuf::util::TimeUtil::TimestampToNanoseconds(all[i].create_time()))
        << "not newest first at " << i;
  }
  for (const v1::Referral& r : all) {
    EXPECT_EQ(r.referrer().organisation_code(), "Y99001");
    EXPECT_TRUE(r.route().link_worker().empty()) << "a referrer is not told the link worker";
  }
  // Another organisation lists none of them.
  for (const v1::Referral& r : ListAll(*police_, "")) {
    EXPECT_EQ(r.referrer().organisation_code(), "police:WYP");
  }
  // An administrator lists every organisation's, pseudonymised.
  const std::vector<v1::Referral> everyone = ListAll(*admin_, "");
  EXPECT_GE(everyone.size(), all.size());
  for (const v1::Referral& r : everyone) {
    EXPECT_TRUE(r.pseudonymised());
    EXPECT_EQ(r.patient().nhs_number(), "");
  }
}

// ListReferralsRequest.filter: "AIP-160 filter: comparisons joined by AND
// over state, priority, source_type, needs_coding_review (or needs_review)
// ... and create_time ... Enum values with or without their prefix."
TEST_F(ReferralServiceContractTest, ListFiltersByStatePriorityTimeAndReview) {
  const absl::Time start = absl::Now() - absl::Seconds(1);
  const v1::Referral queued = SubmitGp();
  const v1::Referral withdrawn = SubmitGp();
  v1::Referral out;
  ASSERT_TRUE(Withdraw(*gp_, withdrawn.name(), "", "sent in error", &out).ok());
  v1::Referral free_text = testing::GpReferral(TestNhsNumber(NextPerson()));
  free_text.clear_reasons();
  free_text.add_reasons()->set_free_text("zzqx nothing matches this");
  const v1::Referral review = SubmitOk(*gp_, free_text);
  ASSERT_TRUE(review.needs_coding_review());

  const std::set<std::string> queued_names = NamesListed(*gp_, "state = QUEUED");
  EXPECT_TRUE(queued_names.count(queued.name()));
  EXPECT_FALSE(queued_names.count(withdrawn.name()));
  EXPECT_EQ(NamesListed(*gp_, "state = REFERRAL_STATE_QUEUED"), queued_names);
  for (const v1::Referral& r : ListAll(*gp_, "state = QUEUED")) {
    EXPECT_EQ(r.state(), v1::REFERRAL_STATE_QUEUED);
  }
  const std::set<std::string> not_queued = NamesListed(*gp_, "state != QUEUED");
  EXPECT_TRUE(not_queued.count(withdrawn.name()));
  EXPECT_FALSE(not_queued.count(queued.name()));

  const std::set<std::string> needing_review = NamesListed(*gp_, "needs_review = true");
  EXPECT_TRUE(needing_review.count(review.name()));
  EXPECT_FALSE(needing_review.count(queued.name()));
  EXPECT_EQ(NamesListed(*gp_, "needs_coding_review = true"), needing_review);

  for (const v1::Referral& r : ListAll(*hospital_, "priority = URGENT")) {
    EXPECT_EQ(r.priority(), v1::PRIORITY_URGENT);
  }
  EXPECT_THAT(NamesListed(*gp_, "source_type = POLICE"), IsEmpty());
  EXPECT_TRUE(NamesListed(*gp_, "source_type = GP_PRACTICE").count(queued.name()));

  const std::string since = absl::StrCat(
      "create_time >= \"", absl::FormatTime(absl::RFC3339_full, start, absl::UTCTimeZone()),
      "\" AND state = QUEUED");
  const std::set<std::string> recent = NamesListed(*gp_, since);
  EXPECT_TRUE(recent.count(queued.name()));
  EXPECT_TRUE(recent.count(review.name()));
  EXPECT_FALSE(recent.count(withdrawn.name()));
  EXPECT_THAT(NamesListed(*gp_, "create_time < \"2000-01-01T00:00:00Z\""), IsEmpty());
}

// ListReferralsRequest.filter: "A bad filter is INVALID_ARGUMENT naming the
// column." A page token belongs to the filter it was issued for.
TEST_F(ReferralServiceContractTest, ListRefusesABadFilterAndAForeignPageToken) {
  v1::ListReferralsResponse response;
  const testing::Refusal unknown =
      ExpectInvalidField(List(*gp_, "colour = RED", 50, "", &response), "filter");
  EXPECT_THAT(unknown.message(), HasSubstr("colour"));
  ExpectInvalidField(List(*gp_, "state = NOT_A_STATE", 50, "", &response), "filter");
  ExpectInvalidField(List(*gp_, "state QUEUED", 50, "", &response), "filter");
  ExpectInvalidField(List(*gp_, "create_time >= \"yesterday\"", 50, "", &response), "filter");

  for (int i = 0; i < 3; ++i) ASSERT_FALSE(SubmitGp().name().empty());
  v1::ListReferralsResponse first;
  ASSERT_TRUE(List(*gp_, "state = QUEUED", 1, "", &first).ok());
  ASSERT_FALSE(first.next_page_token().empty());
  v1::ListReferralsResponse mixed;
  const testing::Refusal foreign =
      ExpectRefusal(List(*gp_, "priority = URGENT", 1, first.next_page_token(), &mixed),
                    grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(foreign.message(), HasSubstr("page_token"));
  EXPECT_THAT(mixed.referrals(), IsEmpty());
}

// ListReferrals is for referrers and administrators.
TEST_F(ReferralServiceContractTest, ListIsNotForLinkWorkers) {
  v1::ListReferralsResponse response;
  ExpectRefusal(List(*lw_, "", 10, "", &response), grpc::StatusCode::PERMISSION_DENIED);
}

// WithdrawReferral: "Withdraws a referral that has not been accepted yet";
// etag "If set, must match the current etag (ABORTED otherwise)"; reason
// "at most 500 characters".
TEST_F(ReferralServiceContractTest, WithdrawEndsAReferralNotYetAccepted) {
  const v1::Referral stored = SubmitGp();
  ASSERT_FALSE(stored.name().empty());
  v1::Referral out;
  ExpectInvalidField(Withdraw(*gp_, stored.name(), "", std::string(501, 'x'), &out), "reason");
  const testing::Refusal stale =
      ExpectRefusal(Withdraw(*gp_, stored.name(), "\"not-the-etag\"", "sent in error", &out),
                    grpc::StatusCode::ABORTED);
  EXPECT_EQ(ReasonOf(stale), "ETAG_MISMATCH");
  ExpectRefusal(Withdraw(*police_, stored.name(), "", "not ours", &out),
                grpc::StatusCode::NOT_FOUND);

  v1::Referral withdrawn;
  ASSERT_TRUE(Withdraw(*gp_, stored.name(), stored.etag(), "sent in error", &withdrawn).ok());
  EXPECT_EQ(withdrawn.name(), stored.name());
  EXPECT_EQ(withdrawn.state(), v1::REFERRAL_STATE_WITHDRAWN);
  EXPECT_TRUE(withdrawn.has_end_time());
  EXPECT_NE(withdrawn.etag(), stored.etag()) << "a change makes a new etag";
  EXPECT_TRUE(withdrawn.route().link_worker().empty());

  // A referral that has ended cannot be withdrawn again.
  ExpectRefusal(Withdraw(*gp_, stored.name(), "", "again", &out),
                grpc::StatusCode::FAILED_PRECONDITION);
  v1::Referral got;
  ASSERT_TRUE(Get(*gp_, stored.name(), &got).ok());
  EXPECT_EQ(got.state(), v1::REFERRAL_STATE_WITHDRAWN);
}

// WatchReferral: "the current state first, then each change"; events carry
// an increasing sequence to resume after; another organisation's referral is
// NOT_FOUND; after_sequence must not be negative.
TEST_F(ReferralServiceContractTest, WatchStreamsTheHistoryAndResumes) {
  const v1::Referral stored = SubmitGp();
  ASSERT_FALSE(stored.name().empty());
  v1::Referral out;
  ASSERT_TRUE(Withdraw(*gp_, stored.name(), "", "sent in error", &out).ok());

  const std::vector<v1::ReferralEvent> events = WatchEvents(*gp_, stored.name(), 0, 2);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].referral(), stored.name());
  EXPECT_EQ(events[0].state(), v1::REFERRAL_STATE_QUEUED);
  EXPECT_EQ(events[0].action(), "SubmitReferral");
  EXPECT_TRUE(events[0].has_event_time());
  EXPECT_EQ(events[1].state(), v1::REFERRAL_STATE_WITHDRAWN);
  EXPECT_EQ(events[1].action(), "WithdrawReferral");
  EXPECT_GT(events[0].sequence(), 0);
  EXPECT_GT(events[1].sequence(), events[0].sequence());

  const std::vector<v1::ReferralEvent> resumed =
      WatchEvents(*gp_, stored.name(), events[0].sequence(), 1);
  ASSERT_EQ(resumed.size(), 1u);
  EXPECT_EQ(resumed[0].sequence(), events[1].sequence());

  grpc::Status refused;
  EXPECT_THAT(WatchEvents(*police_, stored.name(), 0, 1, &refused), IsEmpty());
  ExpectRefusal(refused, grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(WatchEvents(*gp_, stored.name(), -1, 1, &refused), IsEmpty());
  ExpectInvalidField(refused, "after_sequence");
  EXPECT_THAT(WatchEvents(*gp_, "referrals/", 0, 1, &refused), IsEmpty());
  ExpectInvalidField(refused, "name");
}

}  // namespace
}  // namespace sprout
