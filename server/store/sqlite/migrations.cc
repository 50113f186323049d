#include "server/store/sqlite/migrations.h"

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "server/store/shared_migrations.h"

namespace sprout::store::sqlite {
namespace {

// Version 1: referrals, episodes, routing decisions, queue items, idempotency
// keys. Bodies are serialized protobuf; the other columns exist for indexes.
constexpr char kV1[] = R"sql(
CREATE TABLE episodes (
  id TEXT PRIMARY KEY,
  person_key TEXT NOT NULL,
  pcn_code TEXT NOT NULL,
  link_worker TEXT NOT NULL,
  is_open INTEGER NOT NULL,
  open_time_us INTEGER NOT NULL
);
CREATE UNIQUE INDEX episodes_one_open_per_person
  ON episodes(person_key) WHERE is_open = 1 AND person_key != '';

CREATE TABLE referrals (
  pk INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  organisation_code TEXT NOT NULL,
  person_key TEXT NOT NULL,
  episode_id TEXT NOT NULL REFERENCES episodes(id),
  state INTEGER NOT NULL,
  create_time_us INTEGER NOT NULL,
  link_worker TEXT NOT NULL,
  body BLOB NOT NULL
);
CREATE INDEX referrals_by_organisation
  ON referrals(organisation_code, create_time_us DESC, pk DESC);
CREATE INDEX referrals_by_link_worker ON referrals(link_worker, state);

CREATE TABLE routing_decisions (
  pk INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  referral_id TEXT NOT NULL REFERENCES referrals(id),
  pcn_code TEXT NOT NULL,
  practice_code TEXT NOT NULL,
  source_type INTEGER NOT NULL,
  outcome INTEGER NOT NULL,
  rule TEXT NOT NULL,
  decide_time_us INTEGER NOT NULL,
  body BLOB NOT NULL
);
CREATE INDEX routing_decisions_by_time ON routing_decisions(decide_time_us DESC, pk DESC);
CREATE INDEX routing_decisions_by_pcn
  ON routing_decisions(pcn_code, decide_time_us DESC, pk DESC);

CREATE TABLE decision_reasons (
  concept_id INTEGER NOT NULL,
  decision_pk INTEGER NOT NULL REFERENCES routing_decisions(pk),
  PRIMARY KEY (concept_id, decision_pk)
) WITHOUT ROWID;

CREATE TABLE queue_items (
  sequence INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  referral_id TEXT NOT NULL REFERENCES referrals(id),
  queue TEXT NOT NULL,
  pcn_code TEXT NOT NULL,
  priority INTEGER NOT NULL,
  state INTEGER NOT NULL,
  enqueue_time_us INTEGER NOT NULL,
  body BLOB NOT NULL
);
CREATE INDEX queue_items_by_queue ON queue_items(queue, state, priority DESC, sequence);
CREATE INDEX queue_items_by_pcn ON queue_items(pcn_code, state, priority DESC, sequence);

CREATE TABLE idempotency_keys (
  request_id TEXT PRIMARY KEY,
  request_hash TEXT NOT NULL,
  referral_id TEXT NOT NULL REFERENCES referrals(id),
  queue_sequence INTEGER NOT NULL,
  create_time_us INTEGER NOT NULL
);
)sql";

// Version 2: the append-only, hash-chained audit trail (doc/audit-format.md).
constexpr char kV2[] = R"sql(
CREATE TABLE audit_records (
  sequence INTEGER PRIMARY KEY,
  time_us INTEGER NOT NULL,
  actor_organisation TEXT NOT NULL,
  actor_role TEXT NOT NULL,
  action TEXT NOT NULL,
  resource TEXT NOT NULL,
  outcome TEXT NOT NULL,
  prev_hash BLOB NOT NULL,
  hash BLOB NOT NULL
);
CREATE TRIGGER audit_records_no_update BEFORE UPDATE ON audit_records
  BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
CREATE TRIGGER audit_records_no_delete BEFORE DELETE ON audit_records
  BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
)sql";

// Version 3: lifecycle events, directory versions, queue catch-up by sequence,
// and routing-log filters by source type and outcome.
constexpr char kV3[] = R"sql(
CREATE TABLE referral_events (
  pk INTEGER PRIMARY KEY,
  referral_id TEXT NOT NULL REFERENCES referrals(id),
  state INTEGER NOT NULL,
  event_time_us INTEGER NOT NULL,
  actor TEXT NOT NULL
);
CREATE INDEX referral_events_by_referral ON referral_events(referral_id, pk);

CREATE TABLE directory_versions (
  version TEXT PRIMARY KEY,
  loaded_time_us INTEGER NOT NULL,
  description TEXT NOT NULL
);

CREATE INDEX queue_items_by_queue_sequence ON queue_items(queue, sequence);
CREATE INDEX queue_items_by_pcn_sequence ON queue_items(pcn_code, sequence);

CREATE INDEX routing_decisions_by_source
  ON routing_decisions(source_type, decide_time_us DESC, pk DESC);
CREATE INDEX routing_decisions_by_outcome
  ON routing_decisions(outcome, decide_time_us DESC, pk DESC);
)sql";

// Version 4: link worker load counters, kept by the writer in each
// submission's transaction, so routing reads a few rows instead of scanning
// every referral. Backfilled from the rows already stored.
constexpr char kV4[] = R"sql(
CREATE TABLE link_worker_load (
  link_worker TEXT PRIMARY KEY,
  open_caseload INTEGER NOT NULL,
  waiting INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE link_worker_accepted (
  link_worker TEXT NOT NULL,
  year INTEGER NOT NULL,
  accepted INTEGER NOT NULL,
  PRIMARY KEY (link_worker, year)
) WITHOUT ROWID;
INSERT INTO link_worker_load (link_worker, open_caseload, waiting)
  SELECT lw, SUM(open), SUM(waiting) FROM (
    SELECT link_worker AS lw, state IN (3, 6) AS open, 0 AS waiting
      FROM referrals WHERE link_worker != ''
    UNION ALL
    SELECT queue, 0, 1 FROM queue_items
      WHERE state = 1 AND queue LIKE 'pcns/%/linkWorkers/%')
  GROUP BY lw;
INSERT INTO link_worker_accepted (link_worker, year, accepted)
  SELECT link_worker,
         CAST(strftime('%Y', create_time_us / 1000000, 'unixepoch') AS INTEGER), COUNT(*)
  FROM referrals WHERE link_worker != '' AND state IN (3, 6, 7) GROUP BY 1, 2;
)sql";

// Version 5: routing-log filters measured by bench/store/routing_log_bench:
// practice and rule get indexes, and a decision's reasons can be read by
// decision, so a reason-set filter checks each candidate decision with one
// short range scan instead of one probe per concept in the set.
constexpr char kV5[] = R"sql(
CREATE INDEX decision_reasons_by_decision ON decision_reasons(decision_pk, concept_id);
CREATE INDEX routing_decisions_by_practice
  ON routing_decisions(practice_code, decide_time_us DESC, pk DESC);
CREATE INDEX routing_decisions_by_rule ON routing_decisions(rule, decide_time_us DESC, pk DESC);
)sql";

// Version 6: audit records name the link worker, the resources a read
// returned and a break-glass read's reason (doc/audit-format.md, format 2);
// listing by action and of break-glass reads.
constexpr char kV6[] = R"sql(
ALTER TABLE audit_records ADD COLUMN actor_link_worker TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_records ADD COLUMN returned TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_records ADD COLUMN stated_reason TEXT NOT NULL DEFAULT '';
CREATE INDEX audit_records_by_action ON audit_records(action, sequence);
CREATE INDEX audit_records_break_glass ON audit_records(sequence) WHERE stated_reason <> '';
)sql";

// Version 7: the referral lifecycle. Contacts, numbered within the person's
// episode (idempotent by request id); what each lifecycle event did and the
// concept it recorded; whether the episode has had its 871731000000106
// (once per episode); open caseloads by link worker; accepted referrals
// counted by NHS financial year (April to March) instead of calendar year.
constexpr char kV7[] = R"sql(
CREATE TABLE contacts (
  pk INTEGER PRIMARY KEY,
  referral_id TEXT NOT NULL REFERENCES referrals(id),
  episode_id TEXT NOT NULL REFERENCES episodes(id),
  number INTEGER NOT NULL,
  request_id TEXT NOT NULL,
  body BLOB NOT NULL
);
CREATE UNIQUE INDEX contacts_by_episode ON contacts(episode_id, number);
CREATE INDEX contacts_by_referral ON contacts(referral_id, number);
CREATE UNIQUE INDEX contacts_by_request ON contacts(referral_id, request_id)
  WHERE request_id != '';

ALTER TABLE referral_events ADD COLUMN action TEXT NOT NULL DEFAULT '';
ALTER TABLE referral_events ADD COLUMN recorded_code TEXT NOT NULL DEFAULT '';
ALTER TABLE referral_events ADD COLUMN recorded_display TEXT NOT NULL DEFAULT '';

ALTER TABLE episodes ADD COLUMN service_code_recorded INTEGER NOT NULL DEFAULT 0;
UPDATE episodes SET service_code_recorded = 1
  WHERE id IN (SELECT episode_id FROM referrals WHERE state IN (3, 6, 7));

CREATE INDEX referrals_by_link_worker_state ON referrals(link_worker, state);

DELETE FROM link_worker_accepted;
INSERT INTO link_worker_accepted (link_worker, year, accepted)
  SELECT link_worker,
         CAST(strftime('%Y', create_time_us / 1000000, 'unixepoch') AS INTEGER)
           - (CAST(strftime('%m', create_time_us / 1000000, 'unixepoch') AS INTEGER) < 4),
         COUNT(*)
  FROM referrals WHERE link_worker != '' AND state IN (3, 6, 7) GROUP BY 1, 2;
)sql";

// Version 8: items still on a queue (waiting or claimed) by sequence, for
// the overdue count and listing, which must not scan every item ever done.
constexpr char kV8[] = R"sql(
CREATE INDEX queue_items_unfinished ON queue_items(sequence) WHERE state != 3;
)sql";

// Version 10: fewer B-trees written per referral (BENCHMARKS.md "Bytes per
// referral"). referrals_by_link_worker repeats referrals_by_link_worker_state
// (version 7) column for column. decision_reasons was keyed by concept for a
// reason filter that probed once per concept; the windowed routing-log query
// reads a decision's reasons by decision instead (sqlite_routing_log.cc), so
// the table is keyed that way and its second index goes with the old key.
constexpr char kV10[] = R"sql(
DROP INDEX referrals_by_link_worker;

CREATE TABLE decision_reasons_by_decision_pk (
  decision_pk INTEGER NOT NULL REFERENCES routing_decisions(pk),
  concept_id INTEGER NOT NULL,
  PRIMARY KEY (decision_pk, concept_id)
) WITHOUT ROWID;
INSERT INTO decision_reasons_by_decision_pk (decision_pk, concept_id)
  SELECT decision_pk, concept_id FROM decision_reasons;
DROP TABLE decision_reasons;
ALTER TABLE decision_reasons_by_decision_pk RENAME TO decision_reasons;
)sql";

// Version 11: the outbox of outcome messages to referrers (server/store/
// outbox.h): one row per message owed, written with the change that owes it,
// the referral as committed sealed in `body`. Due rows are found by the
// partial index; administrators list by state.
constexpr char kV11[] = R"sql(
CREATE TABLE outbox_messages (
  pk INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  referral_id TEXT NOT NULL REFERENCES referrals(id),
  organisation_code TEXT NOT NULL,
  referral_state INTEGER NOT NULL,
  state INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  create_time_us BIGINT NOT NULL,
  next_attempt_us BIGINT NOT NULL,
  last_attempt_us BIGINT NOT NULL DEFAULT 0,
  deliver_time_us BIGINT NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  body BLOB NOT NULL
);
CREATE INDEX outbox_messages_due ON outbox_messages(next_attempt_us) WHERE state = 1;
CREATE INDEX outbox_messages_by_state ON outbox_messages(state, pk);
)sql";

// Version 12: what coding review teaches (server/store/coding_choices.h):
// each concept chosen for a flagged free-text reason, its words sealed in
// `body`, and the phrases administrators accepted into agency lexicons.
constexpr char kV12[] = R"sql(
CREATE TABLE coding_choices (
  pk INTEGER PRIMARY KEY,
  referral_id TEXT NOT NULL REFERENCES referrals(id),
  reason_index INTEGER NOT NULL,
  source_type INTEGER NOT NULL,
  concept_id TEXT NOT NULL,
  concept_display TEXT NOT NULL,
  chosen_by TEXT NOT NULL,
  choice_time_us BIGINT NOT NULL,
  body BLOB NOT NULL,
  UNIQUE (referral_id, reason_index)
);
CREATE TABLE lexicon_additions (
  pk INTEGER PRIMARY KEY,
  agency TEXT NOT NULL,
  phrase_key TEXT NOT NULL,
  phrase TEXT NOT NULL,
  concept_id TEXT NOT NULL,
  concept_display TEXT NOT NULL,
  accepted_by TEXT NOT NULL,
  accept_time_us BIGINT NOT NULL,
  UNIQUE (agency, phrase_key)
);
)sql";

constexpr char kCreateVersionTable[] = R"sql(
CREATE TABLE IF NOT EXISTS schema_version (
  version INTEGER PRIMARY KEY,
  applied_time_us INTEGER NOT NULL,
  description TEXT NOT NULL
);
)sql";

}  // namespace

const std::vector<Migration>& SqliteMigrations() {
  static const std::vector<Migration>* const kMigrations = new std::vector<Migration>{
      {1, "referrals, episodes, routing decisions, queue items, idempotency keys", kV1},
      {2, "hash-chained audit records", kV2},
      {3, "referral events, directory versions, catch-up and routing-log indexes", kV3},
      {4, "link worker load counters", kV4},
      {5, "routing-log indexes for practice, rule and reasons by decision", kV5},
      {6, "audit records: link worker, resources returned, break-glass reason", kV6},
      {7, "lifecycle: contacts, event actions and codes, financial-year counts", kV7},
      {8, "unfinished queue items by sequence, for overdue items", kV8},
      {9, "idempotency keys scoped to the calling organisation",
       kScopeIdempotencyKeysToOrganisation},
      {10, "no duplicate link worker index; decision reasons keyed by decision", kV10},
      {11, "outbox of outcome messages to referrers", kV11},
      {12, "coding review choices and accepted lexicon phrases", kV12},
  };
  return *kMigrations;
}

int LatestSchemaVersion() { return SqliteMigrations().back().version; }

absl::StatusOr<int> CurrentSchemaVersion(Connection& db) {
  SPROUT_ASSIGN_OR_RETURN(
      std::string exists,
      db.QueryText("SELECT name FROM sqlite_master WHERE type='table' AND name='schema_version'"));
  if (exists.empty()) return 0;
  SPROUT_ASSIGN_OR_RETURN(Statement stmt,
                          db.Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_version"));
  SPROUT_ASSIGN_OR_RETURN(bool row, stmt.Step());
  return row ? static_cast<int>(stmt.ColumnInt64(0)) : 0;
}

absl::StatusOr<int> MigrateSqlite(Connection& db, int target_version, absl::Time now) {
  SPROUT_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
  auto fail = [&db](absl::Status s) {
    db.Exec("ROLLBACK").IgnoreError();  // the original error matters more
    return s;
  };
  absl::Status s = db.Exec(kCreateVersionTable);
  if (!s.ok()) return fail(s);
  absl::StatusOr<int> current = CurrentSchemaVersion(db);
  if (!current.ok()) return fail(current.status());
  if (*current > LatestSchemaVersion()) {
    return fail(absl::FailedPreconditionError(
        absl::StrCat("database ", db.path(), " has schema version ", *current,
                     ", newer than this build's ", LatestSchemaVersion(), "; upgrade sproutd")));
  }
  int reached = *current;
  for (const Migration& m : SqliteMigrations()) {
    if (m.version <= reached || m.version > target_version) continue;
    s = db.Exec(m.sql);
    if (!s.ok()) {
      return fail(absl::Status(
          s.code(), absl::StrCat("schema migration ", m.version, " failed: ", s.message())));
    }
    absl::StatusOr<Statement> insert = db.Prepare(
        "INSERT INTO schema_version (version, applied_time_us, description) VALUES (?, ?, ?)");
    if (!insert.ok()) return fail(insert.status());
    s = insert->Bind(1, m.version)
            .Bind(2, absl::ToUnixMicros(now))
            .BindText(3, m.description)
            .Run();
    if (!s.ok()) return fail(s);
    reached = m.version;
  }
  s = db.Exec("COMMIT");
  if (!s.ok()) return fail(s);
  return reached;
}

}  // namespace sprout::store::sqlite
