// File: server/lifecycle/queue_timing.cc
#include "server/lifecycle/queue_timing.h"

#include "absl/time/civil_time.h"
#include "server/common/england_time.h"
#include "server/common/proto_time.h"

namespace sprout::lifecycle {
namespace {

bool IsWeekend(absl::CivilDay day) {
  const absl::Weekday w = absl::GetWeekday(day);
  return w == absl::Weekday::saturday || w == absl::Weekday::sunday;
}

bool Lapsed(const sprout::v1::QueueItem& item, absl::Time now) {
  return item.state() == sprout::v1::QUEUE_ITEM_STATE_CLAIMED &&
         FromProtoTime(item.lease_expire_time()) <= now;
}

}  // namespace

absl::Time OverdueAt(absl::Time enqueued, int working_days) {
  const absl::TimeZone& zone = EnglandTimeZone();
  absl::CivilSecond start = absl::ToCivilSecond(enqueued, zone);
  absl::CivilDay day(start);
  if (IsWeekend(day)) {
    while (IsWeekend(day)) ++day;
    start = absl::CivilSecond(day);  // the clock starts on Monday at 00:00
  }
  for (int added = 0; added < working_days;) {
    ++day;
    if (!IsWeekend(day)) ++added;
  }
  const absl::CivilSecond due(day.year(), day.month(), day.day(), start.hour(), start.minute(),
                              start.second());
  return absl::FromCivil(due, zone);
}

bool IsOverdue(const sprout::v1::QueueItem& item, absl::Time now, const OverduePolicy& policy) {
  if (item.state() != sprout::v1::QUEUE_ITEM_STATE_WAITING && !Lapsed(item, now)) return false;
  const int days = item.priority() == sprout::v1::PRIORITY_URGENT ? policy.urgent_working_days
                                                                  : policy.routine_working_days;
  return now >= OverdueAt(FromProtoTime(item.enqueue_time()), days);
}

sprout::v1::QueueItem AsOf(sprout::v1::QueueItem item, absl::Time now,
                           const OverduePolicy& policy) {
  if (item.state() == sprout::v1::QUEUE_ITEM_STATE_DONE) return item;
  item.set_overdue(IsOverdue(item, now, policy));
  if (Lapsed(item, now)) {
    item.set_state(sprout::v1::QUEUE_ITEM_STATE_WAITING);
    item.clear_claimed_by();
    item.clear_lease_expire_time();
  }
  return item;
}

}  // namespace sprout::lifecycle
