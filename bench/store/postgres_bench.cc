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
//   PGOPTIONS='-c search_path=sprout_bench' pgbench -n -M prepared -c N -j 2 -T S \
//     -f bench/store/pg_submit.sql '<conninfo>'
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
#include "server/store/postgres/pg_connection.h"
#include "server/store/postgres/postgres_store.h"

namespace sprout::store {
namespace {

google::protobuf::Timestamp Now() {
  google::protobuf::Timestamp t;
  const int64_t us = absl::ToUnixMicros(absl::Now());
  t.set_seconds(us / 1000000);
  t.set_nanos(static_cast<int32_t>(us % 1000000) * 1000);
  return t;
}

// The same shape as bench/store/store_bench.cc's submissions.
Submission MakeBenchSubmission(const std::string& id) {
  Submission s;
  s.request_id = "req-" + id;
  s.request_hash = std::string(64, 'a');
  s.organisation_code = "A81001";
  s.person_key = std::string(60, 'k') + id;
  sprout::v1::Referral& r = s.referral;
  r.set_name("referrals/" + id);
  r.set_state(sprout::v1::REFERRAL_STATE_QUEUED);
  r.set_priority(sprout::v1::PRIORITY_ROUTINE);
  r.mutable_referrer()->set_source_type(sprout::v1::SOURCE_TYPE_GP_PRACTICE);
  r.mutable_referrer()->set_organisation_code("A81001");
  *r.mutable_create_time() = Now();
  r.set_what_matters_to_me(std::string(600, 'w'));
  r.mutable_supporting_information()->set_notes(std::string(500, 'n'));
  r.set_episode("episodes/e-" + id);
  r.mutable_route()->set_pcn("pcns/U12345");
  r.mutable_route()->set_link_worker("pcns/U12345/linkWorkers/lw-1");
  r.add_coded_reasons()->mutable_concept()->set_code("267076002");
  s.decision.set_name("routingDecisions/d-" + id);
  s.decision.set_referral(r.name());
  *s.decision.mutable_decide_time() = r.create_time();
  *s.decision.mutable_route() = r.route();
  s.decision.set_outcome(sprout::v1::ROUTING_OUTCOME_LINK_WORKER);
  s.decision.add_reasons()->set_code("267076002");
  s.decision.mutable_explanation()->set_summary(std::string(120, 'e'));
  s.queue_item.set_name("queueItems/q-" + id);
  s.queue_item.set_referral(r.name());
  s.queue_item.set_queue(r.route().link_worker());
  s.queue_item.set_priority(r.priority());
  s.queue_item.set_state(sprout::v1::QUEUE_ITEM_STATE_WAITING);
  s.audit = AuditEvent{"A81001", "referrer", "SubmitReferral", r.name(), "OK", absl::Now()};
  return s;
}

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
