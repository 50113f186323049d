// The PostgreSQL store's reads for the referral lifecycle: a referral's queue
// item, a link worker's open caseload, a referral's contacts.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "server/store/postgres/pg_store_impl.h"

namespace sprout::store::postgres {
namespace {

// Every row of `r`, whose columns are (row key, body), opened as a
// `Message`; `record_of(r, i)` names the row the body was sealed for.
template <typename Message, typename RecordOf>
absl::Status OpenBodies(const BodyCipher& cipher, const Result& r, RecordOf record_of,
                        std::vector<Message>* out) {
  out->clear();
  for (int i = 0; i < r.rows(); ++i) {
    SPROUT_RETURN_IF_ERROR(
        cipher.OpenMessage(record_of(r, i), r.Bytes(i, 1), &out->emplace_back()));
  }
  return absl::OkStatus();
}

std::string QueueItemRecordOf(const Result& r, int i) { return QueueItemRecord(r.Bytes(i, 0)); }
std::string ReferralRecordOf(const Result& r, int i) { return ReferralRecord(r.Bytes(i, 0)); }

}  // namespace

absl::StatusOr<std::optional<sprout::v1::QueueItem>> PostgresStoreImpl::GetQueueItemOfReferral(
    absl::string_view referral_id) {
  std::vector<sprout::v1::QueueItem> items;
  SPROUT_RETURN_IF_ERROR(Read([&](Connection& db) -> absl::Status {
    SPROUT_ASSIGN_OR_RETURN(Result r,
                            db.Run("SELECT id, body FROM queue_items WHERE referral_id = $1 "
                                   "ORDER BY sequence DESC LIMIT 1",
                                   Params().Text(referral_id)));
    return OpenBodies(cipher(), r, QueueItemRecordOf, &items);
  }));
  if (items.empty()) return std::nullopt;
  return std::move(items.front());
}

absl::StatusOr<std::vector<sprout::v1::Referral>> PostgresStoreImpl::ListOpenReferrals(
    absl::string_view link_worker) {
  std::vector<sprout::v1::Referral> out;
  SPROUT_RETURN_IF_ERROR(Read([&](Connection& db) -> absl::Status {
    SPROUT_ASSIGN_OR_RETURN(Result r,
                            db.Run("SELECT id, body FROM referrals WHERE link_worker = $1 "
                                   "AND state IN (3, 6) ORDER BY pk",
                                   Params().Text(link_worker)));
    return OpenBodies(cipher(), r, ReferralRecordOf, &out);
  }));
  return out;
}

absl::StatusOr<std::vector<sprout::v1::Contact>> PostgresStoreImpl::ListContacts(
    absl::string_view referral_id) {
  std::vector<sprout::v1::Contact> out;
  SPROUT_RETURN_IF_ERROR(Read([&](Connection& db) -> absl::Status {
    SPROUT_ASSIGN_OR_RETURN(
        Result r, db.Run("SELECT number, body FROM contacts WHERE referral_id = $1 ORDER BY number",
                         Params().Text(referral_id)));
    return OpenBodies(
        cipher(), r,
        [referral_id](const Result& rows, int i) {
          return ContactRecord(referral_id, rows.Int(i, 0));
        },
        &out);
  }));
  return out;
}

}  // namespace sprout::store::postgres
