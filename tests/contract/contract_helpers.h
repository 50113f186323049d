// Shared checks for the contract tests (tests/contract/): each test holds the
// real sproutd, over mutual TLS, to what the proto comments and README promise
// for one RPC method.
//
// Every status a contract test receives goes through Checked(), which fails
// the test on StatusCode UNKNOWN or an empty error message, whatever the test
// expected. Every refusal a test expects goes through ExpectRefusal(), which
// also checks the google.rpc.Status details (ErrorInfo of domain "sprout"
// first) that ADR 0002 promises with every error.
#ifndef SPROUT_TESTS_CONTRACT_CONTRACT_HELPERS_H_
#define SPROUT_TESTS_CONTRACT_CONTRACT_HELPERS_H_

#include <grpcpp/grpcpp.h>

#include <fstream>
#include <functional>
#include <iterator>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "rpc/status_conversion.h"
#include "tests/integration/sproutd_process.h"
#include "tests/server/auth/test_certificates.h"

namespace sprout::testing {

// "NOT_FOUND", "INVALID_ARGUMENT", ... for failure messages.
inline std::string CodeName(grpc::StatusCode code) {
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
}

// Checked()
//
// Returns `status` unchanged after failing the test (at the caller's line)
// when it is non-OK with code UNKNOWN or an empty message: no answer of
// Sprout's may be either. Wrap every RPC a contract test makes in it.
inline grpc::Status Checked(grpc::Status status, const char* file = __builtin_FILE(),
                            int line = __builtin_LINE()) {
  if (!status.ok()) {
    if (status.error_code() == grpc::StatusCode::UNKNOWN) {
      ADD_FAILURE_AT(file, line) << "sproutd answered UNKNOWN: " << status.error_message();
    }
    if (status.error_message().empty()) {
      ADD_FAILURE_AT(file, line) << "sproutd answered " << CodeName(status.error_code())
                                 << " with an empty message";
    }
  }
  return status;
}

// A refusal as absl::Status (rpc::FromGrpcStatus), for reading its details
// with ReasonOf(), ViolatedFields() or rpc::GetStatusDetail. Unlike
// absl::Status it may be ignored: most checks need nothing more.
struct Refusal {
  absl::Status status;
  operator const absl::Status&() const { return status; }  // NOLINT: implicit on purpose
  std::string message() const { return std::string(status.message()); }
};

// ExpectRefusal()
//
// Checks that `status` is `code` with a message and google.rpc.Status details
// (same code, at least one detail, an ErrorInfo of domain "sprout" with a
// reason), failing at the caller's line otherwise.
inline Refusal ExpectRefusal(const grpc::Status& status, grpc::StatusCode code,
                             const char* file = __builtin_FILE(), int line = __builtin_LINE()) {
  Checked(status, file, line);
  if (status.error_code() != code) {
    ADD_FAILURE_AT(file, line) << "expected " << CodeName(code) << ", got "
                               << CodeName(status.error_code()) << ": " << status.error_message();
  }
  if (status.ok()) return {absl::OkStatus()};
  google::rpc::Status details;
  if (status.error_details().empty() || !details.ParseFromString(status.error_details())) {
    ADD_FAILURE_AT(file, line) << CodeName(status.error_code())
                               << " carries no google.rpc.Status details: "
                               << status.error_message();
  } else {
    if (details.code() != static_cast<int>(status.error_code())) {
      ADD_FAILURE_AT(file, line) << "details say code " << details.code() << ", status says "
                                 << CodeName(status.error_code());
    }
    if (details.details_size() == 0) {
      ADD_FAILURE_AT(file, line) << "google.rpc.Status details hold no detail messages";
    }
  }
  absl::Status converted = rpc::FromGrpcStatus(status);
  std::optional<google::rpc::ErrorInfo> info =
      rpc::GetStatusDetail<google::rpc::ErrorInfo>(converted);
  if (!info.has_value()) {
    ADD_FAILURE_AT(file, line) << "no google.rpc.ErrorInfo in the details";
  } else if (info->reason().empty() || info->domain() != "sprout") {
    ADD_FAILURE_AT(file, line) << "ErrorInfo reason \"" << info->reason() << "\" domain \""
                               << info->domain() << "\"";
  }
  return {converted};
}

// The ErrorInfo reason of a refusal, or "".
inline std::string ReasonOf(const absl::Status& status) {
  std::optional<google::rpc::ErrorInfo> info = rpc::GetStatusDetail<google::rpc::ErrorInfo>(status);
  return info.has_value() ? info->reason() : "";
}

// The ErrorInfo metadata value `key` of a refusal, or "".
inline std::string MetadataOf(const absl::Status& status, const std::string& key) {
  std::optional<google::rpc::ErrorInfo> info = rpc::GetStatusDetail<google::rpc::ErrorInfo>(status);
  if (!info.has_value()) return "";
  auto it = info->metadata().find(key);
  return it == info->metadata().end() ? "" : it->second;
}

// The fields a BadRequest detail names, in order (empty without one).
inline std::vector<std::string> ViolatedFields(const absl::Status& status) {
  std::vector<std::string> fields;
  std::optional<google::rpc::BadRequest> bad =
      rpc::GetStatusDetail<google::rpc::BadRequest>(status);
  if (!bad.has_value()) return fields;
  for (const google::rpc::BadRequest::FieldViolation& v : bad->field_violations()) {
    fields.push_back(v.field());
  }
  return fields;
}

// ExpectInvalidField()
//
// INVALID_ARGUMENT (as ExpectRefusal) with a google.rpc.BadRequest naming
// `field` with a description.
inline Refusal ExpectInvalidField(const grpc::Status& status, const std::string& field,
                                  const char* file = __builtin_FILE(),
                                  int line = __builtin_LINE()) {
  const Refusal converted = ExpectRefusal(status, grpc::StatusCode::INVALID_ARGUMENT, file, line);
  std::optional<google::rpc::BadRequest> bad =
      rpc::GetStatusDetail<google::rpc::BadRequest>(converted);
  if (!bad.has_value()) {
    ADD_FAILURE_AT(file, line) << "INVALID_ARGUMENT without a google.rpc.BadRequest: "
                               << status.error_message();
    return converted;
  }
  bool named = false;
  for (const google::rpc::BadRequest::FieldViolation& v : bad->field_violations()) {
    if (v.field() != field) continue;
    named = true;
    if (v.description().empty()) {
      ADD_FAILURE_AT(file, line) << "the violation of " << field << " has no description";
    }
  }
  if (!named) {
    ADD_FAILURE_AT(file, line) << "the BadRequest does not name " << field << ": "
                               << status.error_message();
  }
  return converted;
}

// ExpectPreconditionFailure()
//
// FAILED_PRECONDITION (as ExpectRefusal) with a google.rpc.PreconditionFailure
// holding one violation of `type` about `subject` with a description.
inline Refusal ExpectPreconditionFailure(const grpc::Status& status, const std::string& type,
                                         const std::string& subject,
                                         const char* file = __builtin_FILE(),
                                         int line = __builtin_LINE()) {
  const Refusal converted =
      ExpectRefusal(status, grpc::StatusCode::FAILED_PRECONDITION, file, line);
  std::optional<google::rpc::PreconditionFailure> failure =
      rpc::GetStatusDetail<google::rpc::PreconditionFailure>(converted);
  if (!failure.has_value() || failure->violations_size() != 1) {
    ADD_FAILURE_AT(file, line) << "FAILED_PRECONDITION without one PreconditionFailure violation: "
                               << status.error_message();
    return converted;
  }
  const google::rpc::PreconditionFailure::Violation& v = failure->violations(0);
  if (v.type() != type || v.subject() != subject || v.description().empty()) {
    ADD_FAILURE_AT(file, line) << "PreconditionFailure {" << v.type() << ", " << v.subject()
                               << ", \"" << v.description() << "\"}, expected {" << type << ", "
                               << subject << "}";
  }
  return converted;
}

// One page of a paged listing, by the names of what it holds.
struct ListedPage {
  std::vector<std::string> names;
  std::string next_page_token;
};

// Calls a List method with a page size and token; returns its (Checked)
// status and fills the page.
using PageFetcher =
    std::function<grpc::Status(int page_size, const std::string& page_token, ListedPage* page)>;

// ReadAllPages()
//
// Follows next_page_token from the first page until it is empty, checking
// that no page holds more than `page_size`; returns every name in order.
// Fails (and stops) on an error or after `max_pages`.
inline std::vector<std::string> ReadAllPages(const PageFetcher& fetch, int page_size,
                                             int max_pages = 200) {
  std::vector<std::string> all;
  std::string token;
  for (int pages = 0; pages < max_pages; ++pages) {
    ListedPage page;
    const grpc::Status status = Checked(fetch(page_size, token, &page));
    if (!status.ok()) {
      ADD_FAILURE() << "page " << pages << " failed: " << CodeName(status.error_code()) << " "
                    << status.error_message();
      return all;
    }
    EXPECT_LE(static_cast<int>(page.names.size()), page_size) << "page " << pages;
    all.insert(all.end(), page.names.begin(), page.names.end());
    if (page.next_page_token.empty()) return all;
    EXPECT_NE(page.next_page_token, token) << "the token did not move on";
    token = page.next_page_token;
  }
  ADD_FAILURE() << "more than " << max_pages << " pages";
  return all;
}

// ExpectPagingContract()
//
// The paging promises (AIP-158) every List method of Sprout's makes: pages
// of `page_size` hold, in order and each once, what one large page holds
// (at least `min_items` of it), and the last page's next_page_token is
// empty; a page_token the method never returned is INVALID_ARGUMENT saying
// so (not every store refusal carries a BadRequest, so only the message is
// required to name page_token); a negative page_size is INVALID_ARGUMENT with
// a BadRequest naming page_size.
inline void ExpectPagingContract(const PageFetcher& fetch, int page_size, int large_page_size,
                                 size_t min_items, const std::string& bogus_token = "bogus!") {
  ListedPage whole;
  const grpc::Status all = Checked(fetch(large_page_size, "", &whole));
  ASSERT_TRUE(all.ok()) << all.error_message();
  ASSERT_GE(whole.names.size(), min_items);
  ASSERT_GT(whole.names.size(), static_cast<size_t>(page_size)) << "too few items to page through";
  ASSERT_TRUE(whole.next_page_token.empty()) << "the large page is not the whole listing";

  const std::vector<std::string> paged = ReadAllPages(fetch, page_size);
  EXPECT_EQ(paged, whole.names);
  EXPECT_EQ(std::set<std::string>(paged.begin(), paged.end()).size(), paged.size())
      << "a name was listed twice";

  ListedPage ignored;
  const grpc::Status bad_token = fetch(page_size, bogus_token, &ignored);
  ExpectRefusal(bad_token, grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(bad_token.error_message().find("page_token"), std::string::npos)
      << bad_token.error_message();
  EXPECT_TRUE(ignored.names.empty());
  ExpectInvalidField(fetch(-1, "", &ignored), "page_size");
}

// MintIdentity()
//
// Writes `name`.pem and `name`.key beside the demo identities of `server`
// (so server.Channel(name) presents them): a client certificate signed by
// the server's CA whose one SAN URI is `uri`.
inline void MintIdentity(const SproutdProcess& server, const std::string& name,
                         const std::string& uri) {
  const std::string certs = server.work_dir() + "/certs/";
  auto read = [](const std::string& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  };
  absl::StatusOr<Certificate> cert =
      MintCertificate(CertificateSpec{{uri}, KeyUsage::kClientAuth, name}, read(certs + "ca.pem"),
                      read(certs + "ca.key"));
  ASSERT_TRUE(cert.ok()) << cert.status();
  std::ofstream(certs + name + ".pem") << cert->cert_pem;
  std::ofstream(certs + name + ".key") << cert->key_pem;
}

}  // namespace sprout::testing

#endif  // SPROUT_TESTS_CONTRACT_CONTRACT_HELPERS_H_
