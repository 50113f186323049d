// Renders an absl::Status that came from Sprout (see rpc/status_conversion.h) for
// a person at a terminal.
#ifndef SPROUT_CLIENT_STATUS_FORMAT_H_
#define SPROUT_CLIENT_STATUS_FORMAT_H_

#include <string>

#include "absl/status/status.h"

namespace sprout::client {

// FormatStatus()
//
// "OK" for an OK status. Otherwise the first line is "CODE: message"; then one
// indented line per detail, in this order:
//   BadRequest          "  referral.patient.nhs_number: <description>" per violation
//   PreconditionFailure "  <type> <subject>: <description>" per violation
//   QuotaFailure        "  <subject>: <description>" per violation
//   ResourceInfo        "  resource <type> <name>: <description>"
//   RetryInfo           "  retry after <delay>"
//   ErrorInfo           "  reason: <REASON> (<domain>)", then "    key=value" per
//                       metadata entry, sorted by key
//   LocalizedMessage    "  <message>"
// Payloads of other types are named ("  detail: <type url>"). The text ends
// with a newline.
std::string FormatStatus(const absl::Status& status);

}  // namespace sprout::client

#endif  // SPROUT_CLIENT_STATUS_FORMAT_H_
