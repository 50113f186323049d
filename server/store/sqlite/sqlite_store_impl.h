// File: server/store/sqlite/sqlite_store_impl.h
//
// SqliteStoreImpl: the implementation behind SqliteStore. Internal to the
// sqlite backend: sqlite_store.cc holds opening and the read side,
// sqlite_writer.cc the writer thread and the write side.
#ifndef SPROUT_SERVER_STORE_SQLITE_SQLITE_STORE_IMPL_H_
#define SPROUT_SERVER_STORE_SQLITE_SQLITE_STORE_IMPL_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "server/lifecycle/caseload_accounting.h"
#include "server/store/group_commit_writer.h"
#include "server/store/queue_change_notifier.h"
#include "server/store/referral_update.h"
#include "server/store/sqlite/connection.h"
#include "server/store/sqlite/file_lock.h"
#include "server/store/sqlite/load_counts_cache.h"
#include "server/store/sqlite/sqlite_store.h"
#include "server/store/sqlite/timed_sync_vfs.h"
#include "server/store/submission_write.h"

namespace sprout::store::sqlite {

// A pool of read-only connections. Thread-safe.
class ReaderPool {
 public:
  // A borrowed connection, returned to the pool when destroyed.
  class Lease {
   public:
    Lease(ReaderPool* pool, std::unique_ptr<Connection> conn)
        : pool_(pool), conn_(std::move(conn)) {}
    Lease(Lease&&) = default;
    ~Lease();
    Connection& operator*() const { return *conn_; }
    Connection* operator->() const { return conn_.get(); }

   private:
    ReaderPool* pool_;
    std::unique_ptr<Connection> conn_;
  };

  explicit ReaderPool(std::vector<std::unique_ptr<Connection>> conns);
  // Waits for a free connection.
  Lease Acquire();

 private:
  absl::Mutex mu_;
  std::vector<std::unique_ptr<Connection>> free_ ABSL_GUARDED_BY(mu_);
};

// The first time window QueryRoutingLog reads back from its cursor: one hour.
inline constexpr int64_t kFirstRoutingLogWindow = int64_t{3600} * 1000000;

class SqliteStoreImpl final : public SqliteStore,
                              private WriteBackend,
                              private UpdateStatements,
                              private SubmissionStatements,
                              private LexiconAdditionStatements {
 public:
  // Takes ownership of everything opened by SqliteStore::Open.
  SqliteStoreImpl(SqliteStoreOptions options, std::unique_ptr<FileLock> lock,
                  std::unique_ptr<TimedSyncVfs> sync_vfs, std::unique_ptr<Connection> writer,
                  std::vector<std::unique_ptr<Connection>> readers, ChainState chain);
  ~SqliteStoreImpl() override;

  // Store
  void SubmitAsync(Submission submission, SubmitCallback done) override;
  absl::StatusOr<sprout::v1::Referral> GetReferral(absl::string_view referral_id) override;
  absl::StatusOr<Page<sprout::v1::Referral>> ListReferrals(absl::string_view organisation_code,
                                                           int page_size,
                                                           absl::string_view page_token) override;
  absl::StatusOr<Page<sprout::v1::QueueItem>> ListQueueItems(absl::string_view queue, int page_size,
                                                             absl::string_view page_token) override;
  absl::StatusOr<std::vector<sprout::v1::QueueItem>> QueueItemsAfter(absl::string_view queue,
                                                                     int64_t after_sequence,
                                                                     int limit) override;
  absl::StatusOr<std::vector<sprout::v1::QueueItem>> UnfinishedQueueItems(absl::Time enqueued_by,
                                                                          int64_t after_sequence,
                                                                          int limit) override;
  absl::StatusOr<Page<sprout::v1::RoutingDecision>> QueryRoutingLog(
      const RoutingLogQuery& query, int page_size, absl::string_view page_token) override;
  absl::StatusOr<RoutingCounts> CountRoutingDecisions(const RoutingLogQuery& query) override;
  absl::StatusOr<sprout::v1::RoutingDecision> GetRoutingDecision(
      absl::string_view decision_id) override;
  absl::StatusOr<std::optional<OpenEpisode>> FindOpenEpisode(absl::string_view person_key) override;
  absl::StatusOr<std::vector<LinkWorkerCounts>> LinkWorkerLoads(int year) override;
  absl::StatusOr<UpdateOutcome> UpdateReferral(ReferralUpdate update) override;
  absl::StatusOr<std::optional<sprout::v1::QueueItem>> GetQueueItemOfReferral(
      absl::string_view referral_id) override;
  absl::StatusOr<std::vector<sprout::v1::Referral>> ListOpenReferrals(
      absl::string_view link_worker) override;
  absl::StatusOr<std::vector<sprout::v1::Contact>> ListContacts(
      absl::string_view referral_id) override;
  absl::StatusOr<std::vector<ReferralEvent>> ListReferralEvents(absl::string_view referral_id,
                                                                int64_t after_sequence) override;
  absl::StatusOr<sprout::v1::QueueItem> ClaimQueueItem(const QueueClaim& claim) override;
  std::unique_ptr<QueueSubscription> SubscribeQueueChanges(std::function<void()> wake) override;
  absl::Status AppendAudit(const AuditEvent& event) override;
  void AppendAuditsAsync(std::vector<AuditEvent> events, AppendDone done) override;
  absl::Status RecordDirectoryVersion(const DirectoryVersion& version) override;
  absl::StatusOr<std::vector<DirectoryVersion>> ListDirectoryVersions() override;
  absl::StatusOr<AuditVerification> VerifyAuditChain() override;
  absl::StatusOr<std::optional<audit::AuditAnchor>> AuditChainHead() override;
  absl::StatusOr<std::optional<std::string>> AuditHashAt(int64_t sequence) override;
  absl::StatusOr<RewrapStep> RewrapBodies(const RewrapCursor& cursor, int batch_size) override;
  absl::StatusOr<std::vector<OutboxEntry>> LeaseDueOutboxMessages(absl::Time now,
                                                                  absl::Duration lease,
                                                                  int limit) override;
  absl::StatusOr<std::optional<absl::Time>> NextOutboxAttempt() override;
  absl::Status RecordOutboxAttempt(const OutboxAttempt& attempt) override;
  absl::StatusOr<sprout::v1::OutboxMessage> RedeliverOutboxMessage(
      absl::string_view message_id, absl::Time now, const AuditEvent& audit) override;
  absl::StatusOr<Page<sprout::v1::OutboxMessage>> ListOutboxMessages(
      sprout::v1::OutboxMessageState state, int page_size, absl::string_view page_token) override;
  absl::StatusOr<std::vector<CodingChoice>> ListCodingChoices() override;
  absl::StatusOr<std::vector<LexiconAddition>> ListLexiconAdditions() override;
  absl::Status AddLexiconPhrase(const LexiconAddition& addition, const AuditEvent& audit) override;
  absl::StatusOr<Page<AuditRecord>> ListAuditRecords(const AuditQuery& query, int page_size,
                                                     absl::string_view page_token) override;
  void Shutdown() override;
  size_t WriterQueueDepth() const override;

  // SqliteStore
  SqliteStoreStats stats() const override;

  // Reads the writer's ChainState from the database.
  static absl::StatusOr<ChainState> LoadChainState(Connection& db);

 private:
  using Job = WriteJob;

  // WriteBackend (sqlite_writer.cc): BEGIN IMMEDIATE ... COMMIT on the writer
  // connection; a job that fails after writing rolls the batch back, which
  // runs again without it.
  Undo undo() const override { return Undo::kRerunWithout; }
  absl::Status Begin() override;
  absl::Status MarkJob(size_t) override { return absl::OkStatus(); }
  absl::StatusOr<SubmitOutcome> ApplySubmission(Job& job, bool* partial) override;
  absl::Status TransactionEnded(const absl::StatusOr<SubmitOutcome>& result) override;
  bool MustUndo() const override { return false; }
  absl::Status UndoJob() override;
  absl::Status Commit(bool queue_changed) override;
  void Abandon() override;
  ChainState& chain() override { return chain_; }
  void OnQueueChanged() override { queue_changes_.Notify(); }
  // UpdateStatements (sqlite_update.cc; InsertContact, ApplyLoadChange,
  // InsertDecision and InsertAudit are shared with submissions).
  absl::StatusOr<std::optional<StoredReferral>> ReadReferralForUpdate(
      const std::string& referral_id) override;
  absl::StatusOr<std::optional<StoredContact>> ReadContactOfRequest(
      const std::string& referral_id, const std::string& request_id) override;
  absl::StatusOr<std::optional<std::string>> ReadQueueItemForUpdate(
      const std::string& item_id, const std::string& referral_id) override;
  absl::Status InsertContact(const std::string& referral_id, const std::string& episode_id,
                             const std::string& request_id, sprout::v1::Contact* contact) override;
  absl::Status WriteReferral(const std::string& referral_id, const sprout::v1::Referral& referral,
                             const std::string& sealed_body) override;
  absl::Status WriteQueueItem(const std::string& item_id, const sprout::v1::QueueItem& item,
                              const std::string& sealed_body) override;
  absl::StatusOr<bool> MarkServiceCodeRecorded(const std::string& episode_id) override;
  absl::Status CloseEpisodeUnlessLive(const std::string& episode_id,
                                      const std::string& referral_id) override;
  absl::Status InsertReferralEvent(const std::string& referral_id,
                                   const ReferralEventRow& event) override;
  // OutboxStatements (sqlite_outbox.cc).
  absl::Status InsertOutboxRow(const OutboxRow& row) override;
  absl::StatusOr<std::vector<OutboxRow>> SelectDueOutboxRows(int64_t now_us, int limit) override;
  absl::StatusOr<std::optional<OutboxRow>> SelectOutboxRow(const std::string& id) override;
  absl::Status UpdateOutboxSchedule(const OutboxRow& row) override;
  // Coding review choices and lexicon additions (sqlite_coding_choices.cc).
  absl::Status InsertCodingChoice(const CodingChoice& choice,
                                  const std::string& sealed_phrase) override;
  absl::StatusOr<bool> LexiconAdditionExists(const std::string& agency,
                                             const std::string& phrase_key) override;
  absl::Status InsertLexiconAddition(const LexiconAddition& addition) override;
  // The body of ClaimQueueItem, run by the writer (sqlite_claim.cc).
  absl::Status ApplyClaim(const QueueClaim& claim, sprout::v1::QueueItem* stored, bool* partial);
  // Adds `delta` to a link worker's load counters.
  absl::Status AddLoad(const std::string& link_worker, int open_delta, int waiting_delta);

  // SubmissionStatements (sqlite_submission.cc).
  absl::StatusOr<Lookup> LookUpSubmission(const Submission& submission) override;
  absl::StatusOr<std::optional<std::string>> ReadReferralBody(
      const std::string& referral_id) override;
  absl::Status InsertSubmissionRows(const Submission& s, const NewRows& rows) override;
  absl::Status InsertAudit(const AuditEvent& event) override;
  // The decision and its reasons (for the routing log's reason filter).
  absl::Status InsertDecision(const sprout::v1::RoutingDecision& decision,
                              const std::string& decision_id,
                              const std::string& referral_id) override;
  // Applies a change to the link worker load counters (lifecycle::LoadChangeOf).
  absl::Status ApplyLoadChange(const lifecycle::LoadChange& change) override;
  absl::Status ReaderAvailable() const;
  const BodyCipher& cipher() const { return *options_.cipher; }

  // Constant after construction.
  const SqliteStoreOptions options_;
  const Clock* const clock_;
  std::unique_ptr<FileLock> lock_;
  // The writer's VFS: declared before writer_ so it outlives the connection.
  std::unique_ptr<TimedSyncVfs> sync_vfs_;

  // Used only by the writer thread.
  std::unique_ptr<Connection> writer_;
  ChainState chain_;

  ReaderPool readers_;
  QueueChangeNotifier queue_changes_;
  // LinkWorkerLoads between commits; Commit() invalidates it.
  LoadCountsCache load_counts_;

  std::atomic<bool> stopped_{false};
  std::atomic<int64_t> audit_appends_{0};

  // Last: stopped (and its thread joined) before anything it uses goes.
  GroupCommitWriter group_commit_;
};

}  // namespace sprout::store::sqlite

#endif  // SPROUT_SERVER_STORE_SQLITE_SQLITE_STORE_IMPL_H_
