// File: server/intake/bindings.h
//
// The coding bindings of a deployment (proto/sprout/config/v1/bindings.proto):
// the ECL a reason for referral and a referral source must satisfy and the
// service code every referral carries. They are configuration, not code, so
// a deployment whose release lacks the UK Core concepts (another edition, a
// cut-down release) states its own.
//
//   SPROUT_ASSIGN_OR_RETURN(Bindings b, LoadBindings(path, *terminology));
//   IntakeOptions options;
//   ApplyBindings(b, &options);
//
// Pure values; thread-compatible.
#ifndef SPROUT_SERVER_INTAKE_BINDINGS_H_
#define SPROUT_SERVER_INTAKE_BINDINGS_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/intake/intake.h"
#include "snomed/terminology.h"

namespace sprout::intake {

struct Bindings {
  std::string name;
  std::string version;
  std::string reason_ecl;
  std::string referral_source_ecl;
  uint64_t service_code = 0;
  std::string free_text_auto_code_ecl;  // empty: none
};

// ParseBindings()
//
// Parses and checks the text of a bindings file without a release: every
// field present, each expression valid ECL, the service code a valid concept
// SCTID. INVALID_ARGUMENT "<origin>:<line>:<column>: ..." for a syntax
// error, "<origin>: <field>: ..." otherwise.
absl::StatusOr<Bindings> ParseBindings(absl::string_view text, absl::string_view origin);

// CheckBindings()
//
// Checks `b` against the loaded release: every concept the expressions name
// is in it, and the service code is an active concept. FAILED_PRECONDITION
// "<origin>: <field>: ..." naming the missing concepts otherwise.
absl::Status CheckBindings(const Bindings& b, const snomed::Terminology& terminology,
                           absl::string_view origin);

// LoadBindings()
//
// Reads `path`, then ParseBindings and CheckBindings.
absl::StatusOr<Bindings> LoadBindings(const std::string& path,
                                      const snomed::Terminology& terminology);

// ApplyBindings()
//
// Sets the fields of *options that the bindings govern.
void ApplyBindings(const Bindings& b, IntakeOptions* options);

}  // namespace sprout::intake

#endif  // SPROUT_SERVER_INTAKE_BINDINGS_H_
