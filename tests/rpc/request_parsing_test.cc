// How the server reads request bodies: a body that does not parse (a string
// that is not UTF-8, broken wire bytes) reaches the handler as a diagnosis
// naming the field, never as gRPC's bare UNIMPLEMENTED.
#include "rpc/request_parsing.h"

#include <grpcpp/support/byte_buffer.h>

#include "gtest/gtest.h"
#include "sprout/v1/referral_service.pb.h"

namespace sprout::rpc {
namespace {

using sprout::v1::SubmitReferralRequest;

// A request whose given_name is replaced, on the wire, by `bytes`.
std::string WithGivenName(const std::string& bytes, int reasons = 0) {
  SubmitReferralRequest request;
  request.set_request_id("req-1");
  for (int i = 0; i < reasons; ++i)
    request.mutable_referral()->add_reasons()->set_free_text("lonely");
  request.mutable_referral()->mutable_patient()->set_given_name("PLACEHOLDER");
  std::string wire = request.SerializeAsString();
  const size_t at = wire.find("PLACEHOLDER");
  // The placeholder and the replacement have the same length, so no length
  // prefix changes.
  EXPECT_EQ(bytes.size(), 11u);
  return wire.replace(at, 11, bytes);
}

grpc::ByteBuffer BufferOf(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

TEST(RequestParsingTest, WellFormedRequestsParseAsBefore) {
  SubmitReferralRequest sent;
  sent.set_request_id("req-1");
  sent.mutable_referral()->mutable_patient()->set_given_name("Zoë");
  grpc::ByteBuffer buffer = BufferOf(sent.SerializeAsString());
  SubmitReferralRequest got;
  ASSERT_TRUE(DeserializeRequest(&buffer, &got).ok());
  EXPECT_EQ(got.referral().patient().given_name(), "Zoë");
  EXPECT_FALSE(ParseProblemOf(got).has_value());
}

TEST(RequestParsingTest, InvalidUtf8NamesTheField) {
  grpc::ByteBuffer buffer =
      BufferOf(WithGivenName(std::string("\xC3\x28\xFF\xFE"
                                         "abcdefg")));
  SubmitReferralRequest got;
  ASSERT_TRUE(DeserializeRequest(&buffer, &got).ok());
  std::optional<RequestParseProblem> problem = ParseProblemOf(got);
  ASSERT_TRUE(problem.has_value());
  EXPECT_EQ(problem->field, "referral.patient.given_name");
  EXPECT_NE(problem->description.find("UTF-8"), std::string::npos);
  // Nothing of the bad request is handed on.
  EXPECT_TRUE(got.request_id().empty());
}

TEST(RequestParsingTest, RepeatedFieldsAreIndexed) {
  SubmitReferralRequest request;
  request.mutable_referral()->add_reasons()->set_free_text("lonely");
  request.mutable_referral()->add_reasons()->set_free_text("PLACEHOLDER");
  std::string wire = request.SerializeAsString();
  wire.replace(wire.find("PLACEHOLDER"), 11, std::string("caf\xE9 moneys"));
  std::optional<RequestParseProblem> problem = DiagnoseRequestBytes(wire, request);
  ASSERT_TRUE(problem.has_value());
  EXPECT_EQ(problem->field, "referral.reasons[1].free_text");
}

TEST(RequestParsingTest, TruncatedBytesAreMalformedNotUtf8) {
  std::string wire = WithGivenName("abcdefghijk");
  wire.resize(wire.size() - 4);
  grpc::ByteBuffer buffer = BufferOf(wire);
  SubmitReferralRequest got;
  ASSERT_TRUE(DeserializeRequest(&buffer, &got).ok());
  std::optional<RequestParseProblem> problem = ParseProblemOf(got);
  ASSERT_TRUE(problem.has_value());
  EXPECT_EQ(problem->description.find("UTF-8"), std::string::npos);
  EXPECT_NE(problem->description.find("malformed"), std::string::npos);
}

TEST(RequestParsingTest, DiagnosisFindsNothingInGoodBytes) {
  EXPECT_FALSE(
      DiagnoseRequestBytes(WithGivenName("abcdefghijk", 2), SubmitReferralRequest()).has_value());
}

}  // namespace
}  // namespace sprout::rpc
