// routing_log_bench: routing-log queries (PERFORMANCE.md P8) against their
// baseline, a point lookup of one decision on the same table.
//
//   routing_log_bench [directory] [decisions] [keep|reuse]
//
// Seeds `decisions` (default 100000) spread over 20 PCNs, 12 source types, 3
// outcomes, 6 reason concepts and 30 days, then times pages of 50 for each
// filter shape (first page and the page after it) and reports p50/p99 over
// repeated queries. The first 100,000 go through the store's own write path;
// beyond that (P8 asks for 10M) the decisions and their reason rows are bulk
// inserted straight into the same tables and indexes, since submitting 10M
// referrals one by one would take most of an hour and measure nothing P8 asks.
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "server/store/body_cipher.h"
#include "server/store/sqlite/sqlite_store.h"

namespace sprout::store {
namespace {

// SNOMED CT reason concepts from DOMAIN.md.
constexpr uint64_t kReasons[] = {267076002, 422650009, 423315002, 105529008, 160932005, 81877007};
const absl::Time kStart = absl::FromUnixSeconds(1767225600);  // 2026-01-01
// How many decisions the run seeds; they are spread evenly over 30 days.
int g_total = 100000;
// Seeded through the store; the rest in bulk.
constexpr int kThroughStore = 100000;

google::protobuf::Timestamp ToProto(absl::Time t) {
  google::protobuf::Timestamp ts;
  const int64_t us = absl::ToUnixMicros(t);
  ts.set_seconds(us / 1000000);
  ts.set_nanos(static_cast<int32_t>(us % 1000000) * 1000);
  return ts;
}

Submission MakeSeed(int i) {
  const std::string id = absl::StrCat("s", i);
  const std::string pcn = absl::StrCat("pcns/U", 10000 + i % 20);
  const absl::Time t = kStart + absl::Seconds(i * (30 * 86400.0 / g_total));
  Submission s;
  s.request_id = "req-" + id;
  s.request_hash = "h";
  s.organisation_code = absl::StrCat("A", 81000 + i % 50);
  sprout::v1::Referral& r = s.referral;
  r.set_name("referrals/" + id);
  r.set_state(sprout::v1::REFERRAL_STATE_QUEUED);
  r.set_priority(sprout::v1::PRIORITY_ROUTINE);
  *r.mutable_create_time() = ToProto(t);
  r.set_episode("episodes/e-" + id);
  r.mutable_route()->set_pcn(pcn);
  r.mutable_route()->set_link_worker(absl::StrCat(pcn, "/linkWorkers/lw-", i % 3));
  sprout::v1::RoutingDecision& d = s.decision;
  d.set_name("routingDecisions/d-" + id);
  d.set_referral(r.name());
  *d.mutable_decide_time() = r.create_time();
  *d.mutable_route() = r.route();
  d.set_outcome(static_cast<sprout::v1::RoutingOutcome>(1 + i % 3));
  d.set_source_type(static_cast<sprout::v1::SourceType>(1 + i % 12));
  d.set_practice_code(s.organisation_code);
  d.add_reasons()->set_code(absl::StrCat(kReasons[i % 6]));
  if (i % 4 == 0) d.add_reasons()->set_code(absl::StrCat(kReasons[(i / 4) % 6]));
  d.mutable_explanation()->set_summary(std::string(200, 'e'));
  s.queue_item.set_name("queueItems/q-" + id);
  s.queue_item.set_referral(r.name());
  s.queue_item.set_queue(r.route().link_worker());
  s.queue_item.set_priority(r.priority());
  s.queue_item.set_state(sprout::v1::QUEUE_ITEM_STATE_WAITING);
  s.audit.actor_organisation = s.organisation_code;
  s.audit.actor_role = "referrer";
  s.audit.action = "SubmitReferral";
  s.audit.resource = r.name();
  s.audit.outcome = "OK";
  s.audit.time = t;
  return s;
}

bool Seed(Store& store, int n) {
  absl::Mutex mu;
  int outstanding = 0;
  std::atomic<int> failed{0};
  struct Window {
    int* outstanding;
  } window{&outstanding};
  for (int i = 0; i < n; ++i) {
    {
      absl::MutexLock lock(&mu);
      mu.Await(absl::Condition(
          +[](Window* w) { return *w->outstanding < 256; }, &window));
      ++outstanding;
    }
    store.SubmitAsync(MakeSeed(i), [&](absl::StatusOr<SubmitOutcome> r) {
      if (!r.ok()) failed.fetch_add(1);
      absl::MutexLock lock(&mu);
      --outstanding;
    });
  }
  absl::MutexLock lock(&mu);
  mu.Await(absl::Condition(
      +[](Window* w) { return *w->outstanding == 0; }, &window));
  return failed.load() == 0;
}

// Inserts decisions [from, to) and their reasons with one prepared statement
// each, 100,000 rows per transaction, on a connection of its own.
bool BulkSeed(const std::string& path, int from, int to) {
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) return false;
  bool ok = sqlite3_exec(db,
                         "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF; "
                         "PRAGMA cache_size=-1000000; BEGIN",
                         nullptr, nullptr, nullptr) == SQLITE_OK;
  sqlite3_stmt* decision = nullptr;
  sqlite3_stmt* reason = nullptr;
  ok =
      ok &&
      sqlite3_prepare_v2(db,
                         "INSERT INTO routing_decisions (id, referral_id, pcn_code, practice_code, "
                         "source_type, outcome, rule, decide_time_us, body) "
                         "VALUES (?, ?, ?, ?, ?, ?, '', ?, ?)",
                         -1, &decision, nullptr) == SQLITE_OK &&
      sqlite3_prepare_v2(
          db, "INSERT OR IGNORE INTO decision_reasons (concept_id, decision_pk) VALUES (?, ?)", -1,
          &reason, nullptr) == SQLITE_OK;
  for (int i = from; ok && i < to; ++i) {
    const Submission s = MakeSeed(i);
    const sprout::v1::RoutingDecision& d = s.decision;
    const std::string id = d.name().substr(d.name().find('/') + 1);
    const std::string referral = s.referral.name().substr(s.referral.name().find('/') + 1);
    const std::string pcn = d.route().pcn().substr(5);
    const std::string body = d.SerializeAsString();
    sqlite3_bind_text(decision, 1, id.data(), static_cast<int>(id.size()), SQLITE_TRANSIENT);
    sqlite3_bind_text(decision, 2, referral.data(), static_cast<int>(referral.size()),
                      SQLITE_TRANSIENT);
    sqlite3_bind_text(decision, 3, pcn.data(), static_cast<int>(pcn.size()), SQLITE_TRANSIENT);
    sqlite3_bind_text(decision, 4, d.practice_code().data(),
                      static_cast<int>(d.practice_code().size()), SQLITE_TRANSIENT);
    sqlite3_bind_int(decision, 5, d.source_type());
    sqlite3_bind_int(decision, 6, d.outcome());
    sqlite3_bind_int64(decision, 7,
                       d.decide_time().seconds() * 1000000 + d.decide_time().nanos() / 1000);
    sqlite3_bind_blob(decision, 8, body.data(), static_cast<int>(body.size()), SQLITE_TRANSIENT);
    ok = sqlite3_step(decision) == SQLITE_DONE;
    sqlite3_reset(decision);
    const int64_t pk = sqlite3_last_insert_rowid(db);
    for (const auto& r : d.reasons()) {
      sqlite3_bind_int64(reason, 1, std::stoll(r.code()));
      sqlite3_bind_int64(reason, 2, pk);
      ok = ok && sqlite3_step(reason) == SQLITE_DONE;
      sqlite3_reset(reason);
    }
    if ((i + 1) % 100000 == 0) {
      ok = ok && sqlite3_exec(db, "COMMIT; BEGIN", nullptr, nullptr, nullptr) == SQLITE_OK;
      if ((i + 1) % 1000000 == 0) std::fprintf(stderr, "  bulk: %d\n", i + 1);
    }
  }
  ok = ok && sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK;
  if (!ok) std::fprintf(stderr, "bulk seeding failed: %s\n", sqlite3_errmsg(db));
  sqlite3_finalize(decision);
  sqlite3_finalize(reason);
  sqlite3_close(db);
  return ok;
}

void Time(const std::string& name, int reps, const std::function<bool()>& query) {
  std::vector<double> us;
  bool ok = true;
  for (int i = 0; i < reps; ++i) {
    const absl::Time t = absl::Now();
    ok = query() && ok;
    us.push_back(absl::ToDoubleMicroseconds(absl::Now() - t));
  }
  std::sort(us.begin(), us.end());
  std::printf("%-44s p50 %8.0f us  p99 %8.0f us%s\n", name.c_str(), us[us.size() / 2],
              us[std::min(us.size() - 1, us.size() * 99 / 100)], ok ? "" : "  (errors!)");
}

}  // namespace
}  // namespace sprout::store

int main(int argc, char** argv) {
  using namespace sprout::store;
  const std::string dir = argc > 1 ? argv[1] : "/tmp";
  const int n = argc > 2 ? std::atoi(argv[2]) : 100000;
  g_total = n;
  const std::string path = dir + "/routing_log_bench.db";
  // "keep" leaves the database behind; "reuse" queries one left by "keep"
  // (same decision count) without seeding again.
  const std::string mode = argc > 3 ? argv[3] : "";
  if (mode != "reuse") {
    for (const char* suffix : {"", "-wal", "-shm", ".lock"}) std::remove((path + suffix).c_str());
  }
  SqliteStoreOptions options;
  options.cipher = std::make_shared<BodyCipher>(DataKeyRing::Generate());
  options.path = path;
  options.integrity_check_at_open = false;  // reads the whole file; not what is measured
  if (const char* budget_ms = std::getenv("SPROUT_ROUTING_LOG_SCAN_BUDGET_MS")) {
    options.routing_log_scan_budget = absl::Milliseconds(std::atoi(budget_ms));
  }
  absl::StatusOr<std::unique_ptr<SqliteStore>> opened = SqliteStore::Open(options);
  if (!opened.ok()) {
    std::fprintf(stderr, "%s\n", std::string(opened.status().message()).c_str());
    return 1;
  }
  const absl::Time seed_start = absl::Now();
  if (mode != "reuse" && !Seed(**opened, std::min(n, kThroughStore))) {
    std::fprintf(stderr, "seeding had failures\n");
  }
  if (mode != "reuse" && n > kThroughStore) {
    opened->reset();  // the bulk writer needs the file to itself
    if (!BulkSeed(path, kThroughStore, n)) return 1;
    opened = SqliteStore::Open(options);
    if (!opened.ok()) {
      std::fprintf(stderr, "%s\n", std::string(opened.status().message()).c_str());
      return 1;
    }
  }
  Store& store = **opened;
  std::printf("seeded %d decisions in %.1f s\n", n,
              absl::ToDoubleSeconds(absl::Now() - seed_start));

  constexpr int kReps = 200;
  int k = 0;
  Time("baseline: GetRoutingDecision (point lookup)", kReps,
       [&] { return store.GetRoutingDecision(absl::StrCat("d-s", (k++ * 7919) % n)).ok(); });
  auto page = [&](const RoutingLogQuery& q, bool second) {
    absl::StatusOr<Page<sprout::v1::RoutingDecision>> p = store.QueryRoutingLog(q, 50, "");
    if (!p.ok()) return false;
    if (!second) return true;
    return store.QueryRoutingLog(q, 50, p->next_page_token).ok();
  };
  for (bool second : {false, true}) {
    const std::string which = second ? " (pages 1+2)" : "";
    Time("no filter" + which, kReps, [&] { return page({}, second); });
    RoutingLogQuery pcn;
    pcn.pcn_code = "U10007";
    Time("pcn" + which, kReps, [&] { return page(pcn, second); });
    RoutingLogQuery reason;
    reason.reason_any_of = {105529008};
    Time("reason (1 concept)" + which, kReps, [&] { return page(reason, second); });
    RoutingLogQuery reasons;
    for (int i = 0; i < 500; ++i) reasons.reason_any_of.push_back(900000000 + i);
    reasons.reason_any_of.push_back(81877007);
    Time("reason set (501 concepts)" + which, kReps, [&] { return page(reasons, second); });
    RoutingLogQuery combined;
    combined.pcn_code = "U10003";
    combined.source_type = 4;
    combined.decided_after = kStart + absl::Hours(24 * 10);
    combined.decided_before = kStart + absl::Hours(24 * 12);
    Time("pcn + source + 2-day range" + which, kReps, [&] { return page(combined, second); });
    RoutingLogQuery rare;
    rare.practice_code = "A81049";
    rare.outcome = 3;
    rare.reason_any_of = {423315002};
    Time("practice + outcome + reason (sparse)" + which, kReps, [&] { return page(rare, second); });
  }
  opened->reset();
  // "keep" leaves the database for EXPLAIN QUERY PLAN and the like.
  if (mode != "keep" && mode != "reuse") {
    for (const char* suffix : {"", "-wal", "-shm", ".lock"}) std::remove((path + suffix).c_str());
  }
  return 0;
}
