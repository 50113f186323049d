#include "server/common/england_time.h"

namespace sprout {

const absl::TimeZone& EnglandTimeZone() {
  static const absl::TimeZone* const zone = [] {
    auto* loaded = new absl::TimeZone();
    if (!absl::LoadTimeZone("Europe/London", loaded)) *loaded = absl::UTCTimeZone();
    return loaded;
  }();
  return *zone;
}

}  // namespace sprout
