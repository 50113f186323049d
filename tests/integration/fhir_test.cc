// The FHIR R4 / BaRS front door of the real sproutd, over real mutual TLS
// (cpp-httplib as the client): the example message Bundles in
// client/examples/fhir/ are taken into the same pipeline as SubmitReferral
// (the referral is on its PCN's queue and in the routing log, read over
// gRPC), a resend is answered with the first referral, and each kind of bad
// request gets its exact OperationOutcome and HTTP status.
#include <httplib.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <csignal>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "sprout/v1/admin_service.grpc.pb.h"
#include "sprout/v1/queue_service.grpc.pb.h"
#include "sprout/v1/referral_service.grpc.pb.h"
#include "tests/integration/metrics_scrape.h"
#include "tests/integration/sproutd_suite.h"

namespace sprout {
namespace {

using nlohmann::json;

std::string ReadExample(const std::string& name) {
  std::ifstream in(testing::SourceDir() + "/client/examples/fhir/" + name);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class FhirTest : public testing::SproutdSuite<FhirTest> {
 protected:
  static void SetUpTestSuite() {
    // A refusal that closes the connection mid-upload must fail the write,
    // not kill the test.
    std::signal(SIGPIPE, SIG_IGN);
    StartServer("fhir", {"--fhir_listen=127.0.0.1:0"});
  }

  // Sends `head` (request line and headers) and `body` over mutual TLS as
  // `identity` and returns all the server wrote back. For what an HTTP
  // client library would not show: the answer to a request whose upload the
  // server refused before it was sent in full.
  static std::string RawExchange(const std::string& identity, const std::string& head,
                                 const std::string& body) {
    const std::string certs = server_->work_dir() + "/certs/";
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_use_certificate_file(ctx, (certs + identity + ".pem").c_str(), SSL_FILETYPE_PEM);
    SSL_CTX_use_PrivateKey_file(ctx, (certs + identity + ".key").c_str(), SSL_FILETYPE_PEM);
    SSL_CTX_load_verify_locations(ctx, (certs + "ca.pem").c_str(), nullptr);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    BIO* bio = BIO_new_ssl_connect(ctx);
    const std::string target = absl::StrCat("127.0.0.1:", server_->fhir_port());
    BIO_set_conn_hostname(bio, target.c_str());
    std::string answer;
    if (BIO_do_connect(bio) == 1 && BIO_do_handshake(bio) == 1) {
      BIO_write(bio, head.data(), static_cast<int>(head.size()));
      BIO_write(bio, body.data(), static_cast<int>(body.size()));
      char buffer[4096];
      for (int n; (n = BIO_read(bio, buffer, sizeof(buffer))) > 0;) answer.append(buffer, n);
    }
    BIO_free_all(bio);
    SSL_CTX_free(ctx);
    return answer;
  }

  // A client presenting `identity`'s certificate ("" for none), trusting
  // the suite's CA.
  static std::unique_ptr<httplib::SSLClient> Client(const std::string& identity) {
    const std::string certs = server_->work_dir() + "/certs/";
    auto client = identity.empty()
                      ? std::make_unique<httplib::SSLClient>("127.0.0.1", server_->fhir_port())
                      : std::make_unique<httplib::SSLClient>("127.0.0.1", server_->fhir_port(),
                                                             certs + identity + ".pem",
                                                             certs + identity + ".key");
    client->set_ca_cert_path((certs + "ca.pem").c_str());
    client->enable_server_certificate_verification(true);
    client->set_read_timeout(30, 0);
    return client;
  }

  struct Reply {
    int status = 0;
    json body;
    std::string retry_after;
  };

  static Reply Post(const std::string& identity, const std::string& body) {
    httplib::Result result =
        Client(identity)->Post("/FHIR/R4/$process-message", body, "application/fhir+json");
    Reply reply;
    if (!result) {
      ADD_FAILURE() << "no answer: " << httplib::to_string(result.error());
      return reply;
    }
    reply.status = result->status;
    reply.body = json::parse(result->body, nullptr, /*allow_exceptions=*/false);
    reply.retry_after = result->get_header_value("Retry-After");
    EXPECT_EQ(result->get_header_value("Content-Type"), "application/fhir+json");
    return reply;
  }

  // The OperationOutcome the edge answers with one error issue.
  static json Outcome(const std::string& code, const std::string& bars_code,
                      const std::string& diagnostics, const std::string& expression) {
    json issue = {{"severity", "error"}, {"code", code}};
    if (!bars_code.empty()) {
      issue["details"] = {
          {"coding",
           {{{"system", "https://fhir.nhs.uk/CodeSystem/http-error-codes"}, {"code", bars_code}}}}};
    }
    issue["diagnostics"] = diagnostics;
    if (!expression.empty()) issue["expression"] = {expression};
    return {{"resourceType", "OperationOutcome"}, {"issue", {issue}}};
  }

  static const json* ServiceRequestIn(const json& bundle) {
    for (const json& entry : bundle["entry"]) {
      if (entry["resource"]["resourceType"] == "ServiceRequest") return &entry["resource"];
    }
    return nullptr;
  }
};

TEST_F(FhirTest, AGpReferralIsStoredQueuedAndLoggedLikeAGrpcOne) {
  ASSERT_GT(server_->fhir_port(), 0);
  const Reply reply = Post("gp", ReadExample("gp-referral.json"));
  ASSERT_EQ(reply.status, 200) << reply.body.dump(2);
  const json& header = reply.body["entry"][0]["resource"];
  EXPECT_EQ(header["resourceType"], "MessageHeader");
  EXPECT_EQ(header["eventCoding"]["code"], "servicerequest-response");
  EXPECT_EQ(header["response"]["identifier"], "4f8d3c52-0b6e-4a53-9d1e-6b2a7f1c9e01");
  EXPECT_EQ(header["response"]["code"], "ok");
  EXPECT_EQ(header["destination"][0]["endpoint"], "urn:nhs-uk:addressing:ods:Y99001");
  const json* request = ServiceRequestIn(reply.body);
  ASSERT_NE(request, nullptr);
  const std::string name = (*request)["identifier"][0]["value"];
  EXPECT_EQ(name, absl::StrCat("referrals/", (*request)["id"].get<std::string>()));
  EXPECT_EQ((*request)["performer"][0]["identifier"]["value"], "U99001");
  EXPECT_EQ((*request)["reasonCode"][0]["coding"][0]["code"], "267076002");
  EXPECT_EQ((*request)["reasonCode"][1]["coding"][0]["code"], "160932005");

  // The referral as gRPC shows it: the same pipeline stored and routed it.
  auto referrals = v1::ReferralService::NewStub(server_->Channel("gp"));
  v1::GetReferralRequest get;
  get.set_name(name);
  v1::Referral stored;
  ASSERT_TRUE(referrals->GetReferral(Context().get(), get, &stored).ok());
  EXPECT_EQ(stored.referrer().organisation_code(), "Y99001");
  EXPECT_EQ(stored.referrer().practitioner_name(), "Dr A Demo");
  EXPECT_EQ(stored.referrer().source_type(), v1::SOURCE_TYPE_GP_PRACTICE);
  EXPECT_EQ(stored.patient().registered_practice_code(), "Y99001");
  EXPECT_EQ(stored.patient().nhs_number_verification_status(),
            v1::NHS_NUMBER_VERIFICATION_STATUS_VERIFIED);
  EXPECT_TRUE(stored.consent().referral_agreed());
  EXPECT_TRUE(stored.consent().information_sharing_agreed());
  EXPECT_EQ(stored.route().pcn(), "pcns/U99001");

  auto queues = v1::QueueService::NewStub(server_->Channel("linkworker"));
  v1::ListQueueItemsRequest list;
  list.set_parent("pcns/U99001");
  list.set_page_size(100);
  v1::ListQueueItemsResponse items;
  ASSERT_TRUE(queues->ListQueueItems(Context().get(), list, &items).ok());
  bool queued = false;
  for (const v1::QueueItem& item : items.queue_items()) queued |= item.referral() == name;
  EXPECT_TRUE(queued) << name << " is not on pcns/U99001";

  auto admin = v1::AdminService::NewStub(server_->Channel("admin"));
  v1::QueryRoutingLogRequest query;
  query.set_page_size(100);
  v1::QueryRoutingLogResponse log;
  ASSERT_TRUE(admin->QueryRoutingLog(Context().get(), query, &log).ok());
  bool logged = false;
  for (const v1::RoutingDecision& decision : log.decisions()) logged |= decision.referral() == name;
  EXPECT_TRUE(logged) << name << " is not in the routing log";
}

TEST_F(FhirTest, AResentMessageIsAnsweredWithTheFirstReferral) {
  const std::string body = ReadExample("pharmacy-referral.json");
  const Reply first = Post("pharmacy", body);
  ASSERT_EQ(first.status, 200) << first.body.dump(2);
  const Reply again = Post("pharmacy", body);
  ASSERT_EQ(again.status, 200) << again.body.dump(2);
  EXPECT_EQ((*ServiceRequestIn(again.body))["id"], (*ServiceRequestIn(first.body))["id"]);
  EXPECT_NE(again.body.dump().find("this message was received before"), std::string::npos);
  // The local codes were mapped, and the answer says so.
  EXPECT_EQ((*ServiceRequestIn(first.body))["reasonCode"][0]["coding"][0]["code"], "267076002");
  EXPECT_NE(first.body.dump().find("reasonCode[0]: the local code was mapped to 267076002"),
            std::string::npos);
}

TEST_F(FhirTest, ASelfReferralNamesThePersonAsRequester) {
  const Reply reply = Post("self", ReadExample("self-referral.json"));
  ASSERT_EQ(reply.status, 200) << reply.body.dump(2);
  const json* request = ServiceRequestIn(reply.body);
  ASSERT_NE(request, nullptr);
  auto referrals = v1::ReferralService::NewStub(server_->Channel("self"));
  v1::GetReferralRequest get;
  get.set_name((*request)["identifier"][0]["value"]);
  v1::Referral stored;
  ASSERT_TRUE(referrals->GetReferral(Context().get(), get, &stored).ok());
  EXPECT_EQ(stored.referrer().source_type(), v1::SOURCE_TYPE_SELF_REFERRAL);
  // The free-text reason could not be coded with confidence: it is flagged.
  EXPECT_NE(reply.body.dump().find("a link worker will code it"), std::string::npos);
}

// Each kind of bad message in client/examples/fhir/invalid/, with the one
// answer it must get.
struct InvalidExample {
  const char* file;
  int http_status;
  const char* code;
  const char* bars_code;
  const char* diagnostics;
  const char* expression;
};

TEST_F(FhirTest, EachKindOfInvalidMessageGetsItsExactOperationOutcome) {
  const InvalidExample examples[] = {
      {"wrong-resource-type.json", 400, "invalid", "REC_BAD_REQUEST",
       "must be \"Bundle\" (a message Bundle as BaRS sends it), not \"ServiceRequest\"",
       "Bundle.resourceType"},
      {"missing-service-request.json", 400, "invalid", "REC_BAD_REQUEST",
       "\"ServiceRequest/sr-1\" is not in this Bundle: every resource a referral message "
       "references must be one of its entries",
       "Bundle.entry[0].resource.focus[0].reference"},
      {"bad-nhs-number.json", 422, "value", "REC_UNPROCESSABLE_ENTITY",
       "the NHS number's check digit is wrong (modulus 11); check the number against the "
       "patient record",
       "Bundle.entry[2].resource.identifier[0].value"},
      {"unknown-reason-code.json", 422, "value", "REC_UNPROCESSABLE_ENTITY",
       "the reason code is not in the loaded SNOMED CT release (starter 20251001); check the "
       "code, or send the reason as free text",
       "Bundle.entry[1].resource.reasonCode[0].coding[0].code"},
      {"malformed.json", 400, "structure", "REC_BAD_REQUEST",
       "the body is not JSON (byte 901): send a FHIR R4 message Bundle as "
       "application/fhir+json",
       ""},
  };
  for (const InvalidExample& example : examples) {
    SCOPED_TRACE(example.file);
    const Reply reply = Post("gp", ReadExample(absl::StrCat("invalid/", example.file)));
    EXPECT_EQ(reply.status, example.http_status);
    EXPECT_EQ(reply.body,
              Outcome(example.code, example.bars_code, example.diagnostics, example.expression));
  }
}

TEST_F(FhirTest, ATenMegabyteBodyIsRefusedUnread) {
  // The headers announce 10 MB; sproutd answers before the body arrives.
  const std::string answer =
      RawExchange("gp",
                  "POST /FHIR/R4/$process-message HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  "Content-Type: application/fhir+json\r\nContent-Length: 10485760\r\n\r\n",
                  std::string(64 << 10, ' '));
  ASSERT_EQ(answer.rfind("HTTP/1.1 413 ", 0), 0u) << answer;
  const size_t body = answer.find("\r\n\r\n");
  ASSERT_NE(body, std::string::npos);
  EXPECT_EQ(json::parse(answer.substr(body + 4)),
            Outcome("too-costly", "REC_BAD_REQUEST",
                    "the body is 10485760 bytes; at most 1048576 are taken", ""));
}

TEST_F(FhirTest, AClientWithoutACertificateIsForbidden) {
  const Reply reply = Post("", ReadExample("gp-referral.json"));
  EXPECT_EQ(reply.status, 403);
  EXPECT_EQ(reply.body, Outcome("forbidden", "REC_FORBIDDEN",
                                "mutual TLS: a client certificate issued by the Sprout CA is "
                                "required; connect with your organisation's certificate and key",
                                ""));
}

TEST_F(FhirTest, ALinkWorkerMayNotRefer) {
  const Reply reply = Post("linkworker", ReadExample("gp-referral.json"));
  EXPECT_EQ(reply.status, 403);
  EXPECT_EQ(reply.body["issue"][0]["code"], "forbidden");
}

TEST_F(FhirTest, AReferrerMayNotReferAsAnotherOrganisation) {
  const Reply reply = Post("police", ReadExample("gp-referral.json"));
  EXPECT_EQ(reply.status, 422);
  EXPECT_EQ(reply.body["issue"][0]["expression"][0],
            "Bundle.entry[5].resource.identifier[0].value");
}

// A referral in by FHIR, worked and closed over gRPC, read back by FHIR:
// the referrer sees where it is and how it ended, never the contact notes.
TEST_F(FhirTest, TheReferrerReadsItsReferralAndItsOutcomeBack) {
  json message = json::parse(ReadExample("gp-referral.json"));
  message["entry"][0]["resource"]["id"] = "e1d2c3b4-round-trip";
  const Reply submitted = Post("gp", message.dump());
  ASSERT_EQ(submitted.status, 200) << submitted.body.dump(2);
  const std::string id = (*ServiceRequestIn(submitted.body))["id"];
  const std::string name = "referrals/" + id;

  httplib::Result read = Client("gp")->Get("/FHIR/R4/ServiceRequest/" + id);
  ASSERT_TRUE(read);
  ASSERT_EQ(read->status, 200) << read->body;
  EXPECT_EQ(json::parse(read->body), *ServiceRequestIn(submitted.body));
  httplib::Result task = Client("gp")->Get("/FHIR/R4/Task?focus=ServiceRequest/" + id);
  ASSERT_TRUE(task);
  json found = json::parse(task->body);
  ASSERT_EQ(found["total"], 1) << task->body;
  EXPECT_EQ(found["entry"][0]["resource"]["status"], "requested");
  EXPECT_EQ(found["entry"][0]["resource"]["businessStatus"]["coding"][0]["code"], "QUEUED");
  EXPECT_EQ(found["entry"][0]["resource"]["owner"]["identifier"]["value"], "U99001");

  // The link worker claims, accepts, sees the person once and closes.
  auto lw = v1::QueueService::NewStub(server_->Channel("linkworker"));
  v1::ListQueueItemsRequest list;
  list.set_parent("pcns/U99001");
  list.set_page_size(500);
  v1::ListQueueItemsResponse items;
  ASSERT_TRUE(lw->ListQueueItems(Context().get(), list, &items).ok());
  std::string item;
  for (const v1::QueueItem& i : items.queue_items()) {
    if (i.referral() == name) item = i.name();
  }
  ASSERT_FALSE(item.empty());
  v1::ClaimReferralRequest claim;
  claim.set_name(item);
  v1::QueueItem claimed;
  ASSERT_TRUE(lw->ClaimReferral(Context().get(), claim, &claimed).ok());
  v1::AcceptReferralRequest accept;
  accept.set_name(name);
  v1::Referral referral;
  grpc::Status accepted = lw->AcceptReferral(Context().get(), accept, &referral);
  ASSERT_TRUE(accepted.ok()) << accepted.error_message();
  constexpr char kNotes[] = "Talked about the lunch club at St Aldhelm's";
  v1::RecordContactRequest contact;
  contact.set_parent(name);
  contact.set_request_id("fhir-round-trip-contact");
  contact.mutable_contact()->set_type(v1::CONTACT_TYPE_PHONE);
  contact.mutable_contact()->mutable_contact_time()->set_seconds(absl::ToUnixSeconds(absl::Now()) -
                                                                 60);
  contact.mutable_contact()->mutable_duration()->set_seconds(1200);
  contact.mutable_contact()->set_notes(kNotes);
  v1::Contact recorded;
  ASSERT_TRUE(lw->RecordContact(Context().get(), contact, &recorded).ok());
  v1::CloseReferralRequest close;
  close.set_name(name);
  close.mutable_outcome()->add_codes()->set_code("1230392000");
  close.mutable_outcome()->set_summary("Goes to the lunch club on Tuesdays");
  grpc::Status closed = lw->CloseReferral(Context().get(), close, &referral);
  ASSERT_TRUE(closed.ok()) << closed.error_message();

  task = Client("gp")->Get("/FHIR/R4/Task?focus=ServiceRequest/" + id);
  ASSERT_TRUE(task);
  found = json::parse(task->body);
  ASSERT_EQ(found["total"], 1) << task->body;
  const json& done = found["entry"][0]["resource"];
  EXPECT_EQ(done["status"], "completed");
  EXPECT_EQ(done["businessStatus"]["coding"][0]["code"], "CLOSED");
  EXPECT_EQ(done["output"][0]["valueCodeableConcept"]["coding"][0]["code"], "1230392000");
  EXPECT_EQ(task->body.find(kNotes), std::string::npos);
  EXPECT_EQ(task->body.find("lw-u99001"), std::string::npos);
  read = Client("gp")->Get("/FHIR/R4/ServiceRequest/" + id);
  ASSERT_TRUE(read);
  EXPECT_EQ(json::parse(read->body)["status"], "completed");
}

// Another organisation's referral reads exactly as one that does not exist.
TEST_F(FhirTest, AnotherOrganisationsReferralReadsAsMissing) {
  json message = json::parse(ReadExample("gp-referral.json"));
  message["entry"][0]["resource"]["id"] = "e1d2c3b4-not-yours";
  const Reply submitted = Post("gp", message.dump());
  ASSERT_EQ(submitted.status, 200);
  const std::string id = (*ServiceRequestIn(submitted.body))["id"];
  const std::string made_up = "01m0000000000000000000000z";
  httplib::Result theirs = Client("police")->Get("/FHIR/R4/ServiceRequest/" + id);
  httplib::Result missing = Client("police")->Get("/FHIR/R4/ServiceRequest/" + made_up);
  ASSERT_TRUE(theirs && missing);
  EXPECT_EQ(theirs->status, 404);
  EXPECT_EQ(missing->status, 404);
  std::string theirs_body = theirs->body;
  theirs_body.replace(theirs_body.find(id), id.size(), made_up);
  EXPECT_EQ(theirs_body, missing->body);
  httplib::Result task = Client("police")->Get("/FHIR/R4/Task?focus=ServiceRequest/" + id);
  ASSERT_TRUE(task);
  EXPECT_EQ(task->status, 200);
  EXPECT_EQ(json::parse(task->body)["total"], 0);
}

// A "delete" message withdraws the referral it names, as WithdrawReferral
// does: only the referring organisation's, once.
TEST_F(FhirTest, ACancellationWithdrawsTheReferral) {
  json message = json::parse(ReadExample("gp-referral.json"));
  message["entry"][0]["resource"]["id"] = "e1d2c3b4-to-cancel";
  const Reply submitted = Post("gp", message.dump());
  ASSERT_EQ(submitted.status, 200) << submitted.body.dump(2);
  const std::string name = (*ServiceRequestIn(submitted.body))["identifier"][0]["value"];
  std::string cancel = ReadExample("cancel.json");
  cancel.replace(cancel.find("referrals/REFERRAL-ID"), 21, name);

  const Reply not_theirs = Post("police", cancel);
  EXPECT_EQ(not_theirs.status, 404) << not_theirs.body.dump(2);
  const Reply cancelled = Post("gp", cancel);
  ASSERT_EQ(cancelled.status, 200) << cancelled.body.dump(2);
  EXPECT_EQ((*ServiceRequestIn(cancelled.body))["status"], "revoked");
  auto referrals = v1::ReferralService::NewStub(server_->Channel("gp"));
  v1::GetReferralRequest get;
  get.set_name(name);
  v1::Referral stored;
  ASSERT_TRUE(referrals->GetReferral(Context().get(), get, &stored).ok());
  EXPECT_EQ(stored.state(), v1::REFERRAL_STATE_WITHDRAWN);
  // A withdrawn referral cannot be withdrawn again.
  const Reply again = Post("gp", cancel);
  EXPECT_EQ(again.status, 422) << again.body.dump(2);
  // An amendment is refused, saying what to do instead.
  const Reply update = Post("gp", ReadExample("update.json"));
  EXPECT_EQ(update.status, 422);
  EXPECT_EQ(update.body["issue"][0]["code"], "not-supported");
}

TEST_F(FhirTest, TheCapabilityStatementNamesTheMessageItReceives) {
  httplib::Result result = Client("gp")->Get("/FHIR/R4/metadata");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 200);
  const json statement = json::parse(result->body);
  EXPECT_EQ(statement["resourceType"], "CapabilityStatement");
  EXPECT_EQ(statement["fhirVersion"], "4.0.1");
  EXPECT_EQ(statement["messaging"][0]["supportedMessage"][0]["definition"],
            "urn:sprout:MessageDefinition/social-prescribing-referral");
  httplib::Result definitions = Client("gp")->Get("/FHIR/R4/MessageDefinition");
  ASSERT_TRUE(definitions);
  EXPECT_EQ(json::parse(definitions->body)["entry"][0]["resource"]["eventCoding"]["code"],
            "servicerequest-request");
  httplib::Result unknown = Client("gp")->Get("/FHIR/R4/Nothing");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  EXPECT_EQ(json::parse(unknown->body)["issue"][0]["code"], "not-found");
}

TEST_F(FhirTest, RequestsAreCountedInTheMetricsByRouteAndStatus) {
  const std::string metadata = "sprout_fhir_requests_total{route=\"metadata\",status=\"200\"}";
  const std::string other = "sprout_fhir_requests_total{route=\"other\",status=\"404\"}";
  const double metadata_before =
      std::max(0.0, testing::ScrapeSample(server_->metrics_port(), metadata));
  const double other_before = std::max(0.0, testing::ScrapeSample(server_->metrics_port(), other));
  ASSERT_TRUE(Client("gp")->Get("/FHIR/R4/metadata"));
  ASSERT_TRUE(Client("gp")->Get("/FHIR/R4/Nothing"));
  // The access line (and the count) follows the answer: wait for it.
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (testing::ScrapeSample(server_->metrics_port(), other) < other_before + 1 &&
         absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_EQ(testing::ScrapeSample(server_->metrics_port(), metadata), metadata_before + 1);
  EXPECT_EQ(testing::ScrapeSample(server_->metrics_port(), other), other_before + 1);
}

}  // namespace
}  // namespace sprout
