// The SQLite store's reads for the referral lifecycle: a referral's queue
// item, a link worker's open caseload, a referral's contacts.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "server/store/sqlite/sqlite_store_impl.h"

namespace sprout::store::sqlite {
namespace {

// Every row's column 0 parsed as a `Message`.
template <typename Message>
absl::StatusOr<std::vector<Message>> ParseBodies(Statement& stmt, absl::string_view what) {
  std::vector<Message> out;
  while (true) {
    SPROUT_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    if (!out.emplace_back().ParseFromString(std::string(stmt.ColumnBlob(0)))) {
      return absl::DataLossError(absl::StrCat("a stored ", what, " is unreadable"));
    }
  }
  return out;
}

}  // namespace

absl::StatusOr<std::optional<sprout::v1::QueueItem>> SqliteStoreImpl::GetQueueItemOfReferral(
    absl::string_view referral_id) {
  SPROUT_RETURN_IF_ERROR(ReaderAvailable());
  ReaderPool::Lease db = readers_.Acquire();
  SPROUT_ASSIGN_OR_RETURN(
      Statement stmt,
      db->Prepare("SELECT body FROM queue_items WHERE referral_id = ? ORDER BY sequence DESC "
                  "LIMIT 1"));
  stmt.BindText(1, referral_id);
  SPROUT_ASSIGN_OR_RETURN(std::vector<sprout::v1::QueueItem> items,
                          ParseBodies<sprout::v1::QueueItem>(stmt, "queue item"));
  if (items.empty()) return std::nullopt;
  return std::move(items.front());
}

absl::StatusOr<std::vector<sprout::v1::Referral>> SqliteStoreImpl::ListOpenReferrals(
    absl::string_view link_worker) {
  SPROUT_RETURN_IF_ERROR(ReaderAvailable());
  ReaderPool::Lease db = readers_.Acquire();
  SPROUT_ASSIGN_OR_RETURN(Statement stmt,
                          db->Prepare("SELECT body FROM referrals WHERE link_worker = ? "
                                      "AND state IN (3, 6) ORDER BY pk"));
  stmt.BindText(1, link_worker);
  return ParseBodies<sprout::v1::Referral>(stmt, "referral");
}

absl::StatusOr<std::vector<sprout::v1::Contact>> SqliteStoreImpl::ListContacts(
    absl::string_view referral_id) {
  SPROUT_RETURN_IF_ERROR(ReaderAvailable());
  ReaderPool::Lease db = readers_.Acquire();
  SPROUT_ASSIGN_OR_RETURN(
      Statement stmt,
      db->Prepare("SELECT body FROM contacts WHERE referral_id = ? ORDER BY number"));
  stmt.BindText(1, referral_id);
  return ParseBodies<sprout::v1::Contact>(stmt, "contact");
}

}  // namespace sprout::store::sqlite
