#include "base/clock.h"

namespace sprout {

const Clock* RealClock() {
  static const SystemClock* const clock = new SystemClock();
  return clock;
}

}  // namespace sprout
