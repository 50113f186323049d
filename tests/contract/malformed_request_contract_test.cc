// Every method of the four services, sent a body that does not parse, answers
// INVALID_ARGUMENT with reason MALFORMED_REQUEST (rpc/request_parsing.h), never
// gRPC's bare UNIMPLEMENTED with an empty message: a string field holding
// bytes that are not UTF-8 (C3 28 FF FE) is named by its path in a
// google.rpc.BadRequest; a truncated body is refused saying so. The bodies
// go on the wire as raw bytes through a generic stub, as a client in another
// language with a Latin-1 string would send them. The methods are read from
// the services' descriptors, so a method added later is covered too.
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "gtest/gtest.h"
#include "sprout/v1/admin_service.grpc.pb.h"
#include "sprout/v1/queue_service.grpc.pb.h"
#include "sprout/v1/referral_service.grpc.pb.h"
#include "sprout/v1/terminology_service.grpc.pb.h"
#include "tests/contract/contract_helpers.h"
#include "tests/integration/sproutd_suite.h"

namespace sprout {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::MethodDescriptor;
using google::protobuf::Reflection;

// Four bytes that are not UTF-8, and a valid placeholder of the same length
// to set first so that no length prefix changes when they are swapped in.
constexpr char kNotUtf8[] = "\xC3\x28\xFF\xFE";
constexpr char kPlaceholder[] = "PLAC";

const Descriptor* TypeOf(const google::protobuf::ServiceDescriptor* service, int i) {
  return service->method(i)->input_type();
}

// Sets the first string field of `message` (depth first, in field order,
// through nested messages) to kPlaceholder; returns its path as the server
// names it ("referral.patient.given_name", "names[0]"), or nullopt when the
// type holds no string field.
std::optional<std::string> SetFirstString(Message& message, int depth = 0) {
  if (depth > 4) return std::nullopt;
  const Descriptor* type = message.GetDescriptor();
  const Reflection* reflection = message.GetReflection();
  for (int i = 0; i < type->field_count(); ++i) {
    const FieldDescriptor* field = type->field(i);
    if (field->type() == FieldDescriptor::TYPE_STRING) {
      if (field->is_repeated()) {
        reflection->AddString(&message, field, kPlaceholder);
        return field->name() + "[0]";
      }
      reflection->SetString(&message, field, kPlaceholder);
      return field->name();
    }
    if (field->type() != FieldDescriptor::TYPE_MESSAGE) continue;
    if (field->message_type()->full_name().rfind("google.protobuf.", 0) == 0) continue;
    Message* nested = field->is_repeated() ? reflection->AddMessage(&message, field)
                                           : reflection->MutableMessage(&message, field);
    if (std::optional<std::string> path = SetFirstString(*nested, depth + 1)) {
      return absl::StrCat(field->name(), field->is_repeated() ? "[0]" : "", ".", *path);
    }
    if (field->is_repeated()) {
      reflection->RemoveLast(&message, field);
    } else {
      reflection->ClearField(&message, field);
    }
  }
  return std::nullopt;
}

void* Tag(intptr_t n) { return reinterpret_cast<void*>(n); }

// Sends `body` as the one request message of `method` ("/pkg.Service/Method")
// and returns how the call ended. Works for unary and server-streaming
// methods alike (on the wire both are one request message, half-closed).
grpc::Status CallWithBody(const std::shared_ptr<grpc::Channel>& channel, const std::string& method,
                          const std::string& body) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  grpc::CompletionQueue cq;
  void* tag = nullptr;
  bool ok = false;
  std::unique_ptr<grpc::GenericClientAsyncReaderWriter> call =
      stub.PrepareCall(&context, method, &cq);
  call->StartCall(Tag(1));
  cq.Next(&tag, &ok);
  grpc::Slice slice(body);
  grpc::ByteBuffer request(&slice, 1);
  call->WriteLast(request, grpc::WriteOptions(), Tag(2));
  cq.Next(&tag, &ok);
  // A refused call sends no message; read until the stream ends.
  for (int messages = 0; messages < 1000; ++messages) {
    grpc::ByteBuffer reply;
    call->Read(&reply, Tag(3));
    cq.Next(&tag, &ok);
    if (!ok) break;
  }
  grpc::Status status;
  call->Finish(&status, Tag(4));
  cq.Next(&tag, &ok);
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  return status;
}

class MalformedRequestContractTest : public testing::SproutdSuite<MalformedRequestContractTest> {
 protected:
  static void SetUpTestSuite() { StartServer("contract_malformed"); }

  // The services' descriptors, from the generated code linked in.
  // (Reached through a request type of each file, so that the linker keeps
  // the file's generated descriptors.)
  static std::vector<const google::protobuf::ServiceDescriptor*> Services() {
    const std::vector<const google::protobuf::ServiceDescriptor*> services = {
        v1::SubmitReferralRequest::descriptor()->file()->FindServiceByName("ReferralService"),
        v1::ClaimReferralRequest::descriptor()->file()->FindServiceByName("QueueService"),
        v1::GetStatsRequest::descriptor()->file()->FindServiceByName("AdminService"),
        v1::GetConceptRequest::descriptor()->file()->FindServiceByName("TerminologyService")};
    for (const auto* service : services) EXPECT_NE(service, nullptr);
    return services;
  }

  // Calls `method` with `body` as the first demo identity whose role may
  // call it (the role check comes before the body is looked at, so a caller
  // who may not call a method learns nothing from its body).
  grpc::Status CallAsPermittedRole(const std::string& method, const std::string& body) {
    grpc::Status status;
    for (const char* identity : {"admin", "gp", "linkworker"}) {
      status = CallWithBody(server_->Channel(identity), method, body);
      if (status.error_code() != grpc::StatusCode::PERMISSION_DENIED) return status;
    }
    ADD_FAILURE() << method << " refused every role";
    return status;
  }
};

TEST_F(MalformedRequestContractTest, EveryMethodNamesTheStringFieldThatIsNotUtf8) {
  int checked = 0;
  for (const google::protobuf::ServiceDescriptor* service : Services()) {
    for (int i = 0; i < service->method_count(); ++i) {
      const MethodDescriptor* method = service->method(i);
      std::unique_ptr<Message> request(google::protobuf::MessageFactory::generated_factory()
                                           ->GetPrototype(TypeOf(service, i))
                                           ->New());
      const std::optional<std::string> field = SetFirstString(*request);
      if (!field.has_value()) continue;  // no string to spoil; the next test covers it
      std::string body = request->SerializeAsString();
      const size_t at = body.find(kPlaceholder);
      ASSERT_NE(at, std::string::npos) << method->full_name();
      body.replace(at, 4, kNotUtf8);
      const std::string path = absl::StrCat("/", service->full_name(), "/", method->name());
      SCOPED_TRACE(path + " with " + *field + " not UTF-8");
      const testing::Refusal refused =
          testing::ExpectInvalidField(CallAsPermittedRole(path, body), *field);
      EXPECT_EQ(testing::ReasonOf(refused), "MALFORMED_REQUEST");
      EXPECT_NE(refused.message().find("UTF-8"), std::string::npos) << refused.message();
      ++checked;
    }
  }
  EXPECT_GE(checked, 30) << "the services' methods were not all reached";
}

TEST_F(MalformedRequestContractTest, EveryMethodRefusesATruncatedBody) {
  // Field 1, length-delimited, says 5 bytes follow; 2 do.
  const std::string truncated(
      "\x0A\x05"
      "ab",
      4);
  int checked = 0;
  for (const google::protobuf::ServiceDescriptor* service : Services()) {
    for (int i = 0; i < service->method_count(); ++i) {
      const std::string path =
          absl::StrCat("/", service->full_name(), "/", service->method(i)->name());
      SCOPED_TRACE(path);
      const testing::Refusal refused = testing::ExpectRefusal(CallAsPermittedRole(path, truncated),
                                                              grpc::StatusCode::INVALID_ARGUMENT);
      EXPECT_EQ(testing::ReasonOf(refused), "MALFORMED_REQUEST");
      ++checked;
    }
  }
  EXPECT_GE(checked, 33);
}

}  // namespace
}  // namespace sprout
