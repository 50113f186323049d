// File: server/store/postgres/pg_connection.h
//
// A thin RAII layer over libpq: one Connection per thread at a time, its
// statements prepared once (PQprepare) and then run by name
// (PQexecPrepared), and one place that turns PostgreSQL errors into
// absl::Status. Messages carry PostgreSQL's primary message and SQLSTATE only,
// never its DETAIL (which can quote row values) nor the connection string
// (which can hold a password).
#ifndef SPROUT_SERVER_STORE_POSTGRES_PG_CONNECTION_H_
#define SPROUT_SERVER_STORE_POSTGRES_PG_CONNECTION_H_

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sprout::store::postgres {

// Maps a SQLSTATE to a canonical code:
//   23505 unique violation            -> ALREADY_EXISTS
//   22xxx data exception              -> INVALID_ARGUMENT
//   53100 disk full, 53200 out of memory -> RESOURCE_EXHAUSTED
//   08xxx connection, 57Pxx shutdown, 53300 too many connections, 40001
//   serialization, 40P01 deadlock, 55P03 lock timeout, 57014 cancelled
//                                     -> UNAVAILABLE (retry later)
//   anything else                     -> INTERNAL
absl::StatusCode CodeFromSqlState(absl::string_view sqlstate);

// True for errors that mean the connection (or the server) is gone.
bool IsConnectionLoss(const absl::Status& status);

// Parameters for one statement: text values, and bytea values sent in
// binary so protobuf bodies need no escaping.
class Params {
 public:
  Params& Text(absl::string_view value);
  Params& Int(int64_t value);
  Params& Bool(bool value);
  Params& Bytes(absl::string_view value);
  Params& Null();

  int size() const { return static_cast<int>(values_.size()); }
  const char* const* values() const { return pointers_.data(); }
  const int* lengths() const { return lengths_.data(); }
  const int* formats() const { return formats_.data(); }

 private:
  Params& Add(std::string value, int format, bool null);

  // std::string moves keep short strings in place, so pointers are taken at
  // the end (Finish) rather than as values are added.
  std::vector<std::string> values_;
  std::vector<bool> nulls_;
  mutable std::vector<const char*> pointers_;
  std::vector<int> lengths_;
  std::vector<int> formats_;
  friend class Connection;
  void Finish() const;
};

// The rows of one result, in binary format. Column indexes start at 0.
class Result {
 public:
  explicit Result(PGresult* res) : res_(res, &PQclear) {}
  int rows() const { return PQntuples(res_.get()); }
  bool IsNull(int row, int col) const { return PQgetisnull(res_.get(), row, col) != 0; }
  // int2, int4, int8 or bool columns.
  int64_t Int(int row, int col) const;
  // text or bytea columns: the raw bytes. Valid while this Result lives.
  absl::string_view Bytes(int row, int col) const;
  std::string Text(int row, int col) const { return std::string(Bytes(row, col)); }

 private:
  std::unique_ptr<PGresult, void (*)(PGresult*)> res_;
};

// One libpq connection. Not thread-safe: use from one thread at a time.
class Connection {
 public:
  // Connects to `conninfo` (keyword form or a postgresql:// URI). A
  // connect_timeout of `connect_timeout_seconds` applies unless the string
  // sets its own. UNAVAILABLE (with libpq's reason, on one line) on failure.
  static absl::StatusOr<std::unique_ptr<Connection>> Open(const std::string& conninfo,
                                                          int connect_timeout_seconds);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one or more SQL statements without parameters (PQexec).
  absl::Status Exec(const std::string& sql);
  // Runs `sql` with `params`, preparing it on this connection on first use.
  // Binary results.
  absl::StatusOr<Result> Run(const std::string& sql, const Params& params);
  absl::StatusOr<Result> Run(const std::string& sql) { return Run(sql, Params()); }
  // Runs `sql` once without preparing it (for SQL built per query).
  absl::StatusOr<Result> RunOnce(const std::string& sql, const Params& params);

  // False once the connection to the server is lost.
  bool ok() const { return PQstatus(conn_) == CONNECTION_OK; }
  int backend_pid() const { return PQbackendPID(conn_); }
  PGconn* raw() const { return conn_; }

  // The status for a failed result (or a lost connection when `res` is null).
  absl::Status Error(const PGresult* res, absl::string_view what) const;

 private:
  explicit Connection(PGconn* conn) : conn_(conn) {}
  absl::StatusOr<Result> Check(PGresult* res, absl::string_view what) const;

  PGconn* conn_;
  std::unordered_map<std::string, std::string> prepared_;  // SQL -> statement name
};

// "host=..., dbname=..." from a connection string, for logs: never the
// password or other options. "PostgreSQL" if it cannot be parsed.
std::string DescribeConnInfo(const std::string& conninfo);

}  // namespace sprout::store::postgres

#endif  // SPROUT_SERVER_STORE_POSTGRES_PG_CONNECTION_H_
