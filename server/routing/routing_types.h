// File: server/routing/routing_types.h
//
// What the router takes and gives: RoutingRequest (only what routing needs,
// pseudonymised) and RoutingDecision with its Explanation. The Explanation
// mirrors sprout.v1.Explanation (steps, candidates, summary) so the API layer
// can copy it field by field, and serialises to JSON for the routing log.
#ifndef SPROUT_SERVER_ROUTING_ROUTING_TYPES_H_
#define SPROUT_SERVER_ROUTING_ROUTING_TYPES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

namespace sprout::routing {

// Who sent the referral. Values equal sprout.v1.SourceType and
// sprout.config.v1.SourceType numbers.
enum class SourceType {
  kUnspecified = 0,
  kGpPractice = 1,
  kCommunityPharmacy = 2,
  kPolice = 3,
  kFireAndRescue = 4,
  kHousingProvider = 5,
  kJobCentre = 6,
  kLocalAuthority = 7,  // Including adult social care.
  kHospitalDischarge = 8,
  kMentalHealthService = 9,
  kCommunityHealthService = 10,
  kVcse = 11,
  kSelfReferral = 12,
};
inline constexpr int kMaxSourceType = 12;

// Values equal sprout.v1.Priority numbers.
enum class Priority { kUnspecified = 0, kRoutine = 1, kUrgent = 2 };

// "gp_practice", "police", ...: the names used in explanations and JSON.
absl::string_view SourceTypeName(SourceType type);
absl::string_view PriorityName(Priority priority);

// Everything the router needs about one referral. Holds no patient identifier:
// `person_key` is an opaque keyed hash (never a raw NHS number).
struct RoutingRequest {
  absl::CivilDay referral_date;
  std::optional<std::string> practice_code;  // Registered GP practice ODS code.
  // Normalised "AB1 2CD". Pseudo-postcodes (ZZ99 3VZ: no fixed abode) carry no
  // geography.
  std::optional<std::string> postcode;
  // The referrer's Sub-ICB Location, when known: the triage queue used when the
  // person has no usable practice or postcode. Else the policy's default.
  std::optional<std::string> referrer_sub_icb_location;
  // The referring organisation (the caller's identity): when
  // referrer_sub_icb_location is not given, the directory's referrers.csv
  // says which Sub-ICB Location it serves.
  std::optional<std::string> referrer_organisation_code;
  SourceType source_type = SourceType::kUnspecified;
  Priority priority = Priority::kRoutine;
  std::vector<uint64_t> reasons;  // Coded reason concept ids.
  std::optional<int> age_years;
  std::optional<std::string> language;       // Preferred language, lower-case tag ("pl").
  std::vector<uint64_t> safeguarding_flags;  // Safeguarding flag concept ids.
  std::string person_key;                    // Keyed hash; empty = unknown person.
  std::string terminology_release;           // The SNOMED release the referral was coded with.
};

// How the PCN was found.
enum class ResolutionMethod { kPractice, kPostcode, kNone };
// Where the referral goes.
enum class Outcome { kLinkWorker, kPcnPool, kTriage };
// Queue order: urgent items sort ahead of routine ones.
enum class QueuePriority { kUrgent = 0, kRoutine = 1 };

absl::string_view ResolutionMethodName(ResolutionMethod method);  // "practice", ...
absl::string_view OutcomeName(Outcome outcome);                   // "link_worker", ...

// One step of the reasoning, in the order taken. `kind` is one of "pcn",
// "continuity", "rule", "priority", "capacity", "fairness", "triage".
struct ExplanationStep {
  std::string kind;
  std::string subject;  // e.g. "practice Y00001", a rule name, a link worker id.
  bool matched = false;
  std::string detail;  // One sentence.
};

// A link worker considered, with the load figures used.
struct Candidate {
  std::string link_worker_id;
  std::string pcn_code;
  int64_t accepted_this_year = 0;
  int64_t annual_cap = 0;
  int64_t open_caseload = 0;
  int64_t open_cap = 0;
  int64_t waiting = 0;  // On their queue, not yet accepted: ranks, never caps.
  bool eligible = false;
  bool preferred = false;  // Favoured by the deciding rule (specialism / named).
  std::string detail;      // Why excluded, or the rank detail.
};

struct Explanation {
  std::vector<ExplanationStep> steps;
  std::vector<Candidate> candidates;
  std::string summary;  // Who won and why, in one sentence.
};

// Something in the request that routing worked around and the referrer
// should see (Referral.warnings). Holds no patient data.
struct RoutingWarning {
  std::string reason;       // UPPER_SNAKE_CASE, e.g. "UNKNOWN_REGISTERED_PRACTICE".
  std::string field;        // Field path, e.g. "referral.patient.registered_practice_code".
  std::string description;  // What it means and what to do, in a sentence.
};

struct RoutingDecision {
  ResolutionMethod resolution = ResolutionMethod::kNone;
  Outcome outcome = Outcome::kTriage;
  std::string pcn_code;        // Empty when no PCN.
  std::string triage_queue;    // Sub-ICB Location code when outcome is kTriage.
  std::string link_worker_id;  // Empty for a PCN pool or triage.
  QueuePriority queue_priority = QueuePriority::kRoutine;
  std::string deciding_rule;   // Rule name, "continuity", or "default".
  bool pcn_from_rule = false;  // The deciding rule named another PCN than resolution's.
  std::vector<RoutingWarning> warnings;
  Explanation explanation;
  std::string policy_name;     // RoutingPolicy name() in force.
  std::string policy_version;  // RoutingPolicy version() in force.
  std::string directory_version;
  std::string terminology_release;
};

}  // namespace sprout::routing

#endif  // SPROUT_SERVER_ROUTING_ROUTING_TYPES_H_
