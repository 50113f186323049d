// Opening a SqliteStore, and its read side.
#include "server/store/sqlite/sqlite_store.h"

#include <algorithm>
#include <map>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/status_macros.h"
#include "server/audit/audit_chain.h"
#include "server/store/audit_query.h"
#include "server/store/names.h"
#include "server/store/page_token.h"
#include "server/store/sqlite/migrations.h"
#include "server/store/sqlite/sqlite_store_impl.h"

namespace sprout::store {
namespace sqlite {
namespace {

constexpr int kQueueItemDone = sprout::v1::QUEUE_ITEM_STATE_DONE;

// Applies the connection settings every store connection needs.
// Every row of `stmt`, whose columns are (sequence, id, body), as queue items.
absl::StatusOr<std::vector<sprout::v1::QueueItem>> QueueItemRows(const BodyCipher& cipher,
                                                                 Statement& stmt) {
  std::vector<sprout::v1::QueueItem> items;
  while (true) {
    SPROUT_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    SPROUT_RETURN_IF_ERROR(cipher.OpenMessage(QueueItemRecord(stmt.ColumnText(1)),
                                              stmt.ColumnBlob(2), &items.emplace_back()));
  }
  return items;
}

absl::Status Configure(Connection& db, bool writer) {
  if (writer) {
    SPROUT_ASSIGN_OR_RETURN(std::string mode, db.QueryText("PRAGMA journal_mode=WAL"));
    if (mode != "wal") {
      return absl::FailedPreconditionError(
          absl::StrCat("database ", db.path(), " cannot use WAL journaling (got ", mode, ")"));
    }
  }
  SPROUT_RETURN_IF_ERROR(db.Exec("PRAGMA synchronous=FULL"));
  // Statement journals and temporary b-trees stay in memory instead of
  // going through temporary files.
  SPROUT_RETURN_IF_ERROR(db.Exec("PRAGMA temp_store=MEMORY"));
  SPROUT_RETURN_IF_ERROR(db.Exec("PRAGMA foreign_keys=ON"));
  if (!writer) SPROUT_RETURN_IF_ERROR(db.Exec("PRAGMA query_only=1"));
  return absl::OkStatus();
}

}  // namespace

ReaderPool::Lease::~Lease() {
  if (conn_ == nullptr) return;
  absl::MutexLock lock(&pool_->mu_);
  pool_->free_.push_back(std::move(conn_));
}

ReaderPool::ReaderPool(std::vector<std::unique_ptr<Connection>> conns) : free_(std::move(conns)) {}

ReaderPool::Lease ReaderPool::Acquire() {
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(
      +[](std::vector<std::unique_ptr<Connection>>* free) { return !free->empty(); }, &free_));
  std::unique_ptr<Connection> conn = std::move(free_.back());
  free_.pop_back();
  return Lease(this, std::move(conn));
}

SqliteStoreImpl::SqliteStoreImpl(SqliteStoreOptions options, std::unique_ptr<FileLock> lock,
                                 std::unique_ptr<TimedSyncVfs> sync_vfs,
                                 std::unique_ptr<Connection> writer,
                                 std::vector<std::unique_ptr<Connection>> readers, ChainState chain)
    : options_(std::move(options)),
      clock_(options_.clock != nullptr ? options_.clock : RealClock()),
      lock_(std::move(lock)),
      sync_vfs_(std::move(sync_vfs)),
      writer_(std::move(writer)),
      chain_(std::move(chain)),
      readers_(std::move(readers)),
      group_commit_({options_.max_queue_depth, options_.max_batch_size, options_.writer_observer},
                    this) {
  group_commit_.Start();
}

SqliteStoreImpl::~SqliteStoreImpl() { Shutdown(); }

size_t SqliteStoreImpl::WriterQueueDepth() const { return group_commit_.QueueDepth(); }

SqliteStoreStats SqliteStoreImpl::stats() const {
  SqliteStoreStats s;
  static_cast<WriterStats&>(s) = group_commit_.stats();
  s.audit_appends = audit_appends_.load();
  return s;
}

absl::Status SqliteStoreImpl::ReaderAvailable() const {
  if (stopped_.load()) return absl::UnavailableError("the store is shut down");
  return absl::OkStatus();
}

absl::StatusOr<sprout::v1::Referral> SqliteStoreImpl::GetReferral(absl::string_view referral_id) {
  SPROUT_RETURN_IF_ERROR(ReaderAvailable());
  ReaderPool::Lease db = readers_.Acquire();
  SPROUT_ASSIGN_OR_RETURN(Statement stmt, db->Prepare("SELECT body FROM referrals WHERE id = ?"));
  stmt.BindText(1, referral_id);
  SPROUT_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return absl::NotFoundError(absl::StrCat("referrals/", referral_id, " not found"));
  sprout::v1::Referral referral;
  SPROUT_RETURN_IF_ERROR(
      cipher().OpenMessage(ReferralRecord(referral_id), stmt.ColumnBlob(0), &referral));
  return referral;
}

absl::StatusOr<Page<sprout::v1::Referral>> SqliteStoreImpl::ListReferrals(
    absl::string_view organisation_code, int page_size, absl::string_view page_token) {
  SPROUT_RETURN_IF_ERROR(ReaderAvailable());
  const int size = EffectivePageSize(page_size);
  PageCursor cursor{INT64_MAX, INT64_MAX};
  if (!page_token.empty()) {
    SPROUT_ASSIGN_OR_RETURN(cursor, DecodePageToken(page_token, "referrals", organisation_code));
  }
  ReaderPool::Lease db = readers_.Acquire();
  SPROUT_ASSIGN_OR_RETURN(
      Statement stmt,
      db->Prepare(absl::StrCat("SELECT pk, create_time_us, id, body FROM referrals WHERE ",
                               organisation_code.empty() ? "?1 = ''" : "organisation_code = ?1",
                               " AND (create_time_us < ?2 OR (create_time_us = ?2 AND pk < ?3)) "
                               "ORDER BY create_time_us DESC, pk DESC LIMIT ?4")));
  stmt.BindText(1, organisation_code).Bind(2, cursor.primary).Bind(3, cursor.secondary);
  stmt.Bind(4, size + 1);
  Page<sprout::v1::Referral> page;
  PageCursor last;
  while (true) {
    SPROUT_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    if (static_cast<int>(page.items.size()) == size) {
      page.next_page_token = EncodePageToken("referrals", organisation_code, last);
      break;
    }
    last = PageCursor{stmt.ColumnInt64(1), stmt.ColumnInt64(0)};
    SPROUT_RETURN_IF_ERROR(cipher().OpenMessage(ReferralRecord(stmt.ColumnText(2)),
                                                stmt.ColumnBlob(3), &page.items.emplace_back()));
  }
  return page;
}

absl::StatusOr<Page<sprout::v1::QueueItem>> SqliteStoreImpl::ListQueueItems(
    absl::string_view queue, int page_size, absl::string_view page_token) {
  SPROUT_RETURN_IF_ERROR(ReaderAvailable());
  const int size = EffectivePageSize(page_size);
  // Priority ascends with urgency, so "after the cursor" means lower
  // priority, or the same priority and a later sequence.
  PageCursor cursor{INT64_MAX, 0};
  if (!page_token.empty()) {
    SPROUT_ASSIGN_OR_RETURN(cursor, DecodePageToken(page_token, "queueItems", queue));
  }
  const bool pool = IsPcnPoolQueue(queue);
  ReaderPool::Lease db = readers_.Acquire();
  SPROUT_ASSIGN_OR_RETURN(
      Statement stmt,
      db->Prepare(
          absl::StrCat("SELECT priority, sequence, id, body FROM queue_items WHERE ",
                       pool ? "pcn_code = ?1" : "queue = ?1",
                       " AND state != ?2 AND (priority < ?3 OR (priority = ?3 AND sequence > ?4)) "
                       "ORDER BY priority DESC, sequence ASC LIMIT ?5")));
  stmt.BindText(1, pool ? PcnCodeOfQueue(queue) : std::string(queue));
  stmt.Bind(2, kQueueItemDone).Bind(3, cursor.primary).Bind(4, cursor.secondary);
  stmt.Bind(5, size + 1);
  Page<sprout::v1::QueueItem> page;
  PageCursor last;
  while (true) {
    SPROUT_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    if (static_cast<int>(page.items.size()) == size) {
      page.next_page_token = EncodePageToken("queueItems", queue, last);
      break;
    }
    last = PageCursor{stmt.ColumnInt64(0), stmt.ColumnInt64(1)};
    SPROUT_RETURN_IF_ERROR(cipher().OpenMessage(QueueItemRecord(stmt.ColumnText(2)),
                                                stmt.ColumnBlob(3), &page.items.emplace_back()));
  }
  return page;
}

absl::StatusOr<std::vector<sprout::v1::QueueItem>> SqliteStoreImpl::QueueItemsAfter(
    absl::string_view queue, int64_t after_sequence, int limit) {
  SPROUT_RETURN_IF_ERROR(ReaderAvailable());
  const bool pool = IsPcnPoolQueue(queue);
  ReaderPool::Lease db = readers_.Acquire();
  SPROUT_ASSIGN_OR_RETURN(
      Statement stmt, db->Prepare(absl::StrCat("SELECT sequence, id, body FROM queue_items WHERE ",
                                               pool ? "pcn_code = ?1" : "queue = ?1",
                                               " AND sequence > ?2 ORDER BY sequence LIMIT ?3")));
  stmt.BindText(1, pool ? PcnCodeOfQueue(queue) : std::string(queue));
  stmt.Bind(2, after_sequence).Bind(3, limit > 0 ? limit : 0);
  return QueueItemRows(cipher(), stmt);
}

absl::StatusOr<std::vector<sprout::v1::QueueItem>> SqliteStoreImpl::UnfinishedQueueItems(
    absl::Time enqueued_by, int64_t after_sequence, int limit) {
  SPROUT_RETURN_IF_ERROR(ReaderAvailable());
  ReaderPool::Lease db = readers_.Acquire();
  // `state != 3` matches the partial index queue_items_unfinished.
  SPROUT_ASSIGN_OR_RETURN(
      Statement stmt, db->Prepare("SELECT sequence, id, body FROM queue_items "
                                  "WHERE state != 3 AND sequence > ?1 AND enqueue_time_us <= ?2 "
                                  "ORDER BY sequence LIMIT ?3"));
  stmt.Bind(1, after_sequence)
      .Bind(2, absl::ToUnixMicros(enqueued_by))
      .Bind(3, limit > 0 ? limit : 0);
  return QueueItemRows(cipher(), stmt);
}

absl::StatusOr<sprout::v1::RoutingDecision> SqliteStoreImpl::GetRoutingDecision(
    absl::string_view decision_id) {
  SPROUT_RETURN_IF_ERROR(ReaderAvailable());
  ReaderPool::Lease db = readers_.Acquire();
  SPROUT_ASSIGN_OR_RETURN(Statement stmt,
                          db->Prepare("SELECT body FROM routing_decisions WHERE id = ?"));
  stmt.BindText(1, decision_id);
  SPROUT_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) {
    return absl::NotFoundError(absl::StrCat("routingDecisions/", decision_id, " not found"));
  }
  sprout::v1::RoutingDecision decision;
  SPROUT_RETURN_IF_ERROR(
      cipher().OpenMessage(DecisionRecord(decision_id), stmt.ColumnBlob(0), &decision));
  return decision;
}

absl::StatusOr<std::optional<OpenEpisode>> SqliteStoreImpl::FindOpenEpisode(
    absl::string_view person_key) {
  SPROUT_RETURN_IF_ERROR(ReaderAvailable());
  if (person_key.empty()) return std::optional<OpenEpisode>();
  ReaderPool::Lease db = readers_.Acquire();
  SPROUT_ASSIGN_OR_RETURN(Statement stmt,
                          db->Prepare("SELECT id, pcn_code, link_worker FROM episodes "
                                      "WHERE person_key = ? AND is_open = 1 AND person_key != ''"));
  stmt.BindText(1, person_key);
  SPROUT_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return std::optional<OpenEpisode>();
  return std::optional<OpenEpisode>(
      OpenEpisode{stmt.ColumnText(0), stmt.ColumnText(1), stmt.ColumnText(2)});
}

absl::StatusOr<std::vector<LinkWorkerCounts>> SqliteStoreImpl::LinkWorkerLoads(int year) {
  SPROUT_RETURN_IF_ERROR(ReaderAvailable());
  if (std::optional<std::vector<LinkWorkerCounts>> cached = load_counts_.Get(year)) {
    return *std::move(cached);
  }
  const uint64_t generation = load_counts_.generation();
  ReaderPool::Lease db = readers_.Acquire();
  // The writer keeps these counters in each submission's transaction.
  SPROUT_ASSIGN_OR_RETURN(
      Statement stmt,
      db->Prepare("SELECT l.link_worker, COALESCE(a.accepted, 0), l.open_caseload, l.waiting "
                  "FROM link_worker_load l LEFT JOIN link_worker_accepted a "
                  "ON a.link_worker = l.link_worker AND a.year = ?1 ORDER BY l.link_worker"));
  stmt.Bind(1, year);
  std::vector<LinkWorkerCounts> out;
  while (true) {
    SPROUT_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    LinkWorkerCounts& c = out.emplace_back();
    c.link_worker = stmt.ColumnText(0);
    c.accepted_this_year = static_cast<int>(stmt.ColumnInt64(1));
    c.open_caseload = static_cast<int>(stmt.ColumnInt64(2));
    c.waiting = static_cast<int>(stmt.ColumnInt64(3));
  }
  load_counts_.Put(generation, year, out);
  return out;
}

absl::StatusOr<std::vector<ReferralEvent>> SqliteStoreImpl::ListReferralEvents(
    absl::string_view referral_id, int64_t after_sequence) {
  SPROUT_RETURN_IF_ERROR(ReaderAvailable());
  ReaderPool::Lease db = readers_.Acquire();
  SPROUT_ASSIGN_OR_RETURN(Statement stmt,
                          db->Prepare("SELECT pk, state, event_time_us, actor, action, "
                                      "recorded_code, recorded_display FROM referral_events "
                                      "WHERE referral_id = ? AND pk > ? ORDER BY pk"));
  stmt.BindText(1, referral_id).Bind(2, after_sequence);
  std::vector<ReferralEvent> out;
  while (true) {
    SPROUT_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    ReferralEvent& e = out.emplace_back();
    e.sequence = stmt.ColumnInt64(0);
    e.state = static_cast<sprout::v1::ReferralState>(stmt.ColumnInt64(1));
    e.time = absl::FromUnixMicros(stmt.ColumnInt64(2));
    e.actor_organisation = stmt.ColumnText(3);
    e.action = stmt.ColumnText(4);
    if (!stmt.ColumnText(5).empty()) {
      e.recorded_code.emplace();
      e.recorded_code->set_code(stmt.ColumnText(5));
      e.recorded_code->set_display(stmt.ColumnText(6));
    }
  }
  return out;
}

absl::StatusOr<std::vector<DirectoryVersion>> SqliteStoreImpl::ListDirectoryVersions() {
  SPROUT_RETURN_IF_ERROR(ReaderAvailable());
  ReaderPool::Lease db = readers_.Acquire();
  SPROUT_ASSIGN_OR_RETURN(
      Statement stmt,
      db->Prepare("SELECT version, loaded_time_us, description FROM directory_versions "
                  "ORDER BY loaded_time_us DESC, version"));
  std::vector<DirectoryVersion> out;
  while (true) {
    SPROUT_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    out.push_back(DirectoryVersion{stmt.ColumnText(0), absl::FromUnixMicros(stmt.ColumnInt64(1)),
                                   stmt.ColumnText(2)});
  }
  return out;
}

namespace {

// One row selected with kAuditColumns.
AuditRecord AuditRecordOf(const Statement& stmt) {
  AuditRecord r;
  r.sequence = stmt.ColumnInt64(0);
  AuditEvent& e = r.event;
  e.time = absl::FromUnixMicros(stmt.ColumnInt64(1));
  e.actor_organisation = stmt.ColumnText(2);
  e.actor_role = stmt.ColumnText(3);
  e.action = stmt.ColumnText(4);
  e.resource = stmt.ColumnText(5);
  e.outcome = stmt.ColumnText(6);
  e.actor_link_worker = stmt.ColumnText(7);
  e.returned = audit::ParseReturnedText(stmt.ColumnText(8));
  e.stated_reason = stmt.ColumnText(9);
  return r;
}

}  // namespace

absl::StatusOr<AuditVerification> SqliteStoreImpl::VerifyAuditChain() {
  SPROUT_RETURN_IF_ERROR(ReaderAvailable());
  ReaderPool::Lease db = readers_.Acquire();
  SPROUT_ASSIGN_OR_RETURN(
      Statement stmt,
      db->Prepare(absl::StrCat("SELECT ", kAuditColumns, " FROM audit_records ORDER BY sequence")));
  audit::AuditChainVerifier verifier;
  while (true) {
    SPROUT_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    AuditRecord r = AuditRecordOf(stmt);
    if (!verifier.Add(r.sequence, r.event, stmt.ColumnBlob(10), stmt.ColumnBlob(11))) break;
  }
  return verifier.result();
}

absl::StatusOr<std::optional<audit::AuditAnchor>> SqliteStoreImpl::AuditChainHead() {
  SPROUT_RETURN_IF_ERROR(ReaderAvailable());
  ReaderPool::Lease db = readers_.Acquire();
  SPROUT_ASSIGN_OR_RETURN(Statement stmt, db->Prepare(kAuditChainHeadSql));
  SPROUT_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return std::optional<audit::AuditAnchor>();
  return std::optional<audit::AuditAnchor>(
      audit::AuditAnchor{stmt.ColumnInt64(0), std::string(stmt.ColumnBlob(1))});
}

absl::StatusOr<std::optional<std::string>> SqliteStoreImpl::AuditHashAt(int64_t sequence) {
  SPROUT_RETURN_IF_ERROR(ReaderAvailable());
  ReaderPool::Lease db = readers_.Acquire();
  SPROUT_ASSIGN_OR_RETURN(Statement stmt, db->Prepare(absl::StrCat(kAuditHashAtSql, "?1")));
  stmt.Bind(1, sequence);
  SPROUT_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(std::string(stmt.ColumnBlob(0)));
}

absl::StatusOr<Page<AuditRecord>> SqliteStoreImpl::ListAuditRecords(const AuditQuery& query,
                                                                    int page_size,
                                                                    absl::string_view page_token) {
  SPROUT_RETURN_IF_ERROR(ReaderAvailable());
  const int size = EffectivePageSize(page_size);
  const std::string scope = AuditQueryScope(query);
  PageCursor cursor{INT64_MAX, 0};
  if (!page_token.empty()) {
    SPROUT_ASSIGN_OR_RETURN(cursor, DecodePageToken(page_token, "auditRecords", scope));
  }
  const AuditWhere where = AuditRecordsWhere(query, [](int n) { return absl::StrCat("?", n); });
  ReaderPool::Lease db = readers_.Acquire();
  SPROUT_ASSIGN_OR_RETURN(
      Statement stmt,
      db->Prepare(absl::StrCat("SELECT ", kAuditColumns, " FROM audit_records WHERE ", where.sql,
                               " ORDER BY sequence DESC LIMIT ", size + 1)));
  stmt.Bind(1, cursor.primary);
  for (size_t i = 0; i < where.text_params.size(); ++i) {
    stmt.BindText(static_cast<int>(i) + 2, where.text_params[i]);
  }
  Page<AuditRecord> page;
  while (true) {
    SPROUT_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    if (static_cast<int>(page.items.size()) == size) {
      page.next_page_token =
          EncodePageToken("auditRecords", scope, PageCursor{page.items.back().sequence, 0});
      break;
    }
    page.items.push_back(AuditRecordOf(stmt));
  }
  return page;
}

}  // namespace sqlite

absl::StatusOr<std::unique_ptr<SqliteStore>> SqliteStore::Open(const SqliteStoreOptions& options) {
  using sqlite::Connection;
  if (options.path.empty()) return absl::InvalidArgumentError("store path is empty");
  if (options.cipher == nullptr) {
    return absl::InvalidArgumentError("the store needs a body cipher (the data keys)");
  }
  if (options.max_queue_depth < 1 || options.max_batch_size < 1 || options.read_connections < 1) {
    return absl::InvalidArgumentError(
        "store max_queue_depth, max_batch_size and read_connections must be at least 1");
  }
  const Clock* clock = options.clock != nullptr ? options.clock : RealClock();
  SPROUT_ASSIGN_OR_RETURN(std::unique_ptr<sqlite::FileLock> lock,
                          sqlite::FileLock::Acquire(options.path));
  // Only the writer syncs: the readers never write, so they need no timing.
  SPROUT_ASSIGN_OR_RETURN(std::unique_ptr<sqlite::TimedSyncVfs> sync_vfs,
                          sqlite::TimedSyncVfs::Register(options.sync_observer));
  SPROUT_ASSIGN_OR_RETURN(std::unique_ptr<Connection> writer,
                          Connection::Open(options.path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                                           options.busy_timeout, sync_vfs->name()));
  SPROUT_RETURN_IF_ERROR(sqlite::Configure(*writer, /*writer=*/true));
  if (options.max_size_bytes > 0) {
    SPROUT_ASSIGN_OR_RETURN(std::string page_size, writer->QueryText("PRAGMA page_size"));
    const int64_t pages = options.max_size_bytes / std::max<int64_t>(1, std::stoll(page_size));
    SPROUT_RETURN_IF_ERROR(
        writer->QueryText(absl::StrCat("PRAGMA max_page_count=", std::max<int64_t>(1, pages)))
            .status());
  }
  if (options.integrity_check_at_open) {
    SPROUT_ASSIGN_OR_RETURN(std::string check, writer->QueryText("PRAGMA quick_check"));
    if (check != "ok") {
      return absl::DataLossError(
          absl::StrCat("database ", options.path, " failed its integrity check: ", check));
    }
  }
  SPROUT_RETURN_IF_ERROR(
      sqlite::MigrateSqlite(*writer, sqlite::LatestSchemaVersion(), clock->Now()).status());
  SPROUT_ASSIGN_OR_RETURN(ChainState chain, sqlite::SqliteStoreImpl::LoadChainState(*writer));
  std::vector<std::unique_ptr<Connection>> readers;
  for (int i = 0; i < options.read_connections; ++i) {
    SPROUT_ASSIGN_OR_RETURN(
        std::unique_ptr<Connection> reader,
        Connection::Open(options.path, SQLITE_OPEN_READWRITE, options.busy_timeout));
    SPROUT_RETURN_IF_ERROR(sqlite::Configure(*reader, /*writer=*/false));
    readers.push_back(std::move(reader));
  }
  return std::unique_ptr<SqliteStore>(
      new sqlite::SqliteStoreImpl(options, std::move(lock), std::move(sync_vfs), std::move(writer),
                                  std::move(readers), std::move(chain)));
}

absl::StatusOr<std::unique_ptr<Store>> OpenSqliteStore(const SqliteStoreOptions& options) {
  SPROUT_ASSIGN_OR_RETURN(std::unique_ptr<SqliteStore> store, SqliteStore::Open(options));
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace sprout::store
