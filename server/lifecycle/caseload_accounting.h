// File: server/lifecycle/caseload_accounting.h
//
// How a referral and its queue item count towards link workers' loads, which
// routing reads for capacity caps and fairness (DESIGN.md §3.4): open caseload
// (accepted or in progress), items waiting on their own queue, and referrals
// accepted in the NHS financial year (April to March). Both store backends
// apply these counts in the transaction that changes the referral, so routing
// sees a change at once.
#ifndef SPROUT_SERVER_LIFECYCLE_CASELOAD_ACCOUNTING_H_
#define SPROUT_SERVER_LIFECYCLE_CASELOAD_ACCOUNTING_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "sprout/v1/queue.pb.h"
#include "sprout/v1/referral.pb.h"

namespace sprout::lifecycle {

// The NHS financial year that `day` falls in, named by the calendar year it
// starts in: 2026-04-01 to 2027-03-31 is 2026.
int NhsFinancialYear(absl::CivilDay day);

// The same for an instant, on the calendar of England (Europe/London; UTC if
// the zone database is missing).
int NhsFinancialYear(absl::Time time);

// A change to one link worker's counters.
struct LoadDelta {
  std::string link_worker;  // "pcns/{pcn}/linkWorkers/{id}"
  int open_caseload = 0;    // -1, 0 or +1
  int waiting = 0;          // -1, 0 or +1
};

// A referral accepted by a link worker, counted in a financial year.
struct AcceptedCount {
  std::string link_worker;
  int financial_year = 0;
};

// What one change of a referral does to the counters.
struct LoadChange {
  std::vector<LoadDelta> loads;  // at most one per link worker, none all-zero
  std::optional<AcceptedCount> accepted;
};

// The counters' change when a referral goes from `before` to `after` (with
// its queue item from `item_before` to `item_after`) at `when`. Null
// `before`/`item_before` for a new submission; null `item_after` when the
// item did not change (then `item_before` stands for both).
LoadChange LoadChangeOf(const sprout::v1::Referral* before,
                        const sprout::v1::QueueItem* item_before, const sprout::v1::Referral& after,
                        const sprout::v1::QueueItem* item_after, absl::Time when);

// The counters' change when only a queue item changes (a claim, a lapse).
LoadChange ItemLoadChangeOf(const sprout::v1::QueueItem& before,
                            const sprout::v1::QueueItem& after);

}  // namespace sprout::lifecycle

#endif  // SPROUT_SERVER_LIFECYCLE_CASELOAD_ACCOUNTING_H_
