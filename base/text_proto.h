// Parsing configuration written in protobuf text format (routing policy,
// code maps, bindings), with errors that say where.
#ifndef SPROUT_BASE_TEXT_PROTO_H_
#define SPROUT_BASE_TEXT_PROTO_H_

#include <google/protobuf/message.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sprout {

// ParseTextProto()
//
// Parses `text` into *out (cleared first). On a syntax error or an unknown
// field returns INVALID_ARGUMENT "<origin>:<line>:<column>: <what>", 1-based,
// from the first error the parser reports, e.g.
//   "deploy/demo/bindings.textproto:7:3: Message type ... has no field named \"x\"."
absl::Status ParseTextProto(absl::string_view text, absl::string_view origin,
                            google::protobuf::Message* out);

// One configuration file of a directory, read whole.
struct TextProtoFile {
  std::string path;
  std::string contents;
};

// ReadTextProtoDirectory()
//
// Every regular "*.textproto" file directly in `dir`, in name order, read
// whole (a directory of code maps or lexicons). NOT_FOUND "<what> directory
// <dir>: <reason>" if the directory cannot be listed, NOT_FOUND "<file>:
// cannot be read" for a file. An empty directory gives an empty list.
absl::StatusOr<std::vector<TextProtoFile>> ReadTextProtoDirectory(const std::string& dir,
                                                                  absl::string_view what);

}  // namespace sprout

#endif  // SPROUT_BASE_TEXT_PROTO_H_
