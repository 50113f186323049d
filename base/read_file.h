// Reading small configuration and data files whole.
#ifndef SPROUT_BASE_READ_FILE_H_
#define SPROUT_BASE_READ_FILE_H_

#include <string>

#include "absl/status/statusor.h"

namespace sprout {

// ReadFileToString()
//
// The whole content of `path`. NOT_FOUND or PERMISSION_DENIED naming the path
// when it cannot be opened, DATA_LOSS when a read fails part-way.
absl::StatusOr<std::string> ReadFileToString(const std::string& path);

}  // namespace sprout

#endif  // SPROUT_BASE_READ_FILE_H_
