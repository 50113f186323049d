// File: server/store/names.h
//
// Resource-name and time helpers shared by the Store backends.
#ifndef SPROUT_SERVER_STORE_NAMES_H_
#define SPROUT_SERVER_STORE_NAMES_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/timestamp.pb.h"

namespace sprout::store {

// The id in "{collection}/{id}", e.g. IdFromName("referrals/abc", "referrals")
// is "abc". INVALID_ARGUMENT naming `field` when the name has another shape.
absl::StatusOr<std::string> IdFromName(absl::string_view name, absl::string_view collection,
                                       absl::string_view field);

// The PCN code of a queue: "pcns/X" and "pcns/X/linkWorkers/Y" give "X"; any
// other queue (e.g. "triageQueues/...") gives "".
std::string PcnCodeOfQueue(absl::string_view queue);

// True for a PCN pool queue "pcns/X" (not a link worker's queue).
bool IsPcnPoolQueue(absl::string_view queue);

// Whole microseconds since the Unix epoch.
int64_t TimestampMicros(const google::protobuf::Timestamp& t);

}  // namespace sprout::store

#endif  // SPROUT_SERVER_STORE_NAMES_H_
