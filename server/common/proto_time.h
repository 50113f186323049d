// File: server/common/proto_time.h
//
// absl::Time to and from google.protobuf.Timestamp, in one place.
#ifndef SPROUT_SERVER_COMMON_PROTO_TIME_H_
#define SPROUT_SERVER_COMMON_PROTO_TIME_H_

#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"

namespace sprout {

// Exact to the nanosecond.
google::protobuf::Timestamp ToProtoTime(absl::Time t);

// The unset Timestamp is the Unix epoch.
absl::Time FromProtoTime(const google::protobuf::Timestamp& t);

}  // namespace sprout

#endif  // SPROUT_SERVER_COMMON_PROTO_TIME_H_
