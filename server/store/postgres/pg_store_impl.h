// File: server/store/postgres/pg_store_impl.h
//
// PostgresStoreImpl: the implementation behind PostgresStore. Internal to
// the postgres backend: pg_store.cc holds opening and the read side,
// pg_writer.cc the writer thread, pg_submission.cc / pg_update.cc /
// pg_claim.cc the writes, pg_listener.cc the LISTEN connection.
#ifndef SPROUT_SERVER_STORE_POSTGRES_PG_STORE_IMPL_H_
#define SPROUT_SERVER_STORE_POSTGRES_PG_STORE_IMPL_H_

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "server/lifecycle/caseload_accounting.h"
#include "server/store/group_commit_writer.h"
#include "server/store/postgres/pg_connection.h"
#include "server/store/postgres/pg_pool.h"
#include "server/store/postgres/postgres_store.h"
#include "server/store/queue_change_notifier.h"
#include "server/store/referral_update.h"
#include "server/store/submission_write.h"

namespace sprout::store::postgres {

// The NOTIFY channel; the payload is the schema, so stores in other schemas
// of one database ignore each other's changes.
inline constexpr char kQueueChannel[] = "sprout_queue";

// A decision's coded reasons as a PostgreSQL BIGINT[] literal, "{1,2}", for
// decision_reasons (reasons not yet coded are left out).
std::string DecisionReasonArray(const sprout::v1::RoutingDecision& decision);

class PostgresStoreImpl final : public PostgresStore,
                                private WriteBackend,
                                private UpdateStatements,
                                private SubmissionStatements,
                                private LexiconAdditionStatements {
 public:
  PostgresStoreImpl(PostgresStoreOptions options, std::unique_ptr<Connector> connector,
                    std::unique_ptr<Connection> writer, std::string schema);
  ~PostgresStoreImpl() override;

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

  // PostgresStore
  PostgresStoreStats stats() const override;

 private:
  using Job = WriteJob;

  // WriteBackend (pg_writer.cc). Each transaction first locks the two head
  // rows (queue sequence, audit chain) and writes them back just before
  // COMMIT, so write transactions of all replicas commit one after the
  // other; a SAVEPOINT per job undoes a failed one.
  Undo undo() const override { return Undo::kToSavepoint; }
  // Reconnects if the writer connection was lost (UNAVAILABLE while the
  // back-off runs), BEGIN, lock and read the heads.
  absl::Status Begin() override;
  absl::Status MarkJob(size_t index) override;
  absl::Status TransactionEnded(const absl::StatusOr<SubmitOutcome>& result) override;
  bool MustUndo() const override;
  absl::Status UndoJob() override;
  // Writes the heads back, NOTIFYs when the queue changed, COMMIT.
  absl::Status Commit(bool queue_changed) override;
  void Abandon() override;
  ChainState& chain() override { return chain_; }
  void OnQueueChanged() override { queue_changes_.Notify(); }

  // Opens the writer connection if it is not open; UNAVAILABLE while the
  // back-off runs.
  absl::Status EnsureWriter();
  // BEGIN, lock and read the heads.
  absl::Status BeginBatch();

  // pg_submission.cc
  absl::StatusOr<SubmitOutcome> ApplySubmission(Job& job, bool* partial) override;
  // SubmissionStatements (pg_submission.cc).
  absl::StatusOr<Lookup> LookUpSubmission(const Submission& submission) override;
  absl::StatusOr<std::optional<std::string>> ReadReferralBody(
      const std::string& referral_id) override;
  absl::Status InsertSubmissionRows(const Submission& s, const NewRows& rows) override;
  absl::Status InsertAudit(const AuditEvent& event) override;
  const BodyCipher& cipher() const { return *options_.cipher; }
  // A decision made after submission (a reassignment) and its reasons.
  absl::Status InsertDecision(const sprout::v1::RoutingDecision& decision,
                              const std::string& decision_id,
                              const std::string& referral_id) override;
  // Applies a change to the link worker load counters (lifecycle::LoadChangeOf).
  absl::Status ApplyLoadChange(const lifecycle::LoadChange& change) override;
  absl::Status AddLoad(const std::string& link_worker, int open_delta, int waiting_delta);
  absl::Status AddAccepted(const std::string& link_worker, int64_t year);
  // UpdateStatements (pg_update.cc; InsertContact, ApplyLoadChange,
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
  // OutboxStatements (pg_outbox.cc).
  absl::Status InsertOutboxRow(const OutboxRow& row) override;
  absl::StatusOr<std::vector<OutboxRow>> SelectDueOutboxRows(int64_t now_us, int limit) override;
  absl::StatusOr<std::optional<OutboxRow>> SelectOutboxRow(const std::string& id) override;
  absl::Status UpdateOutboxSchedule(const OutboxRow& row) override;
  // Coding review choices and lexicon additions (pg_coding_choices.cc).
  absl::Status InsertCodingChoice(const CodingChoice& choice,
                                  const std::string& sealed_phrase) override;
  absl::StatusOr<bool> LexiconAdditionExists(const std::string& agency,
                                             const std::string& phrase_key) override;
  absl::Status InsertLexiconAddition(const LexiconAddition& addition) override;
  // pg_claim.cc
  absl::Status ApplyClaim(const QueueClaim& claim, sprout::v1::QueueItem* stored, bool* partial);

  // Runs `read` on a pooled connection, or UNAVAILABLE after Shutdown.
  absl::Status Read(const std::function<absl::Status(Connection&)>& read);

  // pg_listener.cc: LISTEN on its own connection, reconnecting with back-off,
  // and wake subscribers on each notification for this schema and after
  // each (re)connection.
  void ListenerLoop();
  // Waits for notifications on `conn` until it is lost or the store stops.
  void Listen(Connection& conn);

  // Constant after construction.
  const PostgresStoreOptions options_;
  const Clock* const clock_;
  const std::unique_ptr<Connector> connector_;
  const std::string schema_;  // current_schema() of the store's connections

  // Used only by the writer thread.
  std::unique_ptr<Connection> writer_;
  Backoff writer_backoff_;
  ChainState chain_;

  ConnectionPool readers_;
  QueueChangeNotifier queue_changes_;
  // The writer connection's server process, whose own NOTIFYs the listener
  // skips (the writer wakes local subscribers itself, sooner).
  std::atomic<int> writer_pid_{0};

  std::atomic<bool> stopped_{false};
  std::atomic<bool> listener_stop_{false};
  std::thread listener_thread_;
  // Writer and listener connections re-opened after a loss.
  std::atomic<int64_t> reconnects_{0};

  // Last: stopped (and its thread joined) before anything it uses goes.
  GroupCommitWriter group_commit_;
};

}  // namespace sprout::store::postgres

#endif  // SPROUT_SERVER_STORE_POSTGRES_PG_STORE_IMPL_H_
