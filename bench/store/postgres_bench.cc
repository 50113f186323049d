// postgres_bench: Submit throughput through the PostgreSQL backend, with N
// concurrent submitters (as N gRPC handlers would be), for comparison with
// pgbench running the same SQL per transaction (bench/store/pg_submit.sql).
//
//   postgres_bench '<keyword conninfo>' [clients] [seconds]
//
// Recreates the schema "sprout_bench" in that database, opens the store on
// it, and runs `clients` threads each submitting referral-shaped
// submissions (about 1.5 KB, synthetic filler, no patient data) back to
// back for `seconds`. Prints submissions/s, transactions, the mean batch
// and latency percentiles. The schema is left in place for pgbench:
//
//   PGOPTIONS='-c search_path=sprout_bench' pgbench -n -M prepared -c N -j 2 -T S
//     -f bench/store/pg_submit.sql '<conninfo>'      (one command line)
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bench/store/bench_submission.h"
#include "server/store/body_cipher.h"
#include "server/store/postgres/pg_connection.h"
#include "server/store/postgres/postgres_store.h"

namespace sprout::store {
namespace {

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
}

int Run(const std::string& conninfo, int clients, int seconds) {
  constexpr char kSchema[] = "sprout_bench";
  {
    absl::StatusOr<std::unique_ptr<postgres::Connection>> admin =
        postgres::Connection::Open(conninfo, 5);
    if (!admin.ok()) {
      std::fprintf(stderr, "postgres_bench: %s\n", admin.status().ToString().c_str());
      return 1;
    }
    absl::Status s = (*admin)->Exec(
        absl::StrCat("DROP SCHEMA IF EXISTS ", kSchema, " CASCADE; CREATE SCHEMA ", kSchema));
    if (!s.ok()) {
      std::fprintf(stderr, "postgres_bench: %s\n", s.ToString().c_str());
      return 1;
    }
  }
  PostgresStoreOptions options;
  options.cipher = std::make_shared<BodyCipher>(DataKeyRing::Generate());
  options.conninfo = absl::StrCat(conninfo, " options='-c search_path=", kSchema, "'");
  absl::StatusOr<std::unique_ptr<PostgresStore>> store = PostgresStore::Open(options);
  if (!store.ok()) {
    std::fprintf(stderr, "postgres_bench: %s\n", store.status().ToString().c_str());
    return 1;
  }
  std::atomic<bool> stop{false};
  std::atomic<int64_t> failed{0};
  absl::Mutex mu;
  std::vector<double> latencies_us;
  std::vector<std::thread> threads;
  const absl::Time start = absl::Now();
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      std::vector<double> mine;
      for (int i = 0; !stop.load(); ++i) {
        Submission s = MakeBenchSubmission(absl::StrCat("c", c, "-", i));
        const absl::Time t = absl::Now();
        if (!(*store)->Submit(std::move(s)).ok()) failed.fetch_add(1);
        mine.push_back(absl::ToDoubleMicroseconds(absl::Now() - t));
      }
      absl::MutexLock lock(&mu);
      latencies_us.insert(latencies_us.end(), mine.begin(), mine.end());
    });
  }
  absl::SleepFor(absl::Seconds(seconds));
  stop.store(true);
  for (std::thread& t : threads) t.join();
  const double elapsed = absl::ToDoubleSeconds(absl::Now() - start);
  const PostgresStoreStats stats = (*store)->stats();
  (*store)->Shutdown();
  std::printf(
      "store, %3d clients  %8.0f submissions/s  %6lld transactions  mean batch %5.1f  "
      "p50 %7.0f us  p99 %7.0f us  failed %lld\n",
      clients, static_cast<double>(stats.submissions) / elapsed,
      static_cast<long long>(stats.transactions),
      stats.transactions > 0
          ? static_cast<double>(stats.submissions) / static_cast<double>(stats.transactions)
          : 0.0,
      Percentile(latencies_us, 0.5), Percentile(latencies_us, 0.99),
      static_cast<long long>(failed.load()));
  return failed.load() == 0 ? 0 : 1;
}

}  // namespace
}  // namespace sprout::store

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: postgres_bench '<keyword conninfo>' [clients] [seconds]\n");
    return 2;
  }
  const int clients = argc > 2 ? std::atoi(argv[2]) : 8;
  const int seconds = argc > 3 ? std::atoi(argv[3]) : 20;
  return sprout::store::Run(argv[1], std::max(1, clients), std::max(1, seconds));
}
