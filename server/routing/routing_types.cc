#include "server/routing/routing_types.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace sprout::routing {

absl::string_view SourceTypeName(SourceType type) {
  switch (type) {
    case SourceType::kUnspecified:
      return "unspecified";
    case SourceType::kGpPractice:
      return "gp_practice";
    case SourceType::kCommunityPharmacy:
      return "community_pharmacy";
    case SourceType::kPolice:
      return "police";
    case SourceType::kFireAndRescue:
      return "fire_and_rescue";
    case SourceType::kHousingProvider:
      return "housing_provider";
    case SourceType::kJobCentre:
      return "job_centre";
    case SourceType::kLocalAuthority:
      return "local_authority";
    case SourceType::kHospitalDischarge:
      return "hospital_discharge";
    case SourceType::kMentalHealthService:
      return "mental_health_service";
    case SourceType::kCommunityHealthService:
      return "community_health_service";
    case SourceType::kVcse:
      return "vcse";
    case SourceType::kSelfReferral:
      return "self_referral";
  }
  return "unknown";
}

absl::string_view PriorityName(Priority priority) {
  switch (priority) {
    case Priority::kUnspecified:
      return "unspecified";
    case Priority::kRoutine:
      return "routine";
    case Priority::kUrgent:
      return "urgent";
  }
  return "unknown";
}

absl::string_view ResolutionMethodName(ResolutionMethod method) {
  switch (method) {
    case ResolutionMethod::kPractice:
      return "practice";
    case ResolutionMethod::kPostcode:
      return "postcode";
    case ResolutionMethod::kNone:
      return "none";
  }
  return "unknown";
}

absl::string_view OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kLinkWorker:
      return "link_worker";
    case Outcome::kPcnPool:
      return "pcn_pool";
    case Outcome::kTriage:
      return "triage";
  }
  return "unknown";
}

}  // namespace sprout::routing
