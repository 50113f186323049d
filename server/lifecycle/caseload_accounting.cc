// File: server/lifecycle/caseload_accounting.cc
#include "server/lifecycle/caseload_accounting.h"

#include <map>

#include "absl/strings/match.h"
#include "server/common/england_time.h"
#include "server/lifecycle/states.h"

namespace sprout::lifecycle {
namespace {

// The link worker queue an item waits on, or "" (pool, triage, claimed, done).
std::string WaitingOn(const sprout::v1::QueueItem* item) {
  if (item == nullptr || item->state() != sprout::v1::QUEUE_ITEM_STATE_WAITING ||
      !absl::StrContains(item->queue(), "/linkWorkers/")) {
    return "";
  }
  return item->queue();
}

// The link worker whose open caseload holds the referral, or "".
std::string OpenWith(const sprout::v1::Referral* referral) {
  if (referral == nullptr || !IsOpen(referral->state())) return "";
  return referral->route().link_worker();
}

}  // namespace

int NhsFinancialYear(absl::CivilDay day) {
  return static_cast<int>(day.month() >= 4 ? day.year() : day.year() - 1);
}

int NhsFinancialYear(absl::Time time) {
  return NhsFinancialYear(absl::ToCivilDay(time, EnglandTimeZone()));
}

namespace {

// Folds per-worker deltas, dropping those that cancel out.
class LoadTally {
 public:
  void Add(const std::string& worker, int open, int waiting) {
    if (worker.empty()) return;
    LoadDelta& d = by_worker_[worker];
    d.link_worker = worker;
    d.open_caseload += open;
    d.waiting += waiting;
  }
  std::vector<LoadDelta> Deltas() const {
    std::vector<LoadDelta> out;
    for (const auto& [worker, delta] : by_worker_) {
      if (delta.open_caseload != 0 || delta.waiting != 0) out.push_back(delta);
    }
    return out;
  }

 private:
  std::map<std::string, LoadDelta> by_worker_;
};

}  // namespace

LoadChange ItemLoadChangeOf(const sprout::v1::QueueItem& before,
                            const sprout::v1::QueueItem& after) {
  LoadTally tally;
  tally.Add(WaitingOn(&before), 0, -1);
  tally.Add(WaitingOn(&after), 0, 1);
  LoadChange change;
  change.loads = tally.Deltas();
  return change;
}

LoadChange LoadChangeOf(const sprout::v1::Referral* before,
                        const sprout::v1::QueueItem* item_before, const sprout::v1::Referral& after,
                        const sprout::v1::QueueItem* item_after, absl::Time when) {
  if (item_after == nullptr) item_after = item_before;
  LoadTally tally;
  tally.Add(OpenWith(before), -1, 0);
  tally.Add(OpenWith(&after), 1, 0);
  tally.Add(WaitingOn(before == nullptr ? nullptr : item_before), 0, -1);
  tally.Add(WaitingOn(item_after), 0, 1);
  LoadChange change;
  change.loads = tally.Deltas();
  const bool was_accepted = before != nullptr && IsAccepted(before->state());
  if (!was_accepted && IsAccepted(after.state()) && !after.route().link_worker().empty()) {
    change.accepted = AcceptedCount{after.route().link_worker(), NhsFinancialYear(when)};
  }
  return change;
}

}  // namespace sprout::lifecycle
