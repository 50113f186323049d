// store_bench: the SQLite store's write path against its baselines
// (PERFORMANCE.md, "Persistence layer" and "Commit rate vs the disk").
//
//   store_bench [directory] [submissions] [in flight: run only the store]
//
// Measures, on files in `directory` (default /tmp):
//   1. fdatasync: 4 KiB append + fdatasync, the disk's durable-write floor;
//   2. raw SQLite: the store's own schema, pragmas and INSERT statements run
//      straight through the C API, one transaction per batch of 1, 10, 100;
//   3. the store: SubmitAsync with 1, 10, 64, 256 submissions in flight
//      (group commit decides the batch), reporting throughput, batch size and
//      latency percentiles.
// Every submission writes the same rows and bytes in 2 and 3 (referral,
// episode, decision, reason, queue item, load counter, idempotency key,
// event, audit), with the same indexes.
#include <fcntl.h>
#include <sqlite3.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bench/store/bench_submission.h"
#include "server/audit/audit_chain.h"
#include "server/store/body_cipher.h"
#include "server/store/sqlite/connection.h"
#include "server/store/sqlite/migrations.h"
#include "server/store/sqlite/sqlite_store.h"

namespace sprout::store {
namespace {

using sqlite::Connection;
using sqlite::Statement;

// CPU time of the whole process (all threads), in microseconds: less
// sensitive than wall time to other load on a shared machine.
double ProcessCpuMicros() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
}

void RemoveDb(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm", ".lock"}) {
    std::remove((path + suffix).c_str());
  }
}

void FdatasyncBaseline(const std::string& dir, int n) {
  const std::string path = dir + "/store_bench.fsync";
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0600);
  if (fd < 0) return;
  const std::string block(4096, 'x');
  std::vector<double> us;
  const absl::Time start = absl::Now();
  for (int i = 0; i < n; ++i) {
    const absl::Time t = absl::Now();
    if (::write(fd, block.data(), block.size()) != static_cast<ssize_t>(block.size())) break;
    ::fdatasync(fd);
    us.push_back(absl::ToDoubleMicroseconds(absl::Now() - t));
  }
  const double secs = absl::ToDoubleSeconds(absl::Now() - start);
  ::close(fd);
  std::remove(path.c_str());
  std::printf("fdatasync 4KiB append        %8.0f ops/s   p50 %6.0f us  p99 %6.0f us\n",
              us.size() / secs, Percentile(us, 0.5), Percentile(us, 0.99));
}

// The store's INSERTs (sqlite_writer.cc), without the queue, thread,
// savepoints or idempotency lookup: what the store adds is the difference.
absl::Status RawInsert(Connection& db, Submission& s, int64_t seq, std::string* audit_head) {
  const std::string body = s.referral.SerializeAsString();
  const std::string id = s.referral.name().substr(10);
  const int64_t t = absl::ToUnixMicros(absl::Now());
  auto run = [&](const std::string& sql, auto bind) -> absl::Status {
    absl::StatusOr<Statement> stmt = db.Prepare(sql);
    if (!stmt.ok()) return stmt.status();
    bind(*stmt);
    return stmt->Run();
  };
  absl::Status st =
      run("INSERT INTO episodes (id, person_key, pcn_code, link_worker, is_open, open_time_us) "
          "VALUES (?, ?, ?, ?, 1, ?)",
          [&](Statement& q) {
            q.BindText(1, "e-" + id).BindText(2, s.person_key).BindText(3, "U12345");
            q.BindText(4, s.referral.route().link_worker()).Bind(5, t);
          });
  if (st.ok()) {
    st =
        run("INSERT INTO referrals (id, organisation_code, person_key, episode_id, state, "
            "create_time_us, link_worker, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [&](Statement& q) {
              q.BindText(1, id).BindText(2, s.organisation_code).BindText(3, s.person_key);
              q.BindText(4, "e-" + id).Bind(5, 2).Bind(6, t);
              q.BindText(7, s.referral.route().link_worker()).BindBlob(8, body);
            });
  }
  if (st.ok()) {
    st =
        run("INSERT INTO routing_decisions (id, referral_id, pcn_code, practice_code, source_type, "
            "outcome, rule, decide_time_us, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [&](Statement& q) {
              q.BindText(1, "d-" + id).BindText(2, id).BindText(3, "U12345").BindText(4, "A81001");
              q.Bind(5, 1).Bind(6, 1).BindText(7, "").Bind(8, t);
              q.BindBlob(9, s.decision.SerializeAsString());
            });
  }
  const int64_t decision_pk = sqlite3_last_insert_rowid(db.raw());
  if (st.ok()) {
    st = run("INSERT OR IGNORE INTO decision_reasons (concept_id, decision_pk) VALUES (?, ?)",
             [&](Statement& q) { q.Bind(1, 267076002).Bind(2, decision_pk); });
  }
  if (st.ok()) {
    s.queue_item.set_sequence(seq);
    st =
        run("INSERT INTO queue_items (sequence, id, referral_id, queue, pcn_code, priority, state, "
            "enqueue_time_us, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [&](Statement& q) {
              q.Bind(1, seq).BindText(2, "q-" + id).BindText(3, id);
              q.BindText(4, s.queue_item.queue()).BindText(5, "U12345").Bind(6, 1).Bind(7, 1);
              q.Bind(8, t).BindBlob(9, s.queue_item.SerializeAsString());
            });
  }
  if (st.ok()) {
    st = run(
        "INSERT INTO link_worker_load (link_worker, open_caseload, waiting) VALUES (?1, ?2, ?3) "
        "ON CONFLICT (link_worker) DO UPDATE SET open_caseload = open_caseload + ?2, "
        "waiting = waiting + ?3",
        [&](Statement& q) {
          q.BindText(1, s.referral.route().link_worker()).Bind(2, 0).Bind(3, 1);
        });
  }
  if (st.ok()) {
    st =
        run("INSERT INTO idempotency_keys (request_id, request_hash, referral_id, queue_sequence, "
            "create_time_us) VALUES (?, ?, ?, ?, ?)",
            [&](Statement& q) {
              q.BindText(1, s.request_id).BindText(2, s.request_hash).BindText(3, id);
              q.Bind(4, seq).Bind(5, t);
            });
  }
  if (st.ok()) {
    st =
        run("INSERT INTO referral_events (referral_id, state, event_time_us, actor, action) "
            "VALUES (?, ?, ?, ?, ?)",
            [&](Statement& q) {
              q.BindText(1, id)
                  .Bind(2, 2)
                  .Bind(3, t)
                  .BindText(4, "A81001")
                  .BindText(5, "SubmitReferral");
            });
  }
  if (st.ok()) {
    std::string hash = audit::ChainAuditHash(*audit_head, seq, s.audit);
    st =
        run("INSERT INTO audit_records (sequence, time_us, actor_organisation, actor_role, action, "
            "resource, outcome, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [&](Statement& q) {
              q.Bind(1, seq).Bind(2, t).BindText(3, "A81001").BindText(4, "referrer");
              q.BindText(5, "SubmitReferral").BindText(6, s.referral.name()).BindText(7, "OK");
              q.BindBlob(8, *audit_head).BindBlob(9, hash);
            });
    *audit_head = std::move(hash);
  }
  return st;
}

double RawBaseline(const std::string& dir, int n, int batch) {
  const std::string path = dir + "/store_bench_raw.db";
  RemoveDb(path);
  double rate = 0;
  double cpu = 0;
  {
    absl::StatusOr<std::unique_ptr<Connection>> db =
        Connection::Open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, absl::Seconds(5));
    if (!db.ok()) return 0;
    Connection& c = **db;
    if (!c.QueryText("PRAGMA journal_mode=WAL").ok() || !c.Exec("PRAGMA synchronous=FULL").ok() ||
        !c.Exec("PRAGMA foreign_keys=ON").ok() ||
        !sqlite::MigrateSqlite(c, sqlite::LatestSchemaVersion(), absl::Now()).ok()) {
      return 0;
    }
    std::vector<Submission> subs;
    for (int i = 0; i < n; ++i) subs.push_back(MakeBenchSubmission(absl::StrCat("raw", i)));
    std::string head = audit::GenesisAuditHash();
    cpu = ProcessCpuMicros();
    const absl::Time start = absl::Now();
    for (int i = 0; i < n;) {
      if (!c.Exec("BEGIN IMMEDIATE").ok()) return 0;
      for (int j = 0; j < batch && i < n; ++j, ++i) {
        if (!RawInsert(c, subs[i], i + 1, &head).ok()) return 0;
      }
      if (!c.Exec("COMMIT").ok()) return 0;
    }
    rate = n / absl::ToDoubleSeconds(absl::Now() - start);
    cpu = (ProcessCpuMicros() - cpu) / n;
  }
  RemoveDb(path);
  std::printf("raw SQLite, batch %-3d         %8.0f submissions/s  cpu %5.0f us/submission\n",
              batch, rate, cpu);
  return rate;
}

double StoreRun(const std::string& dir, int n, int in_flight) {
  const std::string path = dir + "/store_bench_store.db";
  RemoveDb(path);
  SqliteStoreOptions options;
  options.cipher = std::make_shared<BodyCipher>(DataKeyRing::Generate());
  options.path = path;
  absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(options);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", std::string(store.status().message()).c_str());
    return 0;
  }
  std::vector<Submission> subs;
  for (int i = 0; i < n; ++i) subs.push_back(MakeBenchSubmission(absl::StrCat("s", i)));
  absl::Mutex mu;
  int outstanding = 0;
  int failed = 0;
  std::vector<double> latency_us(n);
  struct Window {
    int* outstanding;
    int limit;
  } window{&outstanding, in_flight};
  const double cpu_start = ProcessCpuMicros();
  const absl::Time start = absl::Now();
  for (int i = 0; i < n; ++i) {
    {
      absl::MutexLock lock(&mu);
      mu.Await(absl::Condition(
          +[](Window* w) { return *w->outstanding < w->limit; }, &window));
      ++outstanding;
    }
    const absl::Time t = absl::Now();
    (*store)->SubmitAsync(std::move(subs[i]), [&, i, t](absl::StatusOr<SubmitOutcome> r) {
      latency_us[i] = absl::ToDoubleMicroseconds(absl::Now() - t);
      absl::MutexLock lock(&mu);
      if (!r.ok()) ++failed;
      --outstanding;
    });
  }
  {
    absl::MutexLock lock(&mu);
    mu.Await(absl::Condition(
        +[](int* o) { return *o == 0; }, &outstanding));
  }
  const double secs = absl::ToDoubleSeconds(absl::Now() - start);
  const double cpu = (ProcessCpuMicros() - cpu_start) / n;
  const SqliteStoreStats stats = (*store)->stats();
  store->reset();
  RemoveDb(path);
  const double rate = n / secs;
  std::printf(
      "store, %3d in flight          %8.0f submissions/s  cpu %5.0f us/submission  "
      "%5.1f per commit  p50 %6.0f us  p99 %6.0f us%s\n",
      in_flight, rate, cpu,
      static_cast<double>(stats.submissions) / std::max<int64_t>(1, stats.transactions),
      Percentile(latency_us, 0.5), Percentile(latency_us, 0.99), failed ? "  (failures!)" : "");
  return rate;
}

}  // namespace
}  // namespace sprout::store

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : "/tmp";
  const int n = argc > 2 ? std::atoi(argv[2]) : 5000;
  using namespace sprout::store;
  if (argc > 3) {  // profiling aid: only the store, at this many in flight
    StoreRun(dir, n, std::atoi(argv[3]));
    return 0;
  }
  FdatasyncBaseline(dir, 2000);
  const double raw1 = RawBaseline(dir, std::min(n, 2000), 1);
  const double raw10 = RawBaseline(dir, n, 10);
  const double raw100 = RawBaseline(dir, n, 100);
  const double s1 = StoreRun(dir, std::min(n, 2000), 1);
  const double s10 = StoreRun(dir, n, 10);
  const double s64 = StoreRun(dir, n, 64);
  const double s256 = StoreRun(dir, n, 256);
  std::printf(
      "ratios: store@1/raw@1 %.2f  store@10/raw@10 %.2f  store@64/raw@100 %.2f  "
      "store@256/raw@100 %.2f\n",
      s1 / raw1, s10 / raw10, s64 / raw100, s256 / raw100);
  return 0;
}
