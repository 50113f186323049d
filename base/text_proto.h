// Parsing configuration written in protobuf text format (routing policy,
// code maps, bindings), with errors that say where.
#ifndef SPROUT_BASE_TEXT_PROTO_H_
#define SPROUT_BASE_TEXT_PROTO_H_

#include <google/protobuf/message.h>

#include "absl/status/status.h"
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

}  // namespace sprout

#endif  // SPROUT_BASE_TEXT_PROTO_H_
