// File: snomed/cache.h
//
// The binary cache of a loaded release: every array of a TerminologyData
// written as a length- and checksum-prefixed blob after a header carrying a
// magic string, a format version, a fingerprint of the RF2 files it was built
// from and a checksum over the array checksums. Restoring reads each array
// straight into place, on two threads, and checks it.
//
// Layout (little-endian, as the host):
//   "SPROUTSNOMEDCACH" (16 bytes) | u32 version | u32 0 | u64 fingerprint hash |
//   u64 payload bytes | u64 chained checksum | payload
//   payload = for each array in a fixed order: u64 byte length, u64 checksum
//   of the bytes, the bytes, zero padding to 8.
//   chained checksum: c = 0; for each array: c = Mix(c ^ checksum) + length.
#ifndef SPROUT_SNOMED_CACHE_H_
#define SPROUT_SNOMED_CACHE_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "snomed/terminology_data.h"

namespace sprout::snomed {

// Bump whenever the layout or what the build computes (e.g. the default
// dialect) changes, so older caches are rebuilt rather than trusted.
inline constexpr uint32_t kCacheVersion = 5;

// WriteCache()
//
// Writes `data` to `path` atomically (a temporary file, then rename).
// `fingerprint` identifies the source files (any string; only its hash is
// stored). Returns an error if the file cannot be written.
absl::Status WriteCache(const std::string& path, absl::string_view fingerprint,
                        const TerminologyData& data);

// ReadCache()
//
// Restores data written by WriteCache. Returns NOT_FOUND if there is no file,
// FAILED_PRECONDITION if it is another version or another fingerprint (stale),
// DATA_LOSS if it is truncated, corrupt or its checksum does not match.
absl::StatusOr<TerminologyData> ReadCache(const std::string& path, absl::string_view fingerprint);

// Checksum64()
//
// The fast 64-bit checksum used for the payload (not cryptographic).
uint64_t Checksum64(const char* data, size_t size);

}  // namespace sprout::snomed

#endif  // SPROUT_SNOMED_CACHE_H_
