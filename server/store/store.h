// File: server/store/store.h
//
// The Store is Sprout's durable memory: referrals, their routing decisions,
// queue items, lifecycle events, audit records and idempotency keys. Two
// backends implement it (SQLite embedded, PostgreSQL for several replicas) and
// pass one conformance suite (tests/server/store/store_conformance.h).
//
// Durability contract: when a commit callback reports OK, the data has reached
// stable storage (SQLite WAL with synchronous=FULL, or a PostgreSQL commit) and
// survives kill -9 and restart. A failed commit stores nothing (one transaction).
//
// Usage:
//   SPROUT_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, OpenSqliteStore(options));
//   store->SubmitAsync(std::move(submission), [](absl::StatusOr<SubmitOutcome> r) { ... });
#ifndef SPROUT_SERVER_STORE_STORE_H_
#define SPROUT_SERVER_STORE_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/audit/audit_record.h"
#include "server/store/body_rewrap.h"
#include "server/store/coding_choices.h"
#include "server/store/outbox.h"
#include "sprout/v1/queue.pb.h"
#include "sprout/v1/referral.pb.h"
#include "sprout/v1/routing.pb.h"

namespace sprout::store {

// The audit record and chain check belong to the audit component; the store
// persists them.
using audit::AuditEvent;
using audit::AuditQuery;
using audit::AuditRecord;
using audit::AuditVerification;

// Everything SubmitReferral commits in one transaction (transactional outbox).
struct Submission {
  // Idempotency key from the client (AIP-155).
  std::string request_id;
  // SHA-256 (hex) of the canonical request bytes. The same request_id with a
  // different hash is refused with ALREADY_EXISTS.
  std::string request_hash;
  // The submitting organisation (the caller's principal); ListReferrals scope.
  std::string organisation_code;
  // Keyed hash (hex) identifying the person; never the raw NHS number.
  std::string person_key;
  // The referral with name, state, times, coding and route set. Its episode
  // is a proposal: if the person already has an open episode when the
  // transaction runs, the store links to that one instead and sets
  // linked_to_existing_episode.
  sprout::v1::Referral referral;
  // The routing decision, name set.
  sprout::v1::RoutingDecision decision;
  // The queue item, name and queue set; the store assigns its sequence.
  sprout::v1::QueueItem queue_item;
  // The audit record of the submission.
  AuditEvent audit;
};

// The idempotency key a submission is stored under: the request_id within
// the submitting organisation, "{organisation_code}/{request_id}", so one
// organisation's key never meets another's (AIP-155 keys belong to their
// caller). Both backends store and look up exactly this.
std::string IdempotencyKeyOf(const Submission& submission);

// The result of a submission.
struct SubmitOutcome {
  sprout::v1::Referral referral;  // as stored (for a replay: as stored now)
  int64_t queue_sequence = 0;     // the queue item's sequence
  bool replayed = false;          // true when request_id had been committed before
};

// A lifecycle change of one referral (accept, decline, reassign, close...),
// committed with its queue item, lifecycle event, load counters, contact and
// audit record in one transaction. The lifecycle component decides what the
// change is (server/lifecycle/lifecycle.h); the store applies it only if
// neither the referral nor its queue item changed since the caller read them,
// and keeps the counters with lifecycle::LoadChangeOf.
struct ReferralUpdate {
  // The new version of the referral: same name; state, etag, update_time,
  // route and outcome as they should now be.
  sprout::v1::Referral referral;
  // The etag the caller read. The update is refused with ABORTED when the
  // stored referral's etag differs (someone else changed it first).
  std::string expected_etag;
  // The new version of the referral's queue item, when it changed (e.g. DONE,
  // or moved to another queue). The store gives it a new sequence and etag
  // so queue watchers see the change.
  std::optional<sprout::v1::QueueItem> queue_item;
  // With queue_item: the item's etag the caller read; ABORTED when it
  // differs (e.g. a claim since). Empty: not checked.
  std::string expected_item_etag;
  // The referral reached a final state: its episode ends, unless another
  // referral of the same episode is still live (not DECLINED, CLOSED or
  // WITHDRAWN), so the person's next referral opens a new one.
  bool close_episode = false;
  // The lifecycle step, e.g. "AcceptReferral": the event's action.
  std::string action;
  // The concept the step records, if any; with once_per_episode, only if the
  // episode has not recorded it before (871731000000106 at acceptance).
  std::optional<sprout::v1::CodedConcept> recorded_code;
  bool once_per_episode = false;
  // RecordContact: the contact to store. The store numbers it within the
  // episode (from 1) and names it "referrals/{id}/contacts/{number}". With a
  // non-empty contact_request_id already stored for this referral, nothing
  // is written and the stored contact is returned (AIP-155).
  std::optional<sprout::v1::Contact> contact;
  std::string contact_request_id;
  // A new routing decision, when the change re-routed the referral (an
  // administrator's move to another PCN or out of triage): stored in the
  // routing log, with its reasons, in the same transaction.
  std::optional<sprout::v1::RoutingDecision> decision;
  // The change owes the referrer an outcome message (it accepted, declined
  // or closed the referral): the outbox row is written with it (outbox.h).
  bool message_back = false;
  // ResolveCodingReview of a free-text reason: the concept chosen for the
  // flagged words, recorded with the change for learning (coding_choices.h).
  std::optional<CodingChoice> coding_choice;
  // The audit record of the change.
  AuditEvent audit;
};

// What UpdateReferral committed.
struct UpdateOutcome {
  sprout::v1::Referral referral;               // as stored
  std::optional<sprout::v1::Contact> contact;  // as stored, for a contact
  // The concept recorded by this change, if one was (not when
  // once_per_episode found it recorded already).
  std::optional<sprout::v1::CodedConcept> recorded_code;
  bool replayed = false;  // contact_request_id had been committed before
};

// A page of results. next_page_token is empty on the last page.
template <typename T>
struct Page {
  std::vector<T> items;
  std::string next_page_token;
};

// Filters for the routing log; empty fields do not filter.
struct RoutingLogQuery {
  std::string pcn_code;
  std::string practice_code;
  int source_type = 0;  // sprout::v1::SourceType, 0 = any
  int outcome = 0;      // sprout::v1::RoutingOutcome, 0 = any
  std::string rule;
  // Reason concept ids: a decision matches if any of its reasons is in this
  // set (the caller expands "reason << X" through the terminology first).
  std::vector<uint64_t> reason_any_of;
  std::optional<absl::Time> decided_after;   // inclusive
  std::optional<absl::Time> decided_before;  // exclusive
};

// A stable text form of `query`'s filters (the reason set in any order),
// bound into the routing log's page tokens so a token only fits the query
// that made it. Both backends use it, so a token is the same whichever
// serves the next page.
std::string RoutingLogQueryScope(const RoutingLogQuery& query);

// Routing decisions counted three ways, for GetStats. Each list is sorted
// by count, largest first, then by key.
struct RoutingCounts {
  std::vector<std::pair<std::string, int64_t>> by_pcn;  // pcn code; "" = triage
  std::vector<std::pair<int, int64_t>> by_source_type;  // sprout::v1::SourceType
  std::vector<std::pair<uint64_t, int64_t>> by_reason;  // reason concept id
  int64_t total = 0;
};

// One step in a referral's life: its state from `time`, and who moved it.
struct ReferralEvent {
  int64_t sequence = 0;  // global commit order of events
  sprout::v1::ReferralState state = sprout::v1::REFERRAL_STATE_UNSPECIFIED;
  absl::Time time;
  std::string actor_organisation;
  std::string action;  // "SubmitReferral", "AcceptReferral", ...; "" before schema 7
  std::optional<sprout::v1::CodedConcept> recorded_code;
};

// A routing directory version that was loaded (the `directory_version` a
// Route names), kept so every routing decision can be traced to its data.
struct DirectoryVersion {
  std::string version;      // e.g. the directory's content hash or release tag
  absl::Time loaded_time;   // when this process first loaded it
  std::string description;  // one line, e.g. the source file names
};

// An open episode of care for one person.
struct OpenEpisode {
  std::string episode_id;
  std::string pcn_code;
  std::string link_worker;  // resource name, may be empty
};

// Counts a link worker's load, for routing capacity and fairness.
struct LinkWorkerCounts {
  std::string link_worker;  // resource name "pcns/{pcn}/linkWorkers/{id}"
  int accepted_this_year = 0;
  int open_caseload = 0;  // accepted, not yet ended
  int waiting = 0;        // unclaimed items on the link worker's own queue
};

// A claim on one queue item (ClaimReferral): the item is held for `claimant`
// until `lease_expire_time`, so two link workers do not pick up one person.
struct QueueClaim {
  std::string queue_item_id;  // the id part of "queueItems/{id}"
  std::string claimant;       // who holds it, e.g. "pcns/U99001/linkWorkers/lw-1"
  absl::Time now;             // the claim's time; a lease ending at or before it has lapsed
  absl::Time lease_expire_time;
  // When set, the item must be on one of this PCN's queues ("pcns/{code}"
  // and its link workers); otherwise the claim is refused with
  // PERMISSION_DENIED and nothing changes. Empty for administrators.
  std::string required_pcn;
  AuditEvent audit;  // the audit record of the claim
};

// A registration for queue change wake-ups; dropping it unsubscribes.
class QueueSubscription {
 public:
  virtual ~QueueSubscription() = default;
};

// Store: thread-safe; every method may be called from any thread.
// Told about every write transaction a store's writer ends: how many jobs
// it held, how long its COMMIT took (the fsync or the database's flush
// included; zero when it failed before COMMIT), and whether it committed.
// Called on the writer thread: it must be quick and must not call the store.
// Given when the store is opened (OpenStoreOptions); for operators' metrics.
using WriterObserver = std::function<void(size_t jobs, absl::Duration commit, bool committed)>;
// Told about each fsync a SQLite store makes, with the kind of file ("wal":
// a commit's; "database": a checkpoint's; "journal") and how long it took.
// Called on the thread that synced (the writer, or the one closing the
// store): it must be quick and must not call the store. PostgreSQL flushes
// on its server, so a PostgreSQL store never calls it.
using SyncObserver = std::function<void(absl::string_view file, absl::Duration took)>;

class Store {
 public:
  using SubmitCallback = std::function<void(absl::StatusOr<SubmitOutcome>)>;

  virtual ~Store() = default;

  // Commits a submission durably, then calls `done` exactly once, on the
  // store's writer thread (so `done` must not block, nor call Submit,
  // AppendAudit or Shutdown, which wait for that thread). A
  // submission refused before queueing (RESOURCE_EXHAUSTED, or UNAVAILABLE
  // after Shutdown) is answered at once, on the calling thread. Errors:
  //   ALREADY_EXISTS      request_id seen with a different request_hash (the
  //                       message names the request_id), or an id in use
  //   INVALID_ARGUMENT    empty request_id, or a resource name of the wrong shape
  //   RESOURCE_EXHAUSTED  the write queue is full, or the disk is (nothing
  //                       stored; retry later)
  //   UNAVAILABLE         the store is shutting down, busy or the disk failed
  //   DATA_LOSS           a replay found the stored referral unreadable
  virtual void SubmitAsync(Submission submission, SubmitCallback done) = 0;

  // Blocking convenience over SubmitAsync.
  absl::StatusOr<SubmitOutcome> Submit(Submission submission);

  // NOT_FOUND if absent. `referral_id` is the id part of "referrals/{id}".
  virtual absl::StatusOr<sprout::v1::Referral> GetReferral(absl::string_view referral_id) = 0;

  // The organisation's referrals, newest first; every organisation's when
  // `organisation_code` is empty (administrators).
  virtual absl::StatusOr<Page<sprout::v1::Referral>> ListReferrals(
      absl::string_view organisation_code, int page_size, absl::string_view page_token) = 0;

  // Items on a queue and not yet acted on (waiting or claimed), urgent
  // first, then by sequence. `queue` is a queue resource name; "pcns/{pcn}"
  // also lists every link worker's queue in that PCN.
  virtual absl::StatusOr<Page<sprout::v1::QueueItem>> ListQueueItems(
      absl::string_view queue, int page_size, absl::string_view page_token) = 0;

  // Queue items with sequence > after_sequence on `queue` (as above), in
  // sequence order, at most `limit`. For WatchQueue catch-up.
  virtual absl::StatusOr<std::vector<sprout::v1::QueueItem>> QueueItemsAfter(
      absl::string_view queue, int64_t after_sequence, int limit) = 0;

  // Items still on a queue (waiting, or claimed: the lease may have lapsed)
  // enqueued at or before `enqueued_by`, with sequence > after_sequence, in
  // sequence order, at most `limit`. Candidates for the overdue check, which
  // the caller makes with lifecycle::IsOverdue (working days are reckoned in
  // code, not in SQL).
  virtual absl::StatusOr<std::vector<sprout::v1::QueueItem>> UnfinishedQueueItems(
      absl::Time enqueued_by, int64_t after_sequence, int limit) = 0;

  // Routing decisions matching `query`, newest first.
  virtual absl::StatusOr<Page<sprout::v1::RoutingDecision>> QueryRoutingLog(
      const RoutingLogQuery& query, int page_size, absl::string_view page_token) = 0;

  // Counts the routing decisions matching `query`'s pcn_code and time range
  // (its other fields must be empty). A decision with several reasons counts
  // once under each.
  virtual absl::StatusOr<RoutingCounts> CountRoutingDecisions(const RoutingLogQuery& query) = 0;

  // NOT_FOUND if absent. `decision_id` is the id part of "routingDecisions/{id}".
  virtual absl::StatusOr<sprout::v1::RoutingDecision> GetRoutingDecision(
      absl::string_view decision_id) = 0;

  // The person's open episode, if any.
  virtual absl::StatusOr<std::optional<OpenEpisode>> FindOpenEpisode(
      absl::string_view person_key) = 0;

  // Load of every link worker that has had a referral or a queue item, for
  // routing. `year` is the NHS financial year (lifecycle::NhsFinancialYear:
  // April to March, named by its first calendar year) counted for
  // accepted_this_year: acceptances by the update time of the change that
  // accepted them (referrals stored before schema 7 count by their create
  // time). The counters are kept by the writer, so this reads one row per
  // link worker.
  virtual absl::StatusOr<std::vector<LinkWorkerCounts>> LinkWorkerLoads(int year) = 0;

  // Commits `update` durably and returns the referral as stored. Link worker
  // loads follow the change (open caseload, accepted this year by the update
  // time, waiting items). Errors:
  //   NOT_FOUND         no such referral, or the queue item is not the referral's
  //   ABORTED           the referral's etag is no longer `expected_etag`, or
  //                     the item's no longer `expected_item_etag`
  //   INVALID_ARGUMENT  malformed names
  //   RESOURCE_EXHAUSTED, UNAVAILABLE as for SubmitAsync
  virtual absl::StatusOr<UpdateOutcome> UpdateReferral(ReferralUpdate update) = 0;

  // The referral's queue item (each referral has one, which moves between
  // queues), or nullopt for an unknown referral.
  virtual absl::StatusOr<std::optional<sprout::v1::QueueItem>> GetQueueItemOfReferral(
      absl::string_view referral_id) = 0;

  // The referrals open (ACCEPTED or IN_PROGRESS) on `link_worker`'s caseload
  // ("pcns/{pcn}/linkWorkers/{id}"), oldest first.
  virtual absl::StatusOr<std::vector<sprout::v1::Referral>> ListOpenReferrals(
      absl::string_view link_worker) = 0;

  // The contacts recorded on a referral, in number order.
  virtual absl::StatusOr<std::vector<sprout::v1::Contact>> ListContacts(
      absl::string_view referral_id) = 0;

  // The referral's lifecycle events with sequence > after_sequence, oldest
  // first (the submission is the first). Empty for an unknown referral.
  virtual absl::StatusOr<std::vector<ReferralEvent>> ListReferralEvents(
      absl::string_view referral_id, int64_t after_sequence) = 0;

  // Claims a queue item durably and returns it as stored: state CLAIMED,
  // claimed_by and lease_expire_time set, a new sequence and etag (so
  // watchers see the change). Of any number of concurrent claims on one item,
  // from any replica sharing the database, exactly one succeeds. Claiming an
  // item one already holds extends the lease. Errors:
  //   NOT_FOUND            no such queue item
  //   PERMISSION_DENIED    the item is not on required_pcn's queues
  //   FAILED_PRECONDITION  held by another claimant under a live lease, or
  //                        DONE (the message says which)
  //   INVALID_ARGUMENT     empty claimant, or a lease ending before `now`
  //   RESOURCE_EXHAUSTED, UNAVAILABLE as for SubmitAsync
  virtual absl::StatusOr<sprout::v1::QueueItem> ClaimQueueItem(const QueueClaim& claim) = 0;

  // Calls `wake` after every commit that adds or changes queue items or
  // adds referral events (WatchReferral waits on the same wake-ups),
  // including commits by other processes sharing the database (PostgreSQL
  // LISTEN/NOTIFY), and after a reconnection (when a change may have been
  // missed). A wake is only a hint: the subscriber then reads
  // QueueItemsAfter from the last sequence it saw, so wakes may be merged or
  // spurious but a committed change is never left without one. `wake` runs on
  // a store thread and must not block or call the store. Once the returned
  // subscription is destroyed, `wake` is not running and is never called.
  //
  // Sequence contract (both backends): an item becomes visible to
  // QueueItemsAfter in sequence order, so a reader that has seen sequence N
  // never later finds a newly committed item at or below N.
  virtual std::unique_ptr<QueueSubscription> SubscribeQueueChanges(std::function<void()> wake) = 0;

  // Appends an audit record outside a submission (reads, refusals), durably.
  // Waits for the writer: not for gRPC threads.
  virtual absl::Status AppendAudit(const AuditEvent& event) = 0;
  // Appends `events` in one write transaction (all or none) and then calls
  // `done` exactly once: at once on the caller's thread when refused (full
  // queue: RESOURCE_EXHAUSTED; shut down: UNAVAILABLE), else on the writer
  // thread after COMMIT, so `done` must not block or call the store's
  // waiting methods. Never waits.
  using AppendDone = std::function<void(absl::Status)>;
  virtual void AppendAuditsAsync(std::vector<AuditEvent> events, AppendDone done) = 0;

  // Audit records matching `query`, newest first. INVALID_ARGUMENT for a
  // page token from another query.
  virtual absl::StatusOr<Page<AuditRecord>> ListAuditRecords(const AuditQuery& query, int page_size,
                                                             absl::string_view page_token) = 0;

  // Records that `version` was loaded, durably. Recording a version already
  // recorded keeps the first record and succeeds.
  virtual absl::Status RecordDirectoryVersion(const DirectoryVersion& version) = 0;

  // Every recorded directory version, most recently loaded first.
  virtual absl::StatusOr<std::vector<DirectoryVersion>> ListDirectoryVersions() = 0;

  // Recomputes the audit hash chain (doc/audit-format.md) over every record.
  // A broken chain is reported in the result, not as an error; errors are for
  // failing to read (UNAVAILABLE, DATA_LOSS).
  virtual absl::StatusOr<AuditVerification> VerifyAuditChain() = 0;

  // The newest audit record's sequence and hash (nullopt while the trail is
  // empty), for the anchor kept outside the database (audit_anchor.h).
  virtual absl::StatusOr<std::optional<audit::AuditAnchor>> AuditChainHead() = 0;

  // The stored hash of audit record `sequence`; nullopt if there is none.
  virtual absl::StatusOr<std::optional<std::string>> AuditHashAt(int64_t sequence) = 0;

  // RewrapBodies()
  //
  // One batch of re-encryption after a data key rotation (body_rewrap.h):
  // reads up to `batch_size` rows of the cursor's table after its primary
  // key, seals again with the write key those sealed with another key (or
  // stored before encryption), in one writer transaction, so rows changed
  // concurrently are never overwritten with older content. DATA_LOSS or
  // FAILED_PRECONDITION for a body that does not open (the batch changes
  // nothing); RESOURCE_EXHAUSTED, UNAVAILABLE as for SubmitAsync.
  virtual absl::StatusOr<RewrapStep> RewrapBodies(const RewrapCursor& cursor, int batch_size) = 0;

  // The outbox of outcome messages (outbox.h). Each of the three writes runs
  // on the writer, durably; errors as for UpdateReferral.
  //
  // LeaseDueOutboxMessages: up to `limit` PENDING messages due at `now`,
  // soonest first, each leased for `lease` (not due again until then).
  virtual absl::StatusOr<std::vector<OutboxEntry>> LeaseDueOutboxMessages(absl::Time now,
                                                                          absl::Duration lease,
                                                                          int limit) = 0;
  // NextOutboxAttempt: when the soonest PENDING message is due (nullopt when
  // none is), read without the writer, so an idle delivery worker costs no
  // write transaction.
  virtual absl::StatusOr<std::optional<absl::Time>> NextOutboxAttempt() = 0;
  // RecordOutboxAttempt: what an attempt came to (ApplyOutboxAttempt).
  virtual absl::Status RecordOutboxAttempt(const OutboxAttempt& attempt) = 0;
  // RedeliverOutboxMessage: message `message_id` PENDING again, due `now`,
  // with `audit` in the same transaction. NOT_FOUND for an unknown message.
  virtual absl::StatusOr<sprout::v1::OutboxMessage> RedeliverOutboxMessage(
      absl::string_view message_id, absl::Time now, const AuditEvent& audit) = 0;
  // Messages in `state` (UNSPECIFIED: all), newest first. INVALID_ARGUMENT
  // for a page token from another listing.
  virtual absl::StatusOr<Page<sprout::v1::OutboxMessage>> ListOutboxMessages(
      sprout::v1::OutboxMessageState state, int page_size, absl::string_view page_token) = 0;

  // What coding review taught (coding_choices.h).
  //
  // ListCodingChoices: every concept chosen in review, phrases opened, in
  // the order they were chosen. Read without the writer.
  virtual absl::StatusOr<std::vector<CodingChoice>> ListCodingChoices() = 0;
  // ListLexiconAdditions: every accepted phrase, in the order accepted.
  virtual absl::StatusOr<std::vector<LexiconAddition>> ListLexiconAdditions() = 0;
  // AddLexiconPhrase: stores `addition` with `audit` in one durable
  // transaction. ALREADY_EXISTS when the agency has accepted the phrase
  // (same phrase_key) before; errors otherwise as for UpdateReferral.
  virtual absl::Status AddLexiconPhrase(const LexiconAddition& addition,
                                        const AuditEvent& audit) = 0;

  // Flushes queued writes and stops the writer; later calls fail UNAVAILABLE.
  virtual void Shutdown() = 0;

  // Write jobs waiting for the writer now.
  virtual size_t WriterQueueDepth() const = 0;
};

}  // namespace sprout::store

#endif  // SPROUT_SERVER_STORE_STORE_H_
