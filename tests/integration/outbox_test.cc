// The message back to referrers end to end: the real sproutd (real SQLite,
// real mutual TLS) writes an outcome message in the transaction that
// accepts or closes a referral, and delivers it to the real
// sprout-fhir-receiver over HTTPS with Sprout's client certificate, after
// the receiver was down for a while and across a kill -9; a receiver that
// refuses a message makes it a dead letter, which an administrator
// redelivers; an organisation with no registered endpoint is recorded as
// such.
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "sprout/v1/admin_service.grpc.pb.h"
#include "tests/integration/fhir_receiver_process.h"
#include "tests/integration/lifecycle_steps.h"
#include "tests/integration/metrics_scrape.h"
#include "tests/integration/sproutd_process.h"
#include "tests/integration/sproutd_suite.h"
#include "tests/integration/test_referrals.h"

namespace sprout {
namespace {

namespace v1 = ::sprout::v1;
using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kNotes[] = "talked about her late husband and the allotment";
constexpr char kSummary[] = "Goes to the lunch club on Tuesdays";
constexpr char kPcn[] = "pcns/U99001";

std::string EndpointOf(int port) {
  return absl::StrCat("https://127.0.0.1:", port, "/FHIR/R4/$process-message");
}

class OutboxTest : public ::testing::Test {
 protected:
  // A fresh folder with the endpoints file `lines` and sproutd flags that
  // retry quickly.
  void SetUpFolder(const std::string& name, const std::string& lines) {
    dir_ = ::testing::TempDir() + "/" + name;
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ + "/endpoints.csv") << "# organisation,endpoint\n" << lines;
    flags_ = {"--message_back_endpoints=" + dir_ + "/endpoints.csv",
              "--message_back_initial_backoff=200ms", "--message_back_max_backoff=500ms"};
  }

  void StartSproutd() {
    absl::StatusOr<std::unique_ptr<testing::SproutdProcess>> started =
        testing::SproutdProcess::Start(dir_, flags_);
    ASSERT_TRUE(started.ok()) << started.status();
    server_ = *std::move(started);
    admin_ = v1::AdminService::NewStub(server_->Channel("admin"));
  }

  std::vector<v1::OutboxMessage> List(v1::OutboxMessageState state) {
    v1::ListOutboxMessagesRequest request;
    request.set_state(state);
    v1::ListOutboxMessagesResponse response;
    grpc::Status status =
        admin_->ListOutboxMessages(testing::ContextWithDeadline().get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return {response.messages().begin(), response.messages().end()};
  }

  // Waits (up to 30 s) until `done` holds for the messages in `state`.
  template <typename Predicate>
  std::vector<v1::OutboxMessage> AwaitMessages(v1::OutboxMessageState state, Predicate done) {
    const absl::Time deadline = absl::Now() + absl::Seconds(30);
    std::vector<v1::OutboxMessage> messages = List(state);
    while (!done(messages) && absl::Now() < deadline) {
      absl::SleepFor(absl::Milliseconds(100));
      messages = List(state);
    }
    return messages;
  }

  std::string dir_;
  std::vector<std::string> flags_;
  std::unique_ptr<testing::SproutdProcess> server_;
  std::unique_ptr<v1::AdminService::Stub> admin_;
};

TEST_F(OutboxTest, OutcomesReachTheGpAfterItsReceiverWasDownAndAcrossAKill9) {
  const int port = testing::FreeLoopbackPort();
  ASSERT_GT(port, 0);
  SetUpFolder("outbox_delivery", absl::StrCat("Y99001, ", EndpointOf(port), "\n"));
  ASSERT_NO_FATAL_FAILURE(StartSproutd());
  auto gp = v1::ReferralService::NewStub(server_->Channel("gp"));
  auto lw = v1::QueueService::NewStub(server_->Channel("linkworker"));

  absl::StatusOr<v1::Referral> submitted =
      testing::SubmitOver(*gp, testing::GpReferral(), "it-outbox-1");
  ASSERT_TRUE(submitted.ok()) << submitted.status();
  const std::string name = submitted->name();
  // Submission owes no message: the referrer has its answer.
  EXPECT_TRUE(List(v1::OUTBOX_MESSAGE_STATE_UNSPECIFIED).empty());
  absl::StatusOr<v1::Referral> accepted = testing::ClaimAndAccept(*lw, kPcn, name);
  ASSERT_TRUE(accepted.ok()) << accepted.status();
  ASSERT_TRUE(testing::RecordPhoneContact(*lw, name, "it-outbox-contact-1", kNotes).ok());
  absl::StatusOr<v1::Referral> closed = testing::CloseWithOutcome(*lw, name, kSummary);
  ASSERT_TRUE(closed.ok()) << closed.status();

  // The receiver is not there: both messages wait, retried with back-off.
  std::vector<v1::OutboxMessage> pending =
      AwaitMessages(v1::OUTBOX_MESSAGE_STATE_PENDING, [](const auto& messages) {
        if (messages.size() != 2) return false;
        for (const v1::OutboxMessage& m : messages) {
          if (m.attempts() < 2) return false;
        }
        return true;
      });
  ASSERT_EQ(pending.size(), 2u);
  EXPECT_EQ(pending[0].referral_state(), v1::REFERRAL_STATE_CLOSED);  // newest first
  EXPECT_EQ(pending[1].referral_state(), v1::REFERRAL_STATE_ACCEPTED);
  for (const v1::OutboxMessage& m : pending) {
    EXPECT_EQ(m.referral(), name);
    EXPECT_EQ(m.organisation_code(), "Y99001");
    EXPECT_THAT(m.last_error(), HasSubstr(absl::StrCat("could not connect to 127.0.0.1:", port)));
    EXPECT_TRUE(m.has_next_attempt_time());
  }

  // sproutd dies without a chance to flush anything; the receiver comes up.
  server_->Kill();
  server_.reset();
  absl::StatusOr<std::unique_ptr<testing::FhirReceiverProcess>> receiver =
      testing::FhirReceiverProcess::Start(dir_ + "/certs", dir_ + "/received", port);
  ASSERT_TRUE(receiver.ok()) << receiver.status();
  ASSERT_NO_FATAL_FAILURE(StartSproutd());

  std::vector<v1::OutboxMessage> delivered =
      AwaitMessages(v1::OUTBOX_MESSAGE_STATE_DELIVERED,
                    [](const auto& messages) { return messages.size() == 2; });
  ASSERT_EQ(delivered.size(), 2u);
  EXPECT_TRUE(List(v1::OUTBOX_MESSAGE_STATE_PENDING).empty());
  for (const v1::OutboxMessage& m : delivered) {
    EXPECT_TRUE(m.has_deliver_time());
    EXPECT_EQ(m.last_error(), "");
  }

  // What the GP received: the closing message, with the outcome and scores
  // and the summary for the referrer, the person by NHS number, and nothing
  // of the link worker's notes or name.
  const std::string closed_id = delivered[0].name().substr(delivered[0].name().find('/') + 1);
  std::vector<std::string> ids = (*receiver)->Received();
  ASSERT_EQ(ids.size(), 2u);
  const std::string text = (*receiver)->Message(closed_id);
  ASSERT_FALSE(text.empty()) << "the receiver saved no message " << closed_id;
  EXPECT_THAT(text, Not(HasSubstr(kNotes)));
  EXPECT_THAT(text, Not(HasSubstr("lw-u99001")));
  json bundle = json::parse(text);
  EXPECT_EQ(bundle["type"], "message");
  EXPECT_EQ(bundle["id"], closed_id);
  json header, task, patient;
  for (const json& entry : bundle["entry"]) {
    const std::string type = entry["resource"]["resourceType"];
    if (type == "MessageHeader") header = entry["resource"];
    if (type == "Task") task = entry["resource"];
    if (type == "Patient") patient = entry["resource"];
  }
  EXPECT_EQ(header["id"], closed_id);
  EXPECT_EQ(header["eventCoding"]["code"], "servicerequest-response");
  EXPECT_EQ(header["destination"][0]["endpoint"], EndpointOf(port));
  EXPECT_EQ(header["destination"][0]["receiver"]["identifier"]["value"], "Y99001");
  EXPECT_EQ(task["status"], "completed");
  EXPECT_EQ(task["businessStatus"]["coding"][0]["code"], "CLOSED");
  EXPECT_THAT(task["output"].dump(), HasSubstr("1230392000"));
  EXPECT_THAT(task["output"].dump(), HasSubstr(kSummary));
  EXPECT_THAT(task["output"].dump(), HasSubstr("wellbeing score"));
  EXPECT_EQ(patient["identifier"][0]["system"], "https://fhir.nhs.uk/Id/nhs-number");
  EXPECT_EQ(patient["identifier"][0]["value"], testing::GpReferral().patient().nhs_number());
  EXPECT_FALSE(patient.contains("name"));
  EXPECT_EQ(server_->Stop(), 0);
}

TEST_F(OutboxTest, ARefusedMessageIsADeadLetterUntilRedeliveredAndNoEndpointIsRecorded) {
  const int port = testing::FreeLoopbackPort();
  ASSERT_GT(port, 0);
  SetUpFolder("outbox_dead_letter", absl::StrCat("police:WYP,", EndpointOf(port), "\n"));
  ASSERT_NO_FATAL_FAILURE(StartSproutd());
  absl::StatusOr<std::unique_ptr<testing::FhirReceiverProcess>> refusing =
      testing::FhirReceiverProcess::Start(dir_ + "/certs", dir_ + "/received", port, 400);
  ASSERT_TRUE(refusing.ok()) << refusing.status();
  auto police = v1::ReferralService::NewStub(server_->Channel("police"));
  auto gp = v1::ReferralService::NewStub(server_->Channel("gp"));
  auto lw = v1::QueueService::NewStub(server_->Channel("linkworker"));

  // Registered with Northgate Surgery, so routed to the demo link worker's PCN.
  v1::Referral police_referral = testing::PoliceReferral();
  police_referral.mutable_patient()->set_registered_practice_code("Y99001");
  absl::StatusOr<v1::Referral> from_police =
      testing::SubmitOver(*police, police_referral, "it-outbox-police");
  ASSERT_TRUE(from_police.ok()) << from_police.status();
  absl::StatusOr<v1::Referral> police_accepted =
      testing::ClaimAndAccept(*lw, kPcn, from_police->name());
  ASSERT_TRUE(police_accepted.ok()) << police_accepted.status();
  std::vector<v1::OutboxMessage> dead = AwaitMessages(
      v1::OUTBOX_MESSAGE_STATE_DEAD_LETTER, [](const auto& messages) { return !messages.empty(); });
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].attempts(), 1);  // a 400 is not retried
  EXPECT_EQ(dead[0].organisation_code(), "police:WYP");
  EXPECT_THAT(dead[0].last_error(), HasSubstr("HTTP 400 from the receiver"));

  // The GP practice registered nothing here: recorded, not sent, not retried.
  absl::StatusOr<v1::Referral> from_gp =
      testing::SubmitOver(*gp, testing::GpReferral(testing::TestNhsNumber(2)), "it-outbox-gp");
  ASSERT_TRUE(from_gp.ok()) << from_gp.status();
  absl::StatusOr<v1::Referral> gp_accepted = testing::ClaimAndAccept(*lw, kPcn, from_gp->name());
  ASSERT_TRUE(gp_accepted.ok()) << gp_accepted.status();
  std::vector<v1::OutboxMessage> nowhere = AwaitMessages(
      v1::OUTBOX_MESSAGE_STATE_NO_ENDPOINT, [](const auto& messages) { return !messages.empty(); });
  ASSERT_EQ(nowhere.size(), 1u);
  EXPECT_EQ(nowhere[0].referral(), from_gp->name());
  EXPECT_THAT(nowhere[0].last_error(), HasSubstr("no message-back endpoint registered"));

  // The receiver is fixed; an administrator sends the dead letter again.
  refusing->reset();
  absl::StatusOr<std::unique_ptr<testing::FhirReceiverProcess>> fixed =
      testing::FhirReceiverProcess::Start(dir_ + "/certs", dir_ + "/received", port);
  ASSERT_TRUE(fixed.ok()) << fixed.status();
  v1::RedeliverOutboxMessageRequest redeliver;
  redeliver.set_name(dead[0].name());
  v1::OutboxMessage again;
  grpc::Status status =
      admin_->RedeliverOutboxMessage(testing::ContextWithDeadline().get(), redeliver, &again);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(again.state(), v1::OUTBOX_MESSAGE_STATE_PENDING);
  EXPECT_EQ(again.attempts(), 0);
  std::vector<v1::OutboxMessage> delivered = AwaitMessages(
      v1::OUTBOX_MESSAGE_STATE_DELIVERED, [](const auto& messages) { return !messages.empty(); });
  ASSERT_EQ(delivered.size(), 1u);
  EXPECT_EQ(delivered[0].name(), dead[0].name());
  EXPECT_EQ((*fixed)->Received().size(), 1u);
  // Operators see the same in the metrics.
  const int metrics_port = server_->metrics_port();
  EXPECT_EQ(testing::ScrapeSample(metrics_port, "sprout_outbox_attempts{result=\"delivered\"}"), 1);
  EXPECT_EQ(testing::ScrapeSample(metrics_port, "sprout_outbox_attempts{result=\"dead_letter\"}"),
            1);
  EXPECT_EQ(testing::ScrapeSample(metrics_port, "sprout_outbox_attempts{result=\"no_endpoint\"}"),
            1);

  redeliver.set_name("outboxMessages/no-such-message");
  status = admin_->RedeliverOutboxMessage(testing::ContextWithDeadline().get(), redeliver, &again);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  // Another caller may not see or touch the outbox.
  auto gp_admin = v1::AdminService::NewStub(server_->Channel("gp"));
  v1::ListOutboxMessagesResponse none;
  status = gp_admin->ListOutboxMessages(testing::ContextWithDeadline().get(), {}, &none);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(server_->Stop(), 0);
}

}  // namespace
}  // namespace sprout
