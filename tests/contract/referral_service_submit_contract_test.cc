// ReferralService contract, the write side: SubmitReferral and
// ValidateReferral held to their comments in referral_service.proto and
// the Referral fields' comments (referral.proto, routing.proto), through
// the real sproutd over mutual TLS with the demo directory and policy.
#include "tests/contract/referral_service_contract.h"

namespace sprout::referral_contract {
namespace {

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

}  // namespace
}  // namespace sprout::referral_contract
