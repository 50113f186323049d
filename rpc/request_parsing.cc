#include "rpc/request_parsing.h"

#include <grpcpp/impl/codegen/proto_buffer_reader.h>
#include <grpcpp/impl/codegen/proto_buffer_writer.h>

#include <map>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/message.h"
#include "google/protobuf/stubs/common.h"
#include "google/protobuf/unknown_field_set.h"
#include "google/protobuf/wire_format_lite.h"

namespace sprout::rpc {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::internal::WireFormatLite;

// The unknown field that carries a diagnosis from the deserializer to the
// handler: the highest field number protobuf allows, which no Sprout message
// declares. Its value is the field path, a NUL, then the description.
constexpr int kParseProblemField = (1 << 29) - 1;

// As deep as protobuf's own parser goes before it gives up.
constexpr int kMaxDepth = 100;

class WireDiagnosis {
 public:
  explicit WireDiagnosis(const std::string& bytes)
      : input_(reinterpret_cast<const uint8_t*>(bytes.data()), static_cast<int>(bytes.size())) {
    input_.SetRecursionLimit(kMaxDepth);
  }

  // Walks one message of type `type` up to the current limit; the first
  // problem found, or nullopt.
  std::optional<RequestParseProblem> Message(const Descriptor& type, const std::string& prefix,
                                             int depth) {
    if (depth > kMaxDepth) {
      return RequestParseProblem{prefix, absl::StrCat("nests messages more than ", kMaxDepth,
                                                      " deep; send a flatter request")};
    }
    std::map<int, int> seen;  // field number -> occurrences, for repeated paths
    while (true) {
      const uint32_t tag = input_.ReadTag();
      if (tag == 0) {
        // 0 is the end of the message (or of the bytes); anywhere else it
        // is a broken tag.
        if (input_.BytesUntilLimit() <= 0 || input_.ConsumedEntireMessage()) return std::nullopt;
        return Broken(prefix);
      }
      const int number = WireFormatLite::GetTagFieldNumber(tag);
      const FieldDescriptor* field = type.FindFieldByNumber(number);
      std::string path = absl::StrCat(prefix, prefix.empty() ? "" : ".",
                                      field != nullptr ? field->name() : absl::StrCat(number));
      if (field != nullptr && field->is_repeated()) {
        absl::StrAppend(&path, "[", seen[number]++, "]");
      }
      if (WireFormatLite::GetTagWireType(tag) != WireFormatLite::WIRETYPE_LENGTH_DELIMITED) {
        if (!WireFormatLite::SkipField(&input_, tag)) return Broken(path);
        continue;
      }
      uint32_t length = 0;
      if (!input_.ReadVarint32(&length)) return Broken(path);
      if (field != nullptr && field->type() == FieldDescriptor::TYPE_STRING) {
        std::string value;
        if (!input_.ReadString(&value, static_cast<int>(length))) return Broken(path);
        if (!google::protobuf::internal::IsStructurallyValidUTF8(value)) {
          return RequestParseProblem{
              path,
              "is not valid UTF-8 text; send text encoded as UTF-8 (a name or note from "
              "another system may need converting, e.g. from Latin-1)"};
        }
      } else if (field != nullptr && field->type() == FieldDescriptor::TYPE_MESSAGE) {
        const auto limit = input_.PushLimit(static_cast<int>(length));
        if (input_.BytesUntilLimit() < static_cast<int>(length)) return Broken(path);
        std::optional<RequestParseProblem> inner = Message(*field->message_type(), path, depth + 1);
        if (inner.has_value()) return inner;
        input_.PopLimit(limit);
      } else if (!input_.Skip(static_cast<int>(length))) {
        return Broken(path);
      }
    }
  }

 private:
  static RequestParseProblem Broken(const std::string& path) {
    return RequestParseProblem{
        path,
        "the request's bytes break off or are malformed here; send the message as your "
        "client's code generated from the published .proto files encodes it"};
  }

  google::protobuf::io::CodedInputStream input_;
};

std::string Flatten(grpc::ByteBuffer* buffer) {
  std::vector<grpc::Slice> slices;
  std::string bytes;
  if (!buffer->Dump(&slices).ok()) return bytes;
  for (const grpc::Slice& slice : slices) {
    bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  return bytes;
}

}  // namespace

std::optional<RequestParseProblem> DiagnoseRequestBytes(const std::string& bytes,
                                                        const google::protobuf::Message& type) {
  WireDiagnosis diagnosis(bytes);
  return diagnosis.Message(*type.GetDescriptor(), "", 0);
}

grpc::Status DeserializeRequest(grpc::ByteBuffer* buffer, grpc::protobuf::MessageLite* message) {
  if (buffer == nullptr) return grpc::Status(grpc::StatusCode::INTERNAL, "No payload");
  bool parsed = false;
  {
    grpc::ProtoBufferReader reader(buffer);
    if (!reader.status().ok()) return reader.status();
    parsed = message->ParseFromZeroCopyStream(&reader);
  }
  if (!parsed) {
    // Reading left the buffer whole, so its bytes can be walked again.
    Message* full = dynamic_cast<Message*>(message);
    if (full == nullptr) {
      buffer->Clear();
      return grpc::Status(grpc::StatusCode::INTERNAL, "the request body did not parse");
    }
    std::optional<RequestParseProblem> problem = DiagnoseRequestBytes(Flatten(buffer), *full);
    if (!problem.has_value()) {
      problem = RequestParseProblem{
          "", absl::StrCat("the request body is not a valid ", full->GetTypeName(),
                           " message; send the message your client's generated code encodes")};
    }
    full->Clear();
    full->GetReflection()->MutableUnknownFields(full)->AddLengthDelimited(
        kParseProblemField,
        absl::StrCat(problem->field, std::string(1, '\0'), problem->description));
  }
  buffer->Clear();
  return grpc::Status::OK;
}

grpc::Status SerializeRequest(const grpc::protobuf::MessageLite& message, grpc::ByteBuffer* buffer,
                              bool* own_buffer) {
  return grpc::GenericSerialize<grpc::ProtoBufferWriter, grpc::protobuf::MessageLite>(
      message, buffer, own_buffer);
}

std::optional<RequestParseProblem> ParseProblemOf(const google::protobuf::Message& request) {
  const google::protobuf::UnknownFieldSet& unknown =
      request.GetReflection()->GetUnknownFields(request);
  for (int i = 0; i < unknown.field_count(); ++i) {
    const google::protobuf::UnknownField& field = unknown.field(i);
    if (field.number() != kParseProblemField ||
        field.type() != google::protobuf::UnknownField::TYPE_LENGTH_DELIMITED) {
      continue;
    }
    const std::string& value = field.length_delimited();
    const size_t split = value.find('\0');
    if (split == std::string::npos) continue;
    return RequestParseProblem{value.substr(0, split), value.substr(split + 1)};
  }
  return std::nullopt;
}

}  // namespace sprout::rpc
