#include "server/routing/routing_types.h"

#include <nlohmann/json.hpp>

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

std::string DecisionToJson(const RoutingDecision& d) {
  nlohmann::ordered_json j;
  j["resolution"] = std::string(ResolutionMethodName(d.resolution));
  j["outcome"] = std::string(OutcomeName(d.outcome));
  j["pcn"] = d.pcn_code;
  j["triage_queue"] = d.triage_queue;
  j["link_worker"] = d.link_worker_id;
  j["queue_priority"] = d.queue_priority == QueuePriority::kUrgent ? "urgent" : "routine";
  j["deciding_rule"] = d.deciding_rule;
  j["policy"] = d.policy_name;
  j["directory_version"] = d.directory_version;
  j["terminology_release"] = d.terminology_release;
  nlohmann::ordered_json steps = nlohmann::ordered_json::array();
  for (const ExplanationStep& s : d.explanation.steps) {
    steps.push_back(
        {{"kind", s.kind}, {"subject", s.subject}, {"matched", s.matched}, {"detail", s.detail}});
  }
  nlohmann::ordered_json candidates = nlohmann::ordered_json::array();
  for (const Candidate& c : d.explanation.candidates) {
    candidates.push_back({{"link_worker", c.link_worker_id},
                          {"pcn", c.pcn_code},
                          {"accepted_this_year", c.accepted_this_year},
                          {"annual_cap", c.annual_cap},
                          {"open_caseload", c.open_caseload},
                          {"open_cap", c.open_cap},
                          {"eligible", c.eligible},
                          {"preferred", c.preferred},
                          {"detail", c.detail}});
  }
  j["explanation"] = {
      {"steps", steps}, {"candidates", candidates}, {"summary", d.explanation.summary}};
  return j.dump();
}

}  // namespace sprout::routing
