// The PostgreSQL store's reads for the referral lifecycle: a referral's queue
// item, a link worker's open caseload, a referral's contacts.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "server/store/postgres/pg_store_impl.h"

namespace sprout::store::postgres {
namespace {

// Every row's column 0 parsed as a `Message`.
template <typename Message>
absl::Status ParseBodies(const Result& r, absl::string_view what, std::vector<Message>* out) {
  out->clear();
  for (int i = 0; i < r.rows(); ++i) {
    if (!out->emplace_back().ParseFromString(std::string(r.Bytes(i, 0)))) {
      return absl::DataLossError(absl::StrCat("a stored ", what, " is unreadable"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::optional<sprout::v1::QueueItem>> PostgresStoreImpl::GetQueueItemOfReferral(
    absl::string_view referral_id) {
  std::vector<sprout::v1::QueueItem> items;
  SPROUT_RETURN_IF_ERROR(Read([&](Connection& db) -> absl::Status {
    SPROUT_ASSIGN_OR_RETURN(Result r, db.Run("SELECT body FROM queue_items WHERE referral_id = $1 "
                                             "ORDER BY sequence DESC LIMIT 1",
                                             Params().Text(referral_id)));
    return ParseBodies(r, "queue item", &items);
  }));
  if (items.empty()) return std::nullopt;
  return std::move(items.front());
}

absl::StatusOr<std::vector<sprout::v1::Referral>> PostgresStoreImpl::ListOpenReferrals(
    absl::string_view link_worker) {
  std::vector<sprout::v1::Referral> out;
  SPROUT_RETURN_IF_ERROR(Read([&](Connection& db) -> absl::Status {
    SPROUT_ASSIGN_OR_RETURN(Result r, db.Run("SELECT body FROM referrals WHERE link_worker = $1 "
                                             "AND state IN (3, 6) ORDER BY pk",
                                             Params().Text(link_worker)));
    return ParseBodies(r, "referral", &out);
  }));
  return out;
}

absl::StatusOr<std::vector<sprout::v1::Contact>> PostgresStoreImpl::ListContacts(
    absl::string_view referral_id) {
  std::vector<sprout::v1::Contact> out;
  SPROUT_RETURN_IF_ERROR(Read([&](Connection& db) -> absl::Status {
    SPROUT_ASSIGN_OR_RETURN(
        Result r, db.Run("SELECT body FROM contacts WHERE referral_id = $1 ORDER BY number",
                         Params().Text(referral_id)));
    return ParseBodies(r, "contact", &out);
  }));
  return out;
}

}  // namespace sprout::store::postgres
