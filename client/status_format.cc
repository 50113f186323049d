#include "client/status_format.h"

#include <map>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "google/rpc/error_details.pb.h"
#include "rpc/status_conversion.h"

namespace sprout::client {
namespace {

void AppendBadRequest(const absl::Status& status, std::string& out) {
  auto bad = rpc::GetStatusDetail<google::rpc::BadRequest>(status);
  if (!bad) return;
  for (const auto& v : bad->field_violations()) {
    absl::StrAppend(&out, "  ", v.field(), ": ", v.description(), "\n");
  }
}

void AppendPreconditionFailure(const absl::Status& status, std::string& out) {
  auto failure = rpc::GetStatusDetail<google::rpc::PreconditionFailure>(status);
  if (!failure) return;
  for (const auto& v : failure->violations()) {
    absl::StrAppend(&out, "  ", v.type(), " ", v.subject(), ": ", v.description(), "\n");
  }
}

void AppendQuotaFailure(const absl::Status& status, std::string& out) {
  auto failure = rpc::GetStatusDetail<google::rpc::QuotaFailure>(status);
  if (!failure) return;
  for (const auto& v : failure->violations()) {
    absl::StrAppend(&out, "  ", v.subject(), ": ", v.description(), "\n");
  }
}

void AppendResourceInfo(const absl::Status& status, std::string& out) {
  auto info = rpc::GetStatusDetail<google::rpc::ResourceInfo>(status);
  if (!info) return;
  absl::StrAppend(&out, "  resource ", info->resource_type(), " ", info->resource_name(), ": ",
                  info->description(), "\n");
}

void AppendRetryInfo(const absl::Status& status, std::string& out) {
  auto retry = rpc::GetStatusDetail<google::rpc::RetryInfo>(status);
  if (!retry) return;
  const absl::Duration delay = absl::Seconds(retry->retry_delay().seconds()) +
                               absl::Nanoseconds(retry->retry_delay().nanos());
  absl::StrAppend(&out, "  retry after ", absl::FormatDuration(delay), "\n");
}

void AppendErrorInfo(const absl::Status& status, std::string& out) {
  auto info = rpc::GetStatusDetail<google::rpc::ErrorInfo>(status);
  if (!info) return;
  absl::StrAppend(&out, "  reason: ", info->reason(), " (", info->domain(), ")\n");
  // The proto map has no stable order; sort so the output is deterministic.
  const std::map<std::string, std::string> metadata(info->metadata().begin(),
                                                    info->metadata().end());
  for (const auto& [key, value] : metadata) absl::StrAppend(&out, "    ", key, "=", value, "\n");
}

void AppendLocalizedMessage(const absl::Status& status, std::string& out) {
  auto localized = rpc::GetStatusDetail<google::rpc::LocalizedMessage>(status);
  if (!localized) return;
  absl::StrAppend(&out, "  ", localized->message(), "\n");
}

}  // namespace

std::string FormatStatus(const absl::Status& status) {
  if (status.ok()) return "OK\n";
  std::string out =
      absl::StrCat(absl::StatusCodeToString(status.code()), ": ", status.message(), "\n");
  AppendBadRequest(status, out);
  AppendPreconditionFailure(status, out);
  AppendQuotaFailure(status, out);
  AppendResourceInfo(status, out);
  AppendRetryInfo(status, out);
  AppendErrorInfo(status, out);
  AppendLocalizedMessage(status, out);

  const std::set<std::string> known = {
      rpc::TypeUrlOf(*google::rpc::BadRequest::descriptor()),
      rpc::TypeUrlOf(*google::rpc::PreconditionFailure::descriptor()),
      rpc::TypeUrlOf(*google::rpc::QuotaFailure::descriptor()),
      rpc::TypeUrlOf(*google::rpc::ResourceInfo::descriptor()),
      rpc::TypeUrlOf(*google::rpc::RetryInfo::descriptor()),
      rpc::TypeUrlOf(*google::rpc::ErrorInfo::descriptor()),
      rpc::TypeUrlOf(*google::rpc::LocalizedMessage::descriptor()),
  };
  status.ForEachPayload([&](absl::string_view type_url, const absl::Cord&) {
    if (known.count(std::string(type_url)) == 0)
      absl::StrAppend(&out, "  detail: ", type_url, "\n");
  });
  return out;
}

}  // namespace sprout::client
