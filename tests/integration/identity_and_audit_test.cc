// Who is calling, and what they are shown, through the real sproutd binary
// over mutual TLS:
//  - certificates signed by the server's own CA that name no single valid
//    identity (two Sprout URIs, a role inside the organisation code, a link
//    worker not in the directory or in another PCN) are refused
//    UNAUTHENTICATED at the first call;
//  - every read of patient data leaves an audit record naming the full
//    principal and the resources returned;
//  - administrators see referrals pseudonymised unless they make a
//    break-glass read with a reason, which is audited and listed;
//  - a refusal for something the caller may not see is the answer for
//    something that does not exist.
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "client/channel.h"
#include "client/client_options.h"
#include "client/health_check.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "sprout/v1/admin_service.grpc.pb.h"
#include "sprout/v1/queue_service.grpc.pb.h"
#include "sprout/v1/referral_service.grpc.pb.h"
#include "tests/integration/error_details.h"
#include "tests/integration/sproutd_suite.h"
#include "tests/integration/test_referrals.h"
#include "tests/server/auth/test_certificates.h"

namespace sprout {
namespace {

using testing::CertificateSpec;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::KeyUsage;
using ::testing::Not;

using testing::ErrorInfoOf;

class IdentityAndAuditTest : public testing::SproutdSuite<IdentityAndAuditTest> {
 protected:
  static void SetUpTestSuite() {
    StartServer("identity_and_audit");
    if (server_ == nullptr) return;

    // One GP referral (routed by practice to U99001) and one police referral
    // (routed by postcode), shared by the tests.
    auto gp = sprout::v1::ReferralService::NewStub(server_->Channel("gp"));
    sprout::v1::SubmitReferralRequest request;
    request.set_request_id("ia-gp-1");
    *request.mutable_referral() = testing::GpReferral();
    sprout::v1::SubmitReferralResponse response;
    grpc::Status status = gp->SubmitReferral(Context().get(), request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    gp_referral_ = new sprout::v1::Referral(response.referral());

    auto police = sprout::v1::ReferralService::NewStub(server_->Channel("police"));
    request.set_request_id("ia-police-1");
    *request.mutable_referral() = testing::PoliceReferral();
    status = police->SubmitReferral(Context().get(), request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    police_referral_ = new sprout::v1::Referral(response.referral());
  }
  static void TearDownTestSuite() {
    SproutdSuite::TearDownTestSuite();
    delete gp_referral_;
    delete police_referral_;
  }
  void SetUp() override {
    SproutdSuite::SetUp();
    ASSERT_NE(gp_referral_, nullptr);
  }

  // A client certificate named `name` signed by the server's CA, usable
  // with server_->Channel(name).
  static void Mint(const std::string& name, const CertificateSpec& spec) {
    absl::Status minted = testing::MintCertificateFiles(spec, server_->work_dir() + "/certs", name);
    ASSERT_TRUE(minted.ok()) << minted;
  }

  static std::vector<sprout::v1::AuditRecord> AuditRecords(const std::string& action) {
    auto admin = sprout::v1::AdminService::NewStub(server_->Channel("admin"));
    sprout::v1::ListAuditRecordsRequest request;
    request.set_action(action);
    request.set_page_size(500);
    sprout::v1::ListAuditRecordsResponse response;
    grpc::Status status = admin->ListAuditRecords(Context().get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return {response.records().begin(), response.records().end()};
  }

  static sprout::v1::Referral* gp_referral_;
  static sprout::v1::Referral* police_referral_;
};

sprout::v1::Referral* IdentityAndAuditTest::gp_referral_ = nullptr;
sprout::v1::Referral* IdentityAndAuditTest::police_referral_ = nullptr;

struct BadIdentity {
  std::string name;
  std::vector<std::string> uris;
  std::string reason;  // in the refusal's message
};

TEST_F(IdentityAndAuditTest, CertificatesWithoutExactlyOneValidIdentityAreUnauthenticated) {
  const std::vector<BadIdentity> table = {
      {"admin-then-gp",
       {"urn:sprout:org:admin:sprout:role:admin", "urn:sprout:org:Y99001:role:referrer"},
       "2 urn:sprout:org: subjectAltName URIs"},
      {"gp-twice",
       {"urn:sprout:org:Y99001:role:referrer", "urn:sprout:org:Y99001:role:referrer"},
       "2 urn:sprout:org: subjectAltName URIs"},
      {"role-in-organisation",
       {"urn:sprout:org:Y99001:role:referrer:role:admin"},
       "more than one \":role:\""},
      {"no-sprout-uri", {"spiffe://example.org/gp"}, "no urn:sprout:org: subjectAltName URI"},
      {"link-worker-without-id",
       {"urn:sprout:org:U99001:role:link_worker"},
       "a link_worker identity URI needs \":lw:{id}\""},
      {"malformed-role",
       {"urn:sprout:org:Y99001:role:superuser"},
       "role must be referrer, link_worker or admin"},
      {"ghost-link-worker",
       {"urn:sprout:org:U99001:role:link_worker:lw:ghost"},
       "pcns/U99001/linkWorkers/ghost is not in the directory"},
      {"other-pcns-link-worker",
       {"urn:sprout:org:U99001:role:link_worker:lw:lw-u99002-01"},
       "pcns/U99001/linkWorkers/lw-u99002-01 is not in the directory"},
  };
  for (const BadIdentity& row : table) {
    SCOPED_TRACE(row.name);
    Mint(row.name, CertificateSpec{row.uris, KeyUsage::kClientAuth, row.name});
    auto channel = server_->Channel(row.name);
    // A read of each kind: none may be answered.
    auto referrals = sprout::v1::ReferralService::NewStub(channel);
    sprout::v1::GetReferralRequest get;
    get.set_name(gp_referral_->name());
    sprout::v1::Referral referral;
    grpc::Status status = referrals->GetReferral(Context().get(), get, &referral);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << status.error_message();
    EXPECT_THAT(status.error_message(), HasSubstr(row.reason));
    EXPECT_FALSE(referral.has_patient());

    auto queues = sprout::v1::QueueService::NewStub(channel);
    sprout::v1::ListQueueItemsRequest list;
    list.set_parent("pcns/U99001");
    sprout::v1::ListQueueItemsResponse items;
    status = queues->ListQueueItems(Context().get(), list, &items);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
    EXPECT_THAT(items.queue_items(), IsEmpty());

    auto admin = sprout::v1::AdminService::NewStub(channel);
    sprout::v1::VerifyAuditLogResponse verify;
    status = admin->VerifyAuditLog(Context().get(), {}, &verify);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  }
}

// Certificates the TLS handshake itself refuses: none at all, one from another
// CA, one expired and one not valid yet. No call is answered.
TEST_F(IdentityAndAuditTest, HandshakesWithoutAValidClientCertificateAreRefused) {
  const std::string certs = server_->work_dir() + "/certs";
  auto list_as = [&](const std::string& cert_dir, const std::string& name) {
    client::ClientOptions options;
    options.target = server_->target();
    options.ca_file = certs + "/ca.pem";
    if (!name.empty()) {
      options.cert_file = cert_dir + "/" + name + ".pem";
      options.key_file = cert_dir + "/" + name + ".key";
    }
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = client::CreateChannel(options);
    EXPECT_TRUE(channel.ok()) << channel.status();
    if (!channel.ok()) return grpc::Status(grpc::StatusCode::INTERNAL, "no channel");
    sprout::v1::ListReferralsResponse response;
    grpc::Status status = sprout::v1::ReferralService::NewStub(*channel)->ListReferrals(
        Context().get(), {}, &response);
    if (!status.ok()) EXPECT_THAT(response.referrals(), IsEmpty());
    return status;
  };
  EXPECT_EQ(list_as("", "").error_code(), grpc::StatusCode::UNAVAILABLE) << "no certificate";

  const std::string other_ca = server_->work_dir() + "/other-ca";
  ASSERT_EQ(std::system(absl::StrCat(testing::SourceDir(), "/certs/make-dev-certs --out ", other_ca,
                                     " --practice Y99001 --pcn U99001 >/dev/null")
                            .c_str()),
            0);
  EXPECT_EQ(list_as(other_ca, "gp").error_code(), grpc::StatusCode::UNAVAILABLE)
      << "a certificate from another CA with a valid identity";

  CertificateSpec expired{{"urn:sprout:org:Y99001:role:referrer"}, KeyUsage::kClientAuth, "old"};
  expired.not_before_seconds = -2 * 86400;
  expired.not_after_seconds = -86400;
  Mint("expired", expired);
  EXPECT_EQ(list_as(certs, "expired").error_code(), grpc::StatusCode::UNAVAILABLE) << "expired";

  CertificateSpec early{{"urn:sprout:org:Y99001:role:referrer"}, KeyUsage::kClientAuth, "early"};
  early.not_before_seconds = 86400;
  early.not_after_seconds = 2 * 86400;
  Mint("not-yet-valid", early);
  EXPECT_EQ(list_as(certs, "not-yet-valid").error_code(), grpc::StatusCode::UNAVAILABLE)
      << "not valid yet";

  // The same identity in a valid certificate is answered.
  Mint("gp-again",
       CertificateSpec{{"urn:sprout:org:Y99001:role:referrer"}, KeyUsage::kClientAuth, "gp-again"});
  EXPECT_TRUE(list_as(certs, "gp-again").ok());
}

// The health probe's certificate (certs/make-dev-certs "probe": CA-signed, no
// Sprout identity) may ask for health and nothing else.
TEST_F(IdentityAndAuditTest, TheProbeCertificateGetsHealthAndNothingElse) {
  auto channel = server_->Channel("probe");
  absl::StatusOr<client::ServingStatus> health =
      client::CheckHealth(*channel, "", absl::Seconds(10));
  ASSERT_TRUE(health.ok()) << health.status();
  EXPECT_EQ(*health, client::ServingStatus::kServing);
  sprout::v1::ListReferralsResponse response;
  grpc::Status status =
      sprout::v1::ReferralService::NewStub(channel)->ListReferrals(Context().get(), {}, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(status.error_message(), HasSubstr("no urn:sprout:org: subjectAltName URI"));
  EXPECT_THAT(response.referrals(), IsEmpty());
}

TEST_F(IdentityAndAuditTest, ACertificateWithoutClientAuthUsageIsRefused) {
  Mint("server-usage",
       CertificateSpec{
           {"urn:sprout:org:Y99001:role:referrer"}, KeyUsage::kServerAuth, "server-usage"});
  auto referrals = sprout::v1::ReferralService::NewStub(server_->Channel("server-usage"));
  sprout::v1::ListReferralsResponse response;
  grpc::Status status = referrals->ListReferrals(Context().get(), {}, &response);
  // Refused by the TLS handshake (UNAVAILABLE) or by Sprout (UNAUTHENTICATED):
  // never answered.
  EXPECT_FALSE(status.ok());
  EXPECT_THAT(response.referrals(), IsEmpty());
}

TEST_F(IdentityAndAuditTest, EveryReadOfPatientDataIsAuditedWithThePrincipalAndWhatItReturned) {
  // Police list their own referrals: answered in full, and audited.
  auto police = sprout::v1::ReferralService::NewStub(server_->Channel("police"));
  sprout::v1::ListReferralsResponse listed;
  ASSERT_TRUE(police->ListReferrals(Context().get(), {}, &listed).ok());
  ASSERT_EQ(listed.referrals_size(), 1);
  EXPECT_FALSE(listed.referrals(0).pseudonymised());
  bool police_list_audited = false;
  for (const sprout::v1::AuditRecord& r : AuditRecords("ListReferrals")) {
    if (r.actor_organisation() == "police:WYP" && r.outcome() == "OK") {
      police_list_audited = true;
      EXPECT_EQ(r.actor_role(), "referrer");
      EXPECT_THAT(r.returned(), Contains(police_referral_->name()));
    }
  }
  EXPECT_TRUE(police_list_audited);

  // The GP reads its referral and one that does not exist: both audited.
  auto gp = sprout::v1::ReferralService::NewStub(server_->Channel("gp"));
  sprout::v1::GetReferralRequest get;
  get.set_name(gp_referral_->name());
  sprout::v1::Referral got;
  ASSERT_TRUE(gp->GetReferral(Context().get(), get, &got).ok());
  get.set_name("referrals/not-a-referral");
  EXPECT_EQ(gp->GetReferral(Context().get(), get, &got).error_code(), grpc::StatusCode::NOT_FOUND);
  int found = 0, missing = 0;
  for (const sprout::v1::AuditRecord& r : AuditRecords("GetReferral")) {
    if (r.actor_organisation() != "Y99001") continue;
    if (r.resource() == gp_referral_->name() && r.outcome() == "OK") {
      ++found;
      EXPECT_THAT(r.returned(), Contains(gp_referral_->name()));
    }
    if (r.resource() == "referrals/not-a-referral" && r.outcome() == "NOT_FOUND") {
      ++missing;
      EXPECT_THAT(r.returned(), IsEmpty());
    }
  }
  EXPECT_GE(found, 1);
  EXPECT_EQ(missing, 1);

  // The link worker lists and watches the PCN queue: both audited with
  // which link worker it was.
  auto queues = sprout::v1::QueueService::NewStub(server_->Channel("linkworker"));
  sprout::v1::ListQueueItemsRequest list;
  list.set_parent("pcns/U99001");
  sprout::v1::ListQueueItemsResponse items;
  ASSERT_TRUE(queues->ListQueueItems(Context().get(), list, &items).ok());
  ASSERT_GE(items.queue_items_size(), 1);
  bool list_audited = false;
  for (const sprout::v1::AuditRecord& r : AuditRecords("ListQueueItems")) {
    if (r.actor_link_worker() == "lw-u99001-01" && r.resource() == "pcns/U99001") {
      list_audited = true;
      EXPECT_EQ(r.actor_organisation(), "U99001");
      EXPECT_EQ(r.actor_role(), "link_worker");
      EXPECT_THAT(r.returned(), Contains(items.queue_items(0).name()));
    }
  }
  EXPECT_TRUE(list_audited);

  {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    sprout::v1::WatchQueueRequest watch;
    watch.set_parent("pcns/U99001");
    auto reader = queues->WatchQueue(&context, watch);
    sprout::v1::QueueEvent event;
    ASSERT_TRUE(reader->Read(&event));  // the catch-up of the waiting item
    context.TryCancel();
    reader->Finish().IgnoreError();
  }
  bool watch_audited = false;
  for (const sprout::v1::AuditRecord& r : AuditRecords("WatchQueue")) {
    if (r.actor_link_worker() == "lw-u99001-01" && r.outcome() == "OK") watch_audited = true;
  }
  EXPECT_TRUE(watch_audited);
}

TEST_F(IdentityAndAuditTest, AdministratorsSeePseudonymisedReferralsUnlessTheyBreakGlass) {
  auto admin = sprout::v1::ReferralService::NewStub(server_->Channel("admin"));
  sprout::v1::GetReferralRequest get;
  get.set_name(gp_referral_->name());
  sprout::v1::Referral seen;
  ASSERT_TRUE(admin->GetReferral(Context().get(), get, &seen).ok());
  EXPECT_TRUE(seen.pseudonymised());
  EXPECT_EQ(seen.patient().nhs_number(), "");
  EXPECT_EQ(seen.patient().given_name(), "");
  EXPECT_EQ(seen.patient().family_name(), "");
  EXPECT_THAT(seen.patient().address().lines(), IsEmpty());
  EXPECT_EQ(seen.patient().address().postcode(), "ZX1");
  EXPECT_EQ(seen.patient().birth_date().day(), 0);
  EXPECT_EQ(seen.what_matters_to_me(), "");
  EXPECT_FALSE(seen.patient().has_contact());
  // What running the service needs stays.
  EXPECT_EQ(seen.route().pcn(), gp_referral_->route().pcn());
  EXPECT_EQ(seen.coded_reasons_size(), gp_referral_->coded_reasons_size());
  EXPECT_EQ(seen.patient().registered_practice_code(), "Y99001");

  // Every organisation's referrals, all pseudonymised.
  sprout::v1::ListReferralsResponse listed;
  ASSERT_TRUE(admin->ListReferrals(Context().get(), {}, &listed).ok());
  ASSERT_GE(listed.referrals_size(), 2);
  for (const sprout::v1::Referral& r : listed.referrals()) {
    EXPECT_TRUE(r.pseudonymised());
    EXPECT_EQ(r.patient().nhs_number(), "");
    EXPECT_EQ(r.patient().family_name(), "");
  }

  // A break-glass read needs a real reason...
  get.set_break_glass_reason("because");
  grpc::Status status = admin->GetReferral(Context().get(), get, &seen);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("break_glass_reason"));
  // ...and then shows everything, and is on the break-glass log.
  const std::string reason = "safeguarding review requested by the PCN lead, ticket 4411";
  get.set_break_glass_reason(reason);
  ASSERT_TRUE(admin->GetReferral(Context().get(), get, &seen).ok());
  EXPECT_FALSE(seen.pseudonymised());
  EXPECT_EQ(seen.patient().nhs_number(), gp_referral_->patient().nhs_number());
  EXPECT_EQ(seen.patient().family_name(), gp_referral_->patient().family_name());

  auto admin_log = sprout::v1::AdminService::NewStub(server_->Channel("admin"));
  sprout::v1::ListAuditRecordsRequest log_request;
  log_request.set_break_glass_only(true);
  sprout::v1::ListAuditRecordsResponse log;
  ASSERT_TRUE(admin_log->ListAuditRecords(Context().get(), log_request, &log).ok());
  ASSERT_EQ(log.records_size(), 1);
  EXPECT_EQ(log.records(0).action(), "GetReferral");
  EXPECT_EQ(log.records(0).resource(), gp_referral_->name());
  EXPECT_EQ(log.records(0).stated_reason(), reason);
  EXPECT_EQ(log.records(0).actor_role(), "admin");

  // Nobody else breaks glass.
  auto gp = sprout::v1::ReferralService::NewStub(server_->Channel("gp"));
  status = gp->GetReferral(Context().get(), get, &seen);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(IdentityAndAuditTest, ARefusalIsTheAnswerForSomethingThatDoesNotExist) {
  // Police ask for the GP's referral, and for one that does not exist.
  auto police = sprout::v1::ReferralService::NewStub(server_->Channel("police"));
  sprout::v1::GetReferralRequest get;
  get.set_name(gp_referral_->name());
  sprout::v1::Referral referral;
  const grpc::Status refused = police->GetReferral(Context().get(), get, &referral);
  get.set_name("referrals/does-not-exist");
  const grpc::Status missing = police->GetReferral(Context().get(), get, &referral);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(missing.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(absl::StrReplaceAll(refused.error_message(), {{gp_referral_->name(), "NAME"}}),
            absl::StrReplaceAll(missing.error_message(), {{"referrals/does-not-exist", "NAME"}}));
  EXPECT_EQ(ErrorInfoOf(refused).reason(), ErrorInfoOf(missing).reason());
  EXPECT_THAT(refused.error_message(), Not(HasSubstr("U99001")));

  // A link worker of U99002 claims an item on U99001's queue, and one that
  // does not exist.
  auto lw1 = sprout::v1::QueueService::NewStub(server_->Channel("linkworker"));
  sprout::v1::ListQueueItemsRequest list;
  list.set_parent("pcns/U99001");
  sprout::v1::ListQueueItemsResponse items;
  ASSERT_TRUE(lw1->ListQueueItems(Context().get(), list, &items).ok());
  ASSERT_GE(items.queue_items_size(), 1);
  Mint("lw-u99002", CertificateSpec{{"urn:sprout:org:U99002:role:link_worker:lw:lw-u99002-01"},
                                    KeyUsage::kClientAuth,
                                    "lw-u99002"});
  auto lw2 = sprout::v1::QueueService::NewStub(server_->Channel("lw-u99002"));
  sprout::v1::ClaimReferralRequest claim;
  const std::string item = items.queue_items(0).name();
  claim.set_name(item);
  sprout::v1::QueueItem claimed;
  const grpc::Status not_theirs = lw2->ClaimReferral(Context().get(), claim, &claimed);
  claim.set_name("queueItems/does-not-exist");
  const grpc::Status no_such = lw2->ClaimReferral(Context().get(), claim, &claimed);
  EXPECT_EQ(not_theirs.error_code(), grpc::StatusCode::NOT_FOUND) << not_theirs.error_message();
  EXPECT_EQ(no_such.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(absl::StrReplaceAll(not_theirs.error_message(), {{item, "NAME"}}),
            absl::StrReplaceAll(no_such.error_message(), {{"queueItems/does-not-exist", "NAME"}}));
  EXPECT_THAT(not_theirs.error_message(), Not(HasSubstr("U99001")));
}

TEST_F(IdentityAndAuditTest, TheRoutingLogNamesAPostcodeByItsDistrictOnly) {
  auto admin = sprout::v1::AdminService::NewStub(server_->Channel("admin"));
  sprout::v1::GetRoutingDecisionRequest request;
  request.set_name(police_referral_->route().decision());
  sprout::v1::RoutingDecision decision;
  grpc::Status status = admin->GetRoutingDecision(Context().get(), request, &decision);
  ASSERT_TRUE(status.ok()) << status.error_message();
  const std::string text = decision.DebugString();
  EXPECT_THAT(text, HasSubstr("postcode district ZW3"));
  EXPECT_THAT(text, Not(HasSubstr("ZW3 6JH")));
  EXPECT_THAT(text, Not(HasSubstr("ZW3 6")));
}

}  // namespace
}  // namespace sprout
