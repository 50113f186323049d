#include "server/store/postgres/pg_connection.h"

#include <endian.h>

#include <cstring>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"

namespace sprout::store::postgres {
namespace {

// Type OIDs from PostgreSQL's pg_type.h (stable across versions).
constexpr Oid kBoolOid = 16;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;

// libpq messages end with a newline and may span lines; logs want one.
std::string OneLine(absl::string_view message) {
  std::string out = absl::StrReplaceAll(absl::StripTrailingAsciiWhitespace(message),
                                        {{"\r", ""}, {"\n\t", "; "}, {"\n", "; "}, {"\t", " "}});
  return out;
}

}  // namespace

absl::StatusCode CodeFromSqlState(absl::string_view state) {
  if (state == "23505") return absl::StatusCode::kAlreadyExists;
  if (absl::StartsWith(state, "22")) return absl::StatusCode::kInvalidArgument;
  if (state == "53100" || state == "53200") return absl::StatusCode::kResourceExhausted;
  if (absl::StartsWith(state, "08") || absl::StartsWith(state, "57P") || state == "53300" ||
      state == "40001" || state == "40P01" || state == "55P03" || state == "57014") {
    return absl::StatusCode::kUnavailable;
  }
  return absl::StatusCode::kInternal;
}

bool IsConnectionLoss(const absl::Status& status) {
  return status.code() == absl::StatusCode::kUnavailable &&
         absl::StrContains(status.message(), "(connection lost)");
}

Params& Params::Add(std::string value, int format, bool null) {
  lengths_.push_back(static_cast<int>(value.size()));
  values_.push_back(std::move(value));
  nulls_.push_back(null);
  formats_.push_back(format);
  return *this;
}

Params& Params::Text(absl::string_view value) { return Add(std::string(value), 0, false); }
Params& Params::Int(int64_t value) { return Add(absl::StrCat(value), 0, false); }
Params& Params::Bool(bool value) { return Add(value ? "t" : "f", 0, false); }
Params& Params::Bytes(absl::string_view value) { return Add(std::string(value), 1, false); }
Params& Params::Null() { return Add("", 0, true); }

void Params::Finish() const {
  pointers_.clear();
  for (size_t i = 0; i < values_.size(); ++i) {
    pointers_.push_back(nulls_[i] ? nullptr : values_[i].data());
  }
}

int64_t Result::Int(int row, int col) const {
  if (IsNull(row, col)) return 0;
  const char* v = PQgetvalue(res_.get(), row, col);
  switch (PQftype(res_.get(), col)) {
    case kInt8Oid: {
      uint64_t x;
      std::memcpy(&x, v, 8);
      return static_cast<int64_t>(be64toh(x));
    }
    case kInt4Oid: {
      uint32_t x;
      std::memcpy(&x, v, 4);
      return static_cast<int32_t>(be32toh(x));
    }
    case kInt2Oid: {
      uint16_t x;
      std::memcpy(&x, v, 2);
      return static_cast<int16_t>(be16toh(x));
    }
    case kBoolOid:
      return v[0] != 0 ? 1 : 0;
    default:
      return 0;  // a column of another type is a bug in the query, caught by tests
  }
}

absl::string_view Result::Bytes(int row, int col) const {
  return absl::string_view(PQgetvalue(res_.get(), row, col),
                           static_cast<size_t>(PQgetlength(res_.get(), row, col)));
}

absl::StatusOr<std::unique_ptr<Connection>> Connection::Open(const std::string& conninfo,
                                                             int connect_timeout_seconds) {
  // Later keywords override earlier ones, so the caller's string (expanded
  // from "dbname") may override these defaults. TCP keepalives notice a
  // server host that vanished within about a minute.
  const std::string timeout = absl::StrCat(connect_timeout_seconds);
  const char* keywords[] = {"connect_timeout",
                            "keepalives_idle",
                            "keepalives_interval",
                            "keepalives_count",
                            "application_name",
                            "dbname",
                            nullptr};
  const char* values[] = {timeout.c_str(), "30", "10", "3", "sproutd", conninfo.c_str(), nullptr};
  PGconn* conn = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (conn == nullptr)
    return absl::ResourceExhaustedError("out of memory connecting to PostgreSQL");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string reason = OneLine(PQerrorMessage(conn));
    PQfinish(conn);
    return absl::UnavailableError(
        absl::StrCat("cannot connect to PostgreSQL (", DescribeConnInfo(conninfo), "): ", reason));
  }
  // Notices (e.g. "relation already exists, skipping") are not errors;
  // libpq would print them to stderr.
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  return std::unique_ptr<Connection>(new Connection(conn));
}

Connection::~Connection() { PQfinish(conn_); }

absl::Status Connection::Error(const PGresult* res, absl::string_view what) const {
  if (PQstatus(conn_) != CONNECTION_OK) {
    return absl::UnavailableError(absl::StrCat(
        what, ": PostgreSQL connection lost (connection lost): ", OneLine(PQerrorMessage(conn_))));
  }
  const char* state = res != nullptr ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  const char* primary = res != nullptr ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  const std::string message =
      primary != nullptr ? OneLine(primary) : OneLine(PQerrorMessage(conn_));
  if (state == nullptr) {
    return absl::UnavailableError(absl::StrCat(what, ": ", message));
  }
  const absl::StatusCode code = CodeFromSqlState(state);
  return absl::Status(
      code,
      absl::StrCat(
          what, ": ", message, " (SQLSTATE ", state,
          code == absl::StatusCode::kResourceExhausted ? "; disk full or out of memory" : "", ")"));
}

absl::StatusOr<Result> Connection::Check(PGresult* res, absl::string_view what) const {
  Result result(res);
  const ExecStatusType st = res != nullptr ? PQresultStatus(res) : PGRES_FATAL_ERROR;
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return result;
  return Error(res, what);
}

absl::Status Connection::Exec(const std::string& sql) {
  return Check(PQexec(conn_, sql.c_str()), "PostgreSQL").status();
}

absl::StatusOr<Result> Connection::Run(const std::string& sql, const Params& params) {
  auto it = prepared_.find(sql);
  if (it == prepared_.end()) {
    std::string name = absl::StrCat("s", prepared_.size() + 1);
    absl::StatusOr<Result> prepared =
        Check(PQprepare(conn_, name.c_str(), sql.c_str(), 0, nullptr), "PostgreSQL prepare");
    if (!prepared.ok()) return prepared.status();
    it = prepared_.emplace(sql, std::move(name)).first;
  }
  params.Finish();
  return Check(PQexecPrepared(conn_, it->second.c_str(), params.size(), params.values(),
                              params.lengths(), params.formats(), /*resultFormat=*/1),
               "PostgreSQL");
}

absl::StatusOr<Result> Connection::RunOnce(const std::string& sql, const Params& params) {
  params.Finish();
  return Check(PQexecParams(conn_, sql.c_str(), params.size(), nullptr, params.values(),
                            params.lengths(), params.formats(), /*resultFormat=*/1),
               "PostgreSQL");
}

std::string DescribeConnInfo(const std::string& conninfo) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
  if (error != nullptr) PQfreemem(error);
  if (options == nullptr) return "PostgreSQL";
  std::string host, port, dbname;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    if (std::strcmp(o->keyword, "host") == 0) host = o->val;
    if (std::strcmp(o->keyword, "port") == 0) port = o->val;
    if (std::strcmp(o->keyword, "dbname") == 0) dbname = o->val;
  }
  PQconninfoFree(options);
  std::string out = "PostgreSQL";
  if (!dbname.empty()) absl::StrAppend(&out, " database ", dbname);
  if (!host.empty()) absl::StrAppend(&out, " on ", host, port.empty() ? "" : ":", port);
  return out;
}

}  // namespace sprout::store::postgres
