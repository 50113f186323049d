// durable_skeleton: the baseline server of PERFORMANCE.md P1/P2. It serves
// sprout.v1.ReferralService/SubmitReferral with the same callback API as
// sproutd, but only commits the request bytes to SQLite (WAL,
// synchronous=FULL) through one writer thread with group commit (up to 256
// requests per transaction), answering each call after its COMMIT. With
// --noop it answers at once without storing (the no-op gRPC baseline).
// ValidateReferral is always answered at once (the P3 baseline).
//
//   durable_skeleton --listen 127.0.0.1:50061 --db /tmp/skeleton.db [--noop]
#include <grpcpp/grpcpp.h>
#include <sqlite3.h>

#include <cstdio>
#include <deque>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/synchronization/mutex.h"
#include "bench/submit/noop_referral_service.h"
#include "sprout/v1/referral_service.grpc.pb.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50061", "address to serve on (plaintext)");
ABSL_FLAG(std::string, db, "/tmp/durable_skeleton.db", "SQLite file (recreated)");
ABSL_FLAG(bool, noop, false, "answer at once without storing");

namespace {

struct Pending {
  std::string request_id;
  std::string bytes;
  grpc::ServerUnaryReactor* reactor;
};

class Writer {
 public:
  explicit Writer(const std::string& path) {
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
    sqlite3_open(path.c_str(), &db_);
    sqlite3_exec(db_,
                 "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                 "CREATE TABLE requests (pk INTEGER PRIMARY KEY, request_id TEXT UNIQUE, "
                 "body BLOB NOT NULL)",
                 nullptr, nullptr, nullptr);
    sqlite3_prepare_v2(db_, "INSERT INTO requests (request_id, body) VALUES (?, ?)", -1, &insert_,
                       nullptr);
    thread_ = std::thread([this] { Run(); });
  }

  void Add(Pending p) {
    absl::MutexLock lock(&mu_);
    queue_.push_back(std::move(p));
  }

 private:
  void Run() {
    std::vector<Pending> batch;
    while (true) {
      batch.clear();
      {
        absl::MutexLock lock(&mu_);
        mu_.Await(absl::Condition(
            +[](std::deque<Pending>* q) { return !q->empty(); }, &queue_));
        while (!queue_.empty() && batch.size() < 256) {
          batch.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
      }
      sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
      for (const Pending& p : batch) {
        sqlite3_bind_text(insert_, 1, p.request_id.data(), static_cast<int>(p.request_id.size()),
                          SQLITE_STATIC);
        sqlite3_bind_blob(insert_, 2, p.bytes.data(), static_cast<int>(p.bytes.size()),
                          SQLITE_STATIC);
        sqlite3_step(insert_);
        sqlite3_reset(insert_);
      }
      const bool ok = sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK;
      for (Pending& p : batch) {
        p.reactor->Finish(ok ? grpc::Status::OK
                             : grpc::Status(grpc::StatusCode::UNAVAILABLE, "commit failed"));
      }
    }
  }

  sqlite3* db_ = nullptr;
  sqlite3_stmt* insert_ = nullptr;
  absl::Mutex mu_;
  std::deque<Pending> queue_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

// The no-op service, with SubmitReferral committing unless --noop.
class Skeleton final : public sprout::bench::NoopReferralService {
 public:
  explicit Skeleton(Writer* writer) : writer_(writer) {}

  grpc::ServerUnaryReactor* SubmitReferral(grpc::CallbackServerContext* context,
                                           const sprout::v1::SubmitReferralRequest* request,
                                           sprout::v1::SubmitReferralResponse* response) override {
    if (writer_ == nullptr) return NoopReferralService::SubmitReferral(context, request, response);
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    response->mutable_referral()->set_name("referrals/skeleton");
    writer_->Add(Pending{request->request_id(), request->SerializeAsString(), reactor});
    return reactor;
  }

 private:
  Writer* writer_;
};

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  std::unique_ptr<Writer> writer;
  if (!absl::GetFlag(FLAGS_noop)) writer = std::make_unique<Writer>(absl::GetFlag(FLAGS_db));
  Skeleton service(writer.get());
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(absl::GetFlag(FLAGS_listen), grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    std::fprintf(stderr, "durable_skeleton: cannot listen on %s\n",
                 absl::GetFlag(FLAGS_listen).c_str());
    return 1;
  }
  std::printf("durable_skeleton: serving on port %d%s\n", port,
              absl::GetFlag(FLAGS_noop) ? " (no-op)" : "");
  std::fflush(stdout);
  server->Wait();
  return 0;
}
