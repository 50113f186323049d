// Opening a PostgresStore, and its read side.
#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "server/audit/audit_chain.h"
#include "server/store/audit_query.h"
#include "server/store/names.h"
#include "server/store/page_token.h"
#include "server/store/postgres/pg_migrations.h"
#include "server/store/postgres/pg_store_impl.h"
#include "server/store/postgres/postgres_store.h"

namespace sprout::store {
namespace postgres {
namespace {

constexpr int kQueueItemDone = sprout::v1::QUEUE_ITEM_STATE_DONE;

// Appends every row of `r`, whose columns are (sequence, id, body), to `items`.
absl::Status AppendQueueItemRows(const BodyCipher& cipher, const Result& r,
                                 std::vector<sprout::v1::QueueItem>& items) {
  for (int i = 0; i < r.rows(); ++i) {
    SPROUT_RETURN_IF_ERROR(
        cipher.OpenMessage(QueueItemRecord(r.Bytes(i, 1)), r.Bytes(i, 2), &items.emplace_back()));
  }
  return absl::OkStatus();
}

// Row i of a result selected with kAuditColumns.
AuditRecord AuditRecordOf(const Result& r, int i) {
  AuditRecord record;
  record.sequence = r.Int(i, 0);
  AuditEvent& e = record.event;
  e.time = absl::FromUnixMicros(r.Int(i, 1));
  e.actor_organisation = r.Text(i, 2);
  e.actor_role = r.Text(i, 3);
  e.action = r.Text(i, 4);
  e.resource = r.Text(i, 5);
  e.outcome = r.Text(i, 6);
  e.actor_link_worker = r.Text(i, 7);
  e.returned = audit::ParseReturnedText(r.Text(i, 8));
  e.stated_reason = r.Text(i, 9);
  return record;
}

}  // namespace

PostgresStoreImpl::PostgresStoreImpl(PostgresStoreOptions options,
                                     std::unique_ptr<Connector> connector,
                                     std::unique_ptr<Connection> writer, std::string schema)
    : options_(std::move(options)),
      clock_(options_.clock != nullptr ? options_.clock : RealClock()),
      connector_(std::move(connector)),
      schema_(std::move(schema)),
      writer_(std::move(writer)),
      writer_backoff_(options_.initial_backoff, options_.max_backoff),
      readers_(connector_.get(), options_.pool_size, options_.initial_backoff,
               options_.max_backoff),
      group_commit_({options_.max_queue_depth, options_.max_batch_size, options_.writer_observer},
                    this) {
  writer_pid_.store(writer_->backend_pid());
  group_commit_.Start();
  listener_thread_ = std::thread([this] { ListenerLoop(); });
}

PostgresStoreImpl::~PostgresStoreImpl() { Shutdown(); }

size_t PostgresStoreImpl::WriterQueueDepth() const { return group_commit_.QueueDepth(); }

PostgresStoreStats PostgresStoreImpl::stats() const {
  PostgresStoreStats s;
  static_cast<WriterStats&>(s) = group_commit_.stats();
  s.reconnects = reconnects_.load() + readers_.reconnects();
  return s;
}

absl::Status PostgresStoreImpl::Read(const std::function<absl::Status(Connection&)>& read) {
  if (stopped_.load()) return absl::UnavailableError("the store is shut down");
  return readers_.WithConnection(read);
}

absl::StatusOr<sprout::v1::Referral> PostgresStoreImpl::GetReferral(absl::string_view referral_id) {
  sprout::v1::Referral referral;
  SPROUT_RETURN_IF_ERROR(Read([&](Connection& db) -> absl::Status {
    SPROUT_ASSIGN_OR_RETURN(
        Result r, db.Run("SELECT body FROM referrals WHERE id = $1", Params().Text(referral_id)));
    if (r.rows() == 0) {
      return absl::NotFoundError(absl::StrCat("referrals/", referral_id, " not found"));
    }
    return cipher().OpenMessage(ReferralRecord(referral_id), r.Bytes(0, 0), &referral);
  }));
  return referral;
}

absl::StatusOr<Page<sprout::v1::Referral>> PostgresStoreImpl::ListReferrals(
    absl::string_view organisation_code, int page_size, absl::string_view page_token) {
  if (stopped_.load()) return absl::UnavailableError("the store is shut down");
  const int size = EffectivePageSize(page_size);
  PageCursor cursor{INT64_MAX, INT64_MAX};
  if (!page_token.empty()) {
    SPROUT_ASSIGN_OR_RETURN(cursor, DecodePageToken(page_token, "referrals", organisation_code));
  }
  Page<sprout::v1::Referral> page;
  SPROUT_RETURN_IF_ERROR(Read([&](Connection& db) -> absl::Status {
    page = {};
    SPROUT_ASSIGN_OR_RETURN(
        Result r,
        db.Run(absl::StrCat("SELECT pk, create_time_us, id, body FROM referrals WHERE ",
                            organisation_code.empty() ? "$1 = ''" : "organisation_code = $1",
                            " AND (create_time_us < $2 OR (create_time_us = $2 AND pk < $3)) "
                            "ORDER BY create_time_us DESC, pk DESC LIMIT $4"),
               Params()
                   .Text(organisation_code)
                   .Int(cursor.primary)
                   .Int(cursor.secondary)
                   .Int(size + 1)));
    PageCursor last;
    for (int i = 0; i < r.rows(); ++i) {
      if (static_cast<int>(page.items.size()) == size) {
        page.next_page_token = EncodePageToken("referrals", organisation_code, last);
        break;
      }
      last = PageCursor{r.Int(i, 1), r.Int(i, 0)};
      SPROUT_RETURN_IF_ERROR(cipher().OpenMessage(ReferralRecord(r.Bytes(i, 2)), r.Bytes(i, 3),
                                                  &page.items.emplace_back()));
    }
    return absl::OkStatus();
  }));
  return page;
}

absl::StatusOr<Page<sprout::v1::QueueItem>> PostgresStoreImpl::ListQueueItems(
    absl::string_view queue, int page_size, absl::string_view page_token) {
  if (stopped_.load()) return absl::UnavailableError("the store is shut down");
  const int size = EffectivePageSize(page_size);
  // Priority ascends with urgency, so "after the cursor" means lower
  // priority, or the same priority and a later sequence.
  PageCursor cursor{INT64_MAX, 0};
  if (!page_token.empty()) {
    SPROUT_ASSIGN_OR_RETURN(cursor, DecodePageToken(page_token, "queueItems", queue));
  }
  const bool pool = IsPcnPoolQueue(queue);
  const std::string sql = absl::StrCat(
      "SELECT priority, sequence, id, body FROM queue_items WHERE ",
      pool ? "pcn_code = $1" : "queue = $1",
      " AND state <> $2 AND (priority < $3::BIGINT OR (priority = $3::BIGINT AND sequence > $4)) "
      "ORDER BY priority DESC, sequence ASC LIMIT $5");
  Page<sprout::v1::QueueItem> page;
  SPROUT_RETURN_IF_ERROR(Read([&](Connection& db) -> absl::Status {
    page = {};
    SPROUT_ASSIGN_OR_RETURN(Result r,
                            db.Run(sql, Params()
                                            .Text(pool ? PcnCodeOfQueue(queue) : std::string(queue))
                                            .Int(kQueueItemDone)
                                            .Int(cursor.primary)
                                            .Int(cursor.secondary)
                                            .Int(size + 1)));
    PageCursor last;
    for (int i = 0; i < r.rows(); ++i) {
      if (static_cast<int>(page.items.size()) == size) {
        page.next_page_token = EncodePageToken("queueItems", queue, last);
        break;
      }
      last = PageCursor{r.Int(i, 0), r.Int(i, 1)};
      SPROUT_RETURN_IF_ERROR(cipher().OpenMessage(QueueItemRecord(r.Bytes(i, 2)), r.Bytes(i, 3),
                                                  &page.items.emplace_back()));
    }
    return absl::OkStatus();
  }));
  return page;
}

absl::StatusOr<std::vector<sprout::v1::QueueItem>> PostgresStoreImpl::QueueItemsAfter(
    absl::string_view queue, int64_t after_sequence, int limit) {
  const bool pool = IsPcnPoolQueue(queue);
  const std::string sql = absl::StrCat("SELECT sequence, id, body FROM queue_items WHERE ",
                                       pool ? "pcn_code = $1" : "queue = $1",
                                       " AND sequence > $2 ORDER BY sequence LIMIT $3");
  std::vector<sprout::v1::QueueItem> items;
  SPROUT_RETURN_IF_ERROR(Read([&](Connection& db) -> absl::Status {
    items.clear();
    SPROUT_ASSIGN_OR_RETURN(Result r,
                            db.Run(sql, Params()
                                            .Text(pool ? PcnCodeOfQueue(queue) : std::string(queue))
                                            .Int(after_sequence)
                                            .Int(limit > 0 ? limit : 0)));
    return AppendQueueItemRows(cipher(), r, items);
  }));
  return items;
}

absl::StatusOr<std::vector<sprout::v1::QueueItem>> PostgresStoreImpl::UnfinishedQueueItems(
    absl::Time enqueued_by, int64_t after_sequence, int limit) {
  // `state <> 3` matches the partial index queue_items_unfinished.
  constexpr char kSql[] =
      "SELECT sequence, id, body FROM queue_items "
      "WHERE state <> 3 AND sequence > $1 AND enqueue_time_us <= $2 ORDER BY sequence LIMIT $3";
  std::vector<sprout::v1::QueueItem> items;
  SPROUT_RETURN_IF_ERROR(Read([&](Connection& db) -> absl::Status {
    items.clear();
    SPROUT_ASSIGN_OR_RETURN(Result r, db.Run(kSql, Params()
                                                       .Int(after_sequence)
                                                       .Int(absl::ToUnixMicros(enqueued_by))
                                                       .Int(limit > 0 ? limit : 0)));
    return AppendQueueItemRows(cipher(), r, items);
  }));
  return items;
}

absl::StatusOr<sprout::v1::RoutingDecision> PostgresStoreImpl::GetRoutingDecision(
    absl::string_view decision_id) {
  sprout::v1::RoutingDecision decision;
  SPROUT_RETURN_IF_ERROR(Read([&](Connection& db) -> absl::Status {
    SPROUT_ASSIGN_OR_RETURN(Result r, db.Run("SELECT body FROM routing_decisions WHERE id = $1",
                                             Params().Text(decision_id)));
    if (r.rows() == 0) {
      return absl::NotFoundError(absl::StrCat("routingDecisions/", decision_id, " not found"));
    }
    return cipher().OpenMessage(DecisionRecord(decision_id), r.Bytes(0, 0), &decision);
  }));
  return decision;
}

absl::StatusOr<std::optional<OpenEpisode>> PostgresStoreImpl::FindOpenEpisode(
    absl::string_view person_key) {
  if (stopped_.load()) return absl::UnavailableError("the store is shut down");
  std::optional<OpenEpisode> out;
  if (person_key.empty()) return out;
  SPROUT_RETURN_IF_ERROR(Read([&](Connection& db) -> absl::Status {
    SPROUT_ASSIGN_OR_RETURN(Result r,
                            db.Run("SELECT id, pcn_code, link_worker FROM episodes "
                                   "WHERE person_key = $1 AND is_open AND person_key <> ''",
                                   Params().Text(person_key)));
    if (r.rows() > 0) out = OpenEpisode{r.Text(0, 0), r.Text(0, 1), r.Text(0, 2)};
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<std::vector<LinkWorkerCounts>> PostgresStoreImpl::LinkWorkerLoads(int year) {
  std::vector<LinkWorkerCounts> out;
  SPROUT_RETURN_IF_ERROR(Read([&](Connection& db) -> absl::Status {
    out.clear();
    // The writer keeps these counters in each transaction.
    SPROUT_ASSIGN_OR_RETURN(
        Result r,
        db.Run("SELECT l.link_worker, COALESCE(a.accepted, 0), l.open_caseload, l.waiting "
               "FROM link_worker_load l LEFT JOIN link_worker_accepted a "
               "ON a.link_worker = l.link_worker AND a.year = $1 "
               "ORDER BY l.link_worker COLLATE \"C\"",
               Params().Int(year)));
    for (int i = 0; i < r.rows(); ++i) {
      LinkWorkerCounts& c = out.emplace_back();
      c.link_worker = r.Text(i, 0);
      c.accepted_this_year = static_cast<int>(r.Int(i, 1));
      c.open_caseload = static_cast<int>(r.Int(i, 2));
      c.waiting = static_cast<int>(r.Int(i, 3));
    }
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<std::vector<ReferralEvent>> PostgresStoreImpl::ListReferralEvents(
    absl::string_view referral_id, int64_t after_sequence) {
  std::vector<ReferralEvent> out;
  SPROUT_RETURN_IF_ERROR(Read([&](Connection& db) -> absl::Status {
    out.clear();
    SPROUT_ASSIGN_OR_RETURN(Result r, db.Run("SELECT pk, state, event_time_us, actor, action, "
                                             "recorded_code, recorded_display FROM referral_events "
                                             "WHERE referral_id = $1 AND pk > $2 ORDER BY pk",
                                             Params().Text(referral_id).Int(after_sequence)));
    for (int i = 0; i < r.rows(); ++i) {
      ReferralEvent& e = out.emplace_back();
      e.sequence = r.Int(i, 0);
      e.state = static_cast<sprout::v1::ReferralState>(r.Int(i, 1));
      e.time = absl::FromUnixMicros(r.Int(i, 2));
      e.actor_organisation = r.Text(i, 3);
      e.action = r.Text(i, 4);
      if (!r.Text(i, 5).empty()) {
        e.recorded_code.emplace();
        e.recorded_code->set_code(r.Text(i, 5));
        e.recorded_code->set_display(r.Text(i, 6));
      }
    }
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<std::vector<DirectoryVersion>> PostgresStoreImpl::ListDirectoryVersions() {
  std::vector<DirectoryVersion> out;
  SPROUT_RETURN_IF_ERROR(Read([&](Connection& db) -> absl::Status {
    out.clear();
    SPROUT_ASSIGN_OR_RETURN(
        Result r, db.Run("SELECT version, loaded_time_us, description FROM directory_versions "
                         "ORDER BY loaded_time_us DESC, version COLLATE \"C\""));
    for (int i = 0; i < r.rows(); ++i) {
      out.push_back(
          DirectoryVersion{r.Text(i, 0), absl::FromUnixMicros(r.Int(i, 1)), r.Text(i, 2)});
    }
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<AuditVerification> PostgresStoreImpl::VerifyAuditChain() {
  AuditVerification result;
  SPROUT_RETURN_IF_ERROR(Read([&](Connection& db) -> absl::Status {
    // Read in slices, so a long chain is never held in memory at once. One
    // REPEATABLE READ transaction keeps the slices consistent.
    SPROUT_RETURN_IF_ERROR(db.Exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
    audit::AuditChainVerifier verifier;
    int64_t after = 0;
    bool broken = false;
    absl::Status status;
    while (!broken) {
      absl::StatusOr<Result> r = db.Run(
          absl::StrCat("SELECT ", kAuditColumns,
                       " FROM audit_records WHERE sequence > $1 ORDER BY sequence LIMIT 10000"),
          Params().Int(after));
      if (!r.ok()) {
        status = r.status();
        break;
      }
      if (r->rows() == 0) break;
      for (int i = 0; i < r->rows() && !broken; ++i) {
        AuditRecord record = AuditRecordOf(*r, i);
        after = record.sequence;
        if (!verifier.Add(after, record.event, r->Bytes(i, 10), r->Bytes(i, 11))) broken = true;
      }
    }
    if (db.ok()) db.Exec("ROLLBACK").IgnoreError();
    SPROUT_RETURN_IF_ERROR(status);
    result = verifier.result();
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<std::optional<audit::AuditAnchor>> PostgresStoreImpl::AuditChainHead() {
  std::optional<audit::AuditAnchor> head;
  SPROUT_RETURN_IF_ERROR(Read([&](Connection& db) -> absl::Status {
    SPROUT_ASSIGN_OR_RETURN(Result r, db.Run(kAuditChainHeadSql, Params()));
    if (r.rows() > 0) head = audit::AuditAnchor{r.Int(0, 0), r.Text(0, 1)};
    return absl::OkStatus();
  }));
  return head;
}

absl::StatusOr<std::optional<std::string>> PostgresStoreImpl::AuditHashAt(int64_t sequence) {
  std::optional<std::string> hash;
  SPROUT_RETURN_IF_ERROR(Read([&](Connection& db) -> absl::Status {
    SPROUT_ASSIGN_OR_RETURN(Result r,
                            db.Run(absl::StrCat(kAuditHashAtSql, "$1"), Params().Int(sequence)));
    if (r.rows() > 0) hash = r.Text(0, 0);
    return absl::OkStatus();
  }));
  return hash;
}

absl::StatusOr<Page<AuditRecord>> PostgresStoreImpl::ListAuditRecords(
    const AuditQuery& query, int page_size, absl::string_view page_token) {
  if (stopped_.load()) return absl::UnavailableError("the store is shut down");
  const int size = EffectivePageSize(page_size);
  const std::string scope = AuditQueryScope(query);
  PageCursor cursor{INT64_MAX, 0};
  if (!page_token.empty()) {
    SPROUT_ASSIGN_OR_RETURN(cursor, DecodePageToken(page_token, "auditRecords", scope));
  }
  const AuditWhere where = AuditRecordsWhere(query, [](int n) { return absl::StrCat("$", n); });
  Page<AuditRecord> page;
  SPROUT_RETURN_IF_ERROR(Read([&](Connection& db) -> absl::Status {
    page = {};
    Params params;
    params.Int(cursor.primary);
    for (const std::string& value : where.text_params) params.Text(value);
    SPROUT_ASSIGN_OR_RETURN(
        Result r, db.Run(absl::StrCat("SELECT ", kAuditColumns, " FROM audit_records WHERE ",
                                      where.sql, " ORDER BY sequence DESC LIMIT ", size + 1),
                         params));
    for (int i = 0; i < r.rows(); ++i) {
      if (static_cast<int>(page.items.size()) == size) {
        page.next_page_token =
            EncodePageToken("auditRecords", scope, PageCursor{page.items.back().sequence, 0});
        break;
      }
      page.items.push_back(AuditRecordOf(r, i));
    }
    return absl::OkStatus();
  }));
  return page;
}

}  // namespace postgres

bool IsPostgresConnInfo(absl::string_view db) {
  return absl::StartsWith(db, "postgresql://") || absl::StartsWith(db, "postgres://") ||
         absl::StrContains(db, "host=") || absl::StrContains(db, "dbname=");
}

absl::StatusOr<std::unique_ptr<PostgresStore>> PostgresStore::Open(
    const PostgresStoreOptions& options) {
  using postgres::Connection;
  if (options.conninfo.empty()) {
    return absl::InvalidArgumentError("PostgreSQL connection string is empty");
  }
  if (options.cipher == nullptr) {
    return absl::InvalidArgumentError("the store needs a body cipher (the data keys)");
  }
  if (options.max_queue_depth < 1 || options.max_batch_size < 1 || options.pool_size < 1 ||
      options.initial_backoff <= absl::ZeroDuration() ||
      options.max_backoff < options.initial_backoff) {
    return absl::InvalidArgumentError(
        "store max_queue_depth, max_batch_size and pool_size must be at least 1, and the "
        "back-off positive and no more than its maximum");
  }
  const Clock* clock = options.clock != nullptr ? options.clock : RealClock();
  auto connector =
      std::make_unique<postgres::Connector>(options.conninfo, options.connect_timeout_seconds);
  SPROUT_ASSIGN_OR_RETURN(std::unique_ptr<Connection> writer, connector->Connect());
  SPROUT_ASSIGN_OR_RETURN(postgres::Result schema, writer->Run("SELECT current_schema()"));
  if (schema.rows() != 1 || schema.IsNull(0, 0)) {
    return absl::FailedPreconditionError(
        "PostgreSQL has no current schema to create tables in; check search_path");
  }
  SPROUT_RETURN_IF_ERROR(
      postgres::MigratePostgres(*writer, postgres::LatestPostgresSchemaVersion(), clock->Now())
          .status());
  return std::unique_ptr<PostgresStore>(new postgres::PostgresStoreImpl(
      options, std::move(connector), std::move(writer), schema.Text(0, 0)));
}

absl::StatusOr<std::unique_ptr<Store>> OpenPostgresStore(const PostgresStoreOptions& options) {
  SPROUT_ASSIGN_OR_RETURN(std::unique_ptr<PostgresStore> store, PostgresStore::Open(options));
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace sprout::store
