// File: rpc/request_parsing.h
//
// How the server reads a request body, so that a body that does not parse
// gets INVALID_ARGUMENT naming the field rather than gRPC's answer.
//
// gRPC's callback server answers a request it cannot deserialize with
// UNIMPLEMENTED, an empty message and no details (see
// grpcpp/impl/codegen/server_callback_handlers.h), which tells the client
// nothing; the usual cause is a string field holding bytes that are not UTF-8
// (a name from a Latin-1 system), which proto3 refuses. For every Sprout
// request message, this header replaces gRPC's deserializer with one that,
// when the bytes do not parse, finds the first bad field from the wire bytes
// and hands the handler an empty request carrying that diagnosis;
// api::BeginCall() then refuses the call with INVALID_ARGUMENT and a
// BadRequest naming the field. Well-formed requests parse exactly as before.
//
// The generated *.grpc.pb.h headers include this one (protoc's
// additional_header_includes, proto/CMakeLists.txt), so every translation
// unit that instantiates a Sprout method handler or stub sees the same
// specializations.
#ifndef SPROUT_RPC_REQUEST_PARSING_H_
#define SPROUT_RPC_REQUEST_PARSING_H_

#include <grpcpp/impl/codegen/proto_utils.h>
#include <grpcpp/support/byte_buffer.h>

#include <optional>
#include <string>

namespace google::protobuf {
class Message;
}  // namespace google::protobuf

namespace sprout::rpc {

// Why a request body did not parse.
struct RequestParseProblem {
  // The field path, e.g. "referral.patient.given_name" or
  // "referral.reasons[1].text"; empty when no one field is to blame.
  std::string field;
  // What was wrong and how to fix it.
  std::string description;
};

// Parses `buffer` into `message`. When the bytes are not a valid message,
// returns OK all the same with `message` empty but for a marker holding the
// diagnosis, which ParseProblemOf() reads. Errors only when there is no
// payload at all.
grpc::Status DeserializeRequest(grpc::ByteBuffer* buffer, grpc::protobuf::MessageLite* message);

// gRPC's own serialization, unchanged (for the client side of the stubs).
grpc::Status SerializeRequest(const grpc::protobuf::MessageLite& message, grpc::ByteBuffer* buffer,
                              bool* own_buffer);

// The diagnosis DeserializeRequest() left in `request`, if its body did not
// parse.
std::optional<RequestParseProblem> ParseProblemOf(const google::protobuf::Message& request);

// Finds why `bytes` are not a valid `type` message: the first string field
// that is not UTF-8, or where the wire format breaks. nullopt if they parse.
// Exposed for tests.
std::optional<RequestParseProblem> DiagnoseRequestBytes(const std::string& bytes,
                                                        const google::protobuf::Message& type);

}  // namespace sprout::rpc

// Declares that gRPC reads `Type` with DeserializeRequest().
#define SPROUT_PARSE_REQUEST_WITH_DIAGNOSIS(Type)                               \
  namespace sprout::v1 {                                                        \
  class Type;                                                                   \
  }                                                                             \
  namespace grpc {                                                              \
  template <>                                                                   \
  class SerializationTraits<::sprout::v1::Type, void> {                         \
   public:                                                                      \
    static grpc::Status Serialize(const grpc::protobuf::MessageLite& message,   \
                                  grpc::ByteBuffer* buffer, bool* own_buffer) { \
      return ::sprout::rpc::SerializeRequest(message, buffer, own_buffer);      \
    }                                                                           \
    static grpc::Status Deserialize(grpc::ByteBuffer* buffer,                   \
                                    grpc::protobuf::MessageLite* message) {     \
      return ::sprout::rpc::DeserializeRequest(buffer, message);                \
    }                                                                           \
  };                                                                            \
  }

// Every request message of the four services. A method whose request is
// missing here answers a bad body with gRPC's bare UNIMPLEMENTED; the contract
// tests send one to every method.
SPROUT_PARSE_REQUEST_WITH_DIAGNOSIS(AcceptCodingProposalRequest)
SPROUT_PARSE_REQUEST_WITH_DIAGNOSIS(AcceptReferralRequest)
SPROUT_PARSE_REQUEST_WITH_DIAGNOSIS(ClaimReferralRequest)
SPROUT_PARSE_REQUEST_WITH_DIAGNOSIS(CloseReferralRequest)
SPROUT_PARSE_REQUEST_WITH_DIAGNOSIS(DeclineReferralRequest)
SPROUT_PARSE_REQUEST_WITH_DIAGNOSIS(ExpandEclRequest)
SPROUT_PARSE_REQUEST_WITH_DIAGNOSIS(GetCaseloadRequest)
SPROUT_PARSE_REQUEST_WITH_DIAGNOSIS(GetConceptRequest)
SPROUT_PARSE_REQUEST_WITH_DIAGNOSIS(GetReferralRequest)
SPROUT_PARSE_REQUEST_WITH_DIAGNOSIS(GetReleaseRequest)
SPROUT_PARSE_REQUEST_WITH_DIAGNOSIS(GetRoutingDecisionRequest)
SPROUT_PARSE_REQUEST_WITH_DIAGNOSIS(GetStatsRequest)
SPROUT_PARSE_REQUEST_WITH_DIAGNOSIS(ListAuditRecordsRequest)
SPROUT_PARSE_REQUEST_WITH_DIAGNOSIS(ListCodingProposalsRequest)
SPROUT_PARSE_REQUEST_WITH_DIAGNOSIS(ListLinkWorkersRequest)
SPROUT_PARSE_REQUEST_WITH_DIAGNOSIS(ListOutboxMessagesRequest)
SPROUT_PARSE_REQUEST_WITH_DIAGNOSIS(ListOverdueItemsRequest)
SPROUT_PARSE_REQUEST_WITH_DIAGNOSIS(ListPcnsRequest)
SPROUT_PARSE_REQUEST_WITH_DIAGNOSIS(ListQueueItemsRequest)
SPROUT_PARSE_REQUEST_WITH_DIAGNOSIS(ListReferralsRequest)
SPROUT_PARSE_REQUEST_WITH_DIAGNOSIS(QueryRoutingLogRequest)
SPROUT_PARSE_REQUEST_WITH_DIAGNOSIS(ReassignReferralRequest)
SPROUT_PARSE_REQUEST_WITH_DIAGNOSIS(RedeliverOutboxMessageRequest)
SPROUT_PARSE_REQUEST_WITH_DIAGNOSIS(RecordContactRequest)
SPROUT_PARSE_REQUEST_WITH_DIAGNOSIS(ReencryptPatientDataRequest)
SPROUT_PARSE_REQUEST_WITH_DIAGNOSIS(ReloadDirectoryRequest)
SPROUT_PARSE_REQUEST_WITH_DIAGNOSIS(ReloadTerminologyRequest)
SPROUT_PARSE_REQUEST_WITH_DIAGNOSIS(ResolveCodingReviewRequest)
SPROUT_PARSE_REQUEST_WITH_DIAGNOSIS(ReturnToTriageRequest)
SPROUT_PARSE_REQUEST_WITH_DIAGNOSIS(SearchConceptsRequest)
SPROUT_PARSE_REQUEST_WITH_DIAGNOSIS(SubmitReferralRequest)
SPROUT_PARSE_REQUEST_WITH_DIAGNOSIS(SubsumesRequest)
SPROUT_PARSE_REQUEST_WITH_DIAGNOSIS(TranslateCodeRequest)
SPROUT_PARSE_REQUEST_WITH_DIAGNOSIS(ValidateCodeRequest)
SPROUT_PARSE_REQUEST_WITH_DIAGNOSIS(ValidateReferralRequest)
SPROUT_PARSE_REQUEST_WITH_DIAGNOSIS(VerifyAuditLogRequest)
SPROUT_PARSE_REQUEST_WITH_DIAGNOSIS(WatchQueueRequest)
SPROUT_PARSE_REQUEST_WITH_DIAGNOSIS(WatchReferralRequest)
SPROUT_PARSE_REQUEST_WITH_DIAGNOSIS(WithdrawReferralRequest)

#undef SPROUT_PARSE_REQUEST_WITH_DIAGNOSIS

#endif  // SPROUT_RPC_REQUEST_PARSING_H_
