// File: server/sproutd_startup.h
//
// The parts of sproutd's start-up that need nothing but its options: the
// check of the options themselves, and loading the SNOMED CT release. Kept
// apart from sproutd.cc, which wires the loaded parts together.
#ifndef SPROUT_SERVER_SPROUTD_STARTUP_H_
#define SPROUT_SERVER_SPROUTD_STARTUP_H_

#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/sproutd.h"
#include "snomed/terminology.h"

namespace sprout {

// CheckSproutdOptions()
//
// INVALID_ARGUMENT naming the flag and what it must be, for the first
// option that cannot work; OK otherwise. Nothing is read or opened.
absl::Status CheckSproutdOptions(const SproutdOptions& options);

// LoadStartupTerminology()
//
// Loads the release from --snomed_release (through --snomed_cache when
// set, whose folder is made private), logs what was loaded, module by
// module, and sets *load_time. Errors are prefixed "SNOMED release: ".
absl::StatusOr<std::shared_ptr<const snomed::Terminology>> LoadStartupTerminology(
    const SproutdOptions& options, absl::Duration* load_time);

}  // namespace sprout

#endif  // SPROUT_SERVER_SPROUTD_STARTUP_H_
