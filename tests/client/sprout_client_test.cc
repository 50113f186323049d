#include "client/sprout_client.h"

#include <map>
#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "grpcpp/test/client_context_test_peer.h"
#include "grpcpp/test/mock_stream.h"
#include "gtest/gtest.h"
#include "rpc/status_conversion.h"
#include "sprout/v1/queue_service_mock.grpc.pb.h"
#include "sprout/v1/referral_service_mock.grpc.pb.h"

namespace sprout::client {
namespace {

using ::testing::_;
using ::testing::DoAll;
using ::testing::Invoke;
using ::testing::Return;
using ::testing::SetArgPointee;
using ::testing::StrictMock;

// A client over a strict mock ReferralService stub (returned for expectations).
std::pair<std::unique_ptr<SproutClient>, StrictMock<v1::MockReferralServiceStub>*> ClientWithMock(
    ClientOptions options = ClientOptions()) {
  auto mock = std::make_unique<StrictMock<v1::MockReferralServiceStub>>();
  auto* raw = mock.get();
  SproutClient::Stubs stubs;
  stubs.referral = std::move(mock);
  return {std::make_unique<SproutClient>(nullptr, std::move(stubs), options), raw};
}

TEST(SproutClientTest, MissingStubIsFailedPrecondition) {
  SproutClient client(nullptr, SproutClient::Stubs(), ClientOptions());
  EXPECT_EQ(client.GetReferral(v1::GetReferralRequest()).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(client.ListQueueItems(v1::ListQueueItemsRequest()).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(client.Health("").status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(SproutClientTest, ReturnsTheResponse) {
  auto [client, mock] = ClientWithMock();
  v1::Referral referral;
  referral.set_name("referrals/r1");
  EXPECT_CALL(*mock, GetReferral(_, _, _))
      .WillOnce(DoAll(SetArgPointee<2>(referral), Return(grpc::Status::OK)));
  auto r = client->GetReferral(v1::GetReferralRequest());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->name(), "referrals/r1");
}

TEST(SproutClientTest, ErrorDetailsArriveAsPayloads) {
  auto [client, mock] = ClientWithMock();
  absl::Status refused = absl::InvalidArgumentError("bad");
  google::rpc::BadRequest bad;
  bad.add_field_violations()->set_field("referral.patient.nhs_number");
  rpc::SetStatusDetail(refused, bad);
  EXPECT_CALL(*mock, SubmitReferral(_, _, _)).WillOnce(Return(rpc::ToGrpcStatus(refused)));
  auto r = client->SubmitReferral(v1::SubmitReferralRequest());
  ASSERT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  auto detail = rpc::GetStatusDetail<google::rpc::BadRequest>(r.status());
  ASSERT_TRUE(detail.has_value());
  EXPECT_EQ(detail->field_violations(0).field(), "referral.patient.nhs_number");
}

// Options whose retries wait only a millisecond, so tests stay fast.
ClientOptions QuickRetries() {
  ClientOptions options;
  options.retry.initial_backoff = absl::Milliseconds(1);
  options.retry.max_backoff = absl::Milliseconds(1);
  return options;
}

TEST(SproutClientTest, AReadIsRepeatedWhileTheServerIsUnavailable) {
  auto [client, mock] = ClientWithMock(QuickRetries());
  EXPECT_CALL(*mock, GetReferral(_, _, _))
      .WillOnce(Return(grpc::Status(grpc::StatusCode::UNAVAILABLE, "connection refused")))
      .WillOnce(Return(grpc::Status(grpc::StatusCode::UNAVAILABLE, "connection refused")))
      .WillOnce(Return(grpc::Status::OK));
  EXPECT_TRUE(client->GetReferral(v1::GetReferralRequest()).ok());
}

TEST(SproutClientTest, RetriesStopAtMaxAttempts) {
  auto [client, mock] = ClientWithMock(QuickRetries());
  EXPECT_CALL(*mock, GetReferral(_, _, _))
      .Times(4)
      .WillRepeatedly(Return(grpc::Status(grpc::StatusCode::UNAVAILABLE, "down")));
  EXPECT_EQ(client->GetReferral(v1::GetReferralRequest()).status().code(),
            absl::StatusCode::kUnavailable);
}

TEST(SproutClientTest, ASubmissionIsRepeatedOnlyWithItsRequestId) {
  auto [client, mock] = ClientWithMock(QuickRetries());
  v1::SubmitReferralRequest keyed;
  keyed.set_request_id("req-1");
  EXPECT_CALL(*mock, SubmitReferral(_, _, _))
      .WillOnce(Return(grpc::Status(grpc::StatusCode::UNAVAILABLE, "down")))
      .WillOnce(Return(grpc::Status::OK))
      .WillOnce(Return(grpc::Status(grpc::StatusCode::UNAVAILABLE, "down")));
  EXPECT_TRUE(client->SubmitReferral(keyed).ok());
  // Without a request_id a repeat could make a second referral: one attempt.
  EXPECT_EQ(client->SubmitReferral(v1::SubmitReferralRequest()).status().code(),
            absl::StatusCode::kUnavailable);
}

TEST(SproutClientTest, AWithdrawalIsNotRepeated) {
  auto [client, mock] = ClientWithMock(QuickRetries());
  EXPECT_CALL(*mock, WithdrawReferral(_, _, _))
      .WillOnce(Return(grpc::Status(grpc::StatusCode::UNAVAILABLE, "down")));
  EXPECT_EQ(client->WithdrawReferral(v1::WithdrawReferralRequest()).status().code(),
            absl::StatusCode::kUnavailable);
}

TEST(SproutClientTest, RetriesFitInsideTheDeadline) {
  ClientOptions options;
  options.deadline = absl::Milliseconds(50);
  options.retry.initial_backoff = absl::Seconds(1);  // longer than the deadline left
  auto [client, mock] = ClientWithMock(options);
  EXPECT_CALL(*mock, GetReferral(_, _, _))
      .WillOnce(Return(grpc::Status(grpc::StatusCode::UNAVAILABLE, "down")));
  const absl::Time start = absl::Now();
  EXPECT_EQ(client->GetReferral(v1::GetReferralRequest()).status().code(),
            absl::StatusCode::kUnavailable);
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(500));
}

TEST(SproutClientTest, DevPrincipalHeaderOnlyWhenInsecure) {
  ClientOptions options;
  options.dev_principal = "urn:sprout:org:Y99001:role:referrer";
  for (bool insecure : {true, false}) {
    options.insecure = insecure;
    auto [client, mock] = ClientWithMock(options);
    std::multimap<std::string, std::string> sent;
    EXPECT_CALL(*mock, GetReferral(_, _, _))
        .WillOnce(DoAll(
            Invoke([&](grpc::ClientContext* ctx, const v1::GetReferralRequest&, v1::Referral*) {
              sent = grpc::testing::ClientContextTestPeer(ctx).GetSendInitialMetadata();
            }),
            Return(grpc::Status::OK)));
    ASSERT_TRUE(client->GetReferral(v1::GetReferralRequest()).ok());
    EXPECT_EQ(sent.count("x-sprout-principal"), insecure ? 1u : 0u);
  }
}

v1::ReferralEvent Event(int64_t sequence) {
  v1::ReferralEvent e;
  e.set_referral("referrals/r1");
  e.set_sequence(sequence);
  return e;
}

TEST(SproutClientTest, WatchStopsWhenTheHandlerDeclines) {
  auto [client, mock] = ClientWithMock();
  auto* reader = new grpc::testing::MockClientReader<v1::ReferralEvent>();
  EXPECT_CALL(*reader, Read(_))
      .WillOnce(DoAll(SetArgPointee<0>(Event(1)), Return(true)))
      .WillOnce(DoAll(SetArgPointee<0>(Event(2)), Return(true)));
  // After a cancel the stream ends CANCELLED: that is the watcher's choice, not an error.
  EXPECT_CALL(*reader, Finish())
      .WillOnce(Return(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled")));
  EXPECT_CALL(*mock, WatchReferralRaw(_, _)).WillOnce(Return(reader));
  std::vector<int64_t> seen;
  absl::Status s =
      client->WatchReferral(v1::WatchReferralRequest(), [&](const v1::ReferralEvent& e) {
        seen.push_back(e.sequence());
        return e.sequence() < 2;
      });
  EXPECT_TRUE(s.ok()) << s;
  EXPECT_EQ(seen, (std::vector<int64_t>{1, 2}));
}

TEST(SproutClientTest, WatchReturnsTheStreamError) {
  auto [client, mock] = ClientWithMock();
  auto* reader = new grpc::testing::MockClientReader<v1::ReferralEvent>();
  EXPECT_CALL(*reader, Read(_)).WillOnce(Return(false));
  EXPECT_CALL(*reader, Finish())
      .WillOnce(Return(grpc::Status(grpc::StatusCode::UNAVAILABLE, "server went away")));
  EXPECT_CALL(*mock, WatchReferralRaw(_, _)).WillOnce(Return(reader));
  absl::Status s = client->WatchReferral(v1::WatchReferralRequest(),
                                         [](const v1::ReferralEvent&) { return true; });
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(s.message(), "server went away");
}

TEST(SproutClientTest, CreateRefusesTlsWithoutCa) {
  ClientOptions options;
  EXPECT_EQ(SproutClient::Create(options).status().code(), absl::StatusCode::kInvalidArgument);
  options.ca_file = "/nonexistent/ca.pem";
  EXPECT_EQ(SproutClient::Create(options).status().code(), absl::StatusCode::kNotFound);
  options.insecure = true;  // plaintext needs no files and does not connect yet
  EXPECT_TRUE(SproutClient::Create(options).ok());
}

}  // namespace
}  // namespace sprout::client
