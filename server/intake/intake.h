// File: server/intake/intake.h
//
// ReferralIntake: the whole of intake for one inbound referral (DESIGN.md
// §3.2-3.3): validate every field, code every reason in SNOMED CT, normalise
// identifiers, and hand back the referral the server stores and routes.
//
//   SPROUT_ASSIGN_OR_RETURN(std::unique_ptr<ReferralIntake> intake,
//       ReferralIntake::Create(terminology, code_maps, RealClock(), IntakeOptions()));
//   absl::StatusOr<IntakeResult> r = intake->Process(request.referral());
//   if (!r.ok()) return r.status();  // INVALID_ARGUMENT + BadRequest + ErrorInfo payloads
//   Store(r->referral, Hmac(r->person_match_key));
//
// On bad input Process() returns InvalidReferralError() (violations.h): every
// validation and coding violation together in one google.rpc.BadRequest, and
// a google.rpc.ErrorInfo (reason INVALID_REFERRAL, or UNKNOWN_LOCAL_CODE with
// metadata {system, code} when the only problems are unknown local codes).
//
// A ReferralIntake is immutable: Process() is const, thread-safe, lock-free
// and does no I/O. It is bound to one Terminology and one set of CodeMaps; on
// a terminology reload, build a new ReferralIntake (cheap) and swap it in.
#ifndef SPROUT_SERVER_INTAKE_INTAKE_H_
#define SPROUT_SERVER_INTAKE_INTAKE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "base/clock.h"
#include "base/snapshot_holder.h"
#include "server/intake/code_maps.h"
#include "server/intake/coder.h"
#include "server/intake/validator.h"
#include "snomed/ecl.h"
#include "snomed/terminology.h"
#include "sprout/v1/referral.pb.h"

namespace sprout::intake {

class ReferralIntake;
// The intake in force; rebuilt and swapped when the terminology is reloaded.
using IntakeHolder = SnapshotHolder<ReferralIntake>;

// 871731000000106 |Referral to social prescribing service| (DOMAIN.md §1.2).
inline constexpr uint64_t kSocialPrescribingReferral = 871731000000106;

// UK Core SourceOfServiceRequest: < 309013001 |Referred by person| OR
// < 306098008 |Self-referral|.
inline constexpr absl::string_view kDefaultReferralSourceBinding =
    "< 309013001 |Referred by person| OR < 306098008 |Self-referral|";

struct IntakeOptions {
  // Size limits and clock skew. Defaults as ValidationLimits.
  ValidationLimits limits;
  // Reason binding, candidate count, free-text matcher. Defaults as CoderOptions.
  CoderOptions coder;
  // ECL that referrer.source_code must satisfy. Default the UK Core
  // SourceOfServiceRequest value set (DOMAIN.md §1.3).
  std::string referral_source_ecl = std::string(kDefaultReferralSourceBinding);
  // The service code every referral carries. Default 871731000000106.
  // (sproutd takes all three from its bindings file; see bindings.h.)
  uint64_t service_code = kSocialPrescribingReferral;
};

struct IntakeResult {
  // The referral as it should be stored: the input with output-only fields
  // cleared, the NHS number as 10 digits, the postcode normalised
  // ("LS1 4AP"), authored_time defaulted to now, plus service_code
  // 871731000000106, coded_reasons (in input order), needs_coding_review and
  // terminology_release.
  sprout::v1::Referral referral;
  // Input to the server's keyed hash for duplicate detection and continuity:
  // the normalised NHS number, or when there is none
  // "<given> <family>|<YYYY-MM-DD>|<postcode>" with ASCII letters in names
  // lower-cased, whitespace collapsed and the postcode normalised, e.g.
  // "marigold featherstonehaugh|1948-03-14|LS2 7UE". Patient-identifiable:
  // never log it or store it raw.
  std::string person_match_key;
};

class ReferralIntake {
 public:
  // Create()
  //
  // REQUIRES: terminology and code_maps non-null; clock non-null and outliving
  // the ReferralIntake. Returns INVALID_ARGUMENT if the reason or referral
  // source binding is bad (see ReasonCoder::Create) and FAILED_PRECONDITION if
  // the release lacks an active options.service_code.
  static absl::StatusOr<std::unique_ptr<ReferralIntake>> Create(
      std::shared_ptr<const snomed::Terminology> terminology,
      std::shared_ptr<const CodeMaps> code_maps, const Clock* clock, IntakeOptions options);

  // Process()
  //
  // Validates and codes `input`. Returns the IntakeResult, or
  // INVALID_ARGUMENT as described in the file comment. Total: any referral,
  // however malformed, gets one or the other.
  absl::StatusOr<IntakeResult> Process(const sprout::v1::Referral& input) const;

  const ReasonCoder& coder() const { return *coder_; }

 private:
  ReferralIntake(std::unique_ptr<ReasonCoder> coder, const Clock* clock, IntakeOptions options,
                 snomed::Ecl source_binding);
  void CheckSource(absl::string_view code, std::vector<FieldViolation>* out) const;

  // Constant after construction.
  const std::unique_ptr<ReasonCoder> coder_;
  const Clock* const clock_;
  const IntakeOptions options_;
  const sprout::v1::CodedConcept service_code_;
  const snomed::Ecl source_binding_;
};

// PersonMatchKey()
//
// The person_match_key of a valid referral's patient (see IntakeResult).
std::string PersonMatchKey(const sprout::v1::Patient& patient);

}  // namespace sprout::intake

#endif  // SPROUT_SERVER_INTAKE_INTAKE_H_
