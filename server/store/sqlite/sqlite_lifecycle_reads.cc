// The SQLite store's reads for the referral lifecycle: a referral's queue
// item, a link worker's open caseload, a referral's contacts.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "server/store/sqlite/sqlite_store_impl.h"

namespace sprout::store::sqlite {
namespace {

// Every row of `stmt`, whose columns are (row key, body), opened as a
// `Message`; `record_of` names the row the body was sealed for from its key.
template <typename Message, typename RecordOf>
absl::StatusOr<std::vector<Message>> OpenBodies(const BodyCipher& cipher, Statement& stmt,
                                                RecordOf record_of) {
  std::vector<Message> out;
  while (true) {
    SPROUT_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    SPROUT_RETURN_IF_ERROR(
        cipher.OpenMessage(record_of(stmt), stmt.ColumnBlob(1), &out.emplace_back()));
  }
  return out;
}

std::string QueueItemRecordOf(const Statement& stmt) { return QueueItemRecord(stmt.ColumnText(0)); }
std::string ReferralRecordOf(const Statement& stmt) { return ReferralRecord(stmt.ColumnText(0)); }

}  // namespace

absl::StatusOr<std::optional<sprout::v1::QueueItem>> SqliteStoreImpl::GetQueueItemOfReferral(
    absl::string_view referral_id) {
  SPROUT_RETURN_IF_ERROR(ReaderAvailable());
  ReaderPool::Lease db = readers_.Acquire();
  SPROUT_ASSIGN_OR_RETURN(
      Statement stmt,
      db->Prepare("SELECT id, body FROM queue_items WHERE referral_id = ? ORDER BY sequence DESC "
                  "LIMIT 1"));
  stmt.BindText(1, referral_id);
  SPROUT_ASSIGN_OR_RETURN(std::vector<sprout::v1::QueueItem> items,
                          OpenBodies<sprout::v1::QueueItem>(cipher(), stmt, QueueItemRecordOf));
  if (items.empty()) return std::nullopt;
  return std::move(items.front());
}

absl::StatusOr<std::vector<sprout::v1::Referral>> SqliteStoreImpl::ListOpenReferrals(
    absl::string_view link_worker) {
  SPROUT_RETURN_IF_ERROR(ReaderAvailable());
  ReaderPool::Lease db = readers_.Acquire();
  SPROUT_ASSIGN_OR_RETURN(Statement stmt,
                          db->Prepare("SELECT id, body FROM referrals WHERE link_worker = ? "
                                      "AND state IN (3, 6) ORDER BY pk"));
  stmt.BindText(1, link_worker);
  return OpenBodies<sprout::v1::Referral>(cipher(), stmt, ReferralRecordOf);
}

absl::StatusOr<std::vector<sprout::v1::Contact>> SqliteStoreImpl::ListContacts(
    absl::string_view referral_id) {
  SPROUT_RETURN_IF_ERROR(ReaderAvailable());
  ReaderPool::Lease db = readers_.Acquire();
  SPROUT_ASSIGN_OR_RETURN(
      Statement stmt,
      db->Prepare("SELECT number, body FROM contacts WHERE referral_id = ? ORDER BY number"));
  stmt.BindText(1, referral_id);
  return OpenBodies<sprout::v1::Contact>(cipher(), stmt, [referral_id](const Statement& row) {
    return ContactRecord(referral_id, row.ColumnInt64(0));
  });
}

}  // namespace sprout::store::sqlite
