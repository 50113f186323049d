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

namespace {

// Appends `s` as a JSON string literal. Bytes >= 0x80 pass through (the
// inputs are UTF-8); control characters are escaped.
void AppendJsonString(absl::string_view s, std::string* out) {
  out->push_back('"');
  for (char c : s) {
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          absl::StrAppend(out, absl::StrFormat("\\u%04x", static_cast<unsigned char>(c)));
        } else {
          out->push_back(c);
        }
    }
  }
  out->push_back('"');
}

// Writes `"key":value` pairs separated by commas.
class JsonObject {
 public:
  explicit JsonObject(std::string* out) : out_(out) { out_->push_back('{'); }
  ~JsonObject() { out_->push_back('}'); }
  JsonObject& Str(absl::string_view key, absl::string_view value) {
    Key(key);
    AppendJsonString(value, out_);
    return *this;
  }
  JsonObject& Int(absl::string_view key, int64_t value) {
    Key(key);
    absl::StrAppend(out_, value);
    return *this;
  }
  JsonObject& Bool(absl::string_view key, bool value) {
    Key(key);
    out_->append(value ? "true" : "false");
    return *this;
  }
  // Starts a nested value; the caller writes it.
  std::string* Raw(absl::string_view key) {
    Key(key);
    return out_;
  }

 private:
  void Key(absl::string_view key) {
    if (!first_) out_->push_back(',');
    first_ = false;
    AppendJsonString(key, out_);
    out_->push_back(':');
  }
  std::string* out_;
  bool first_ = true;
};

}  // namespace

std::string DecisionToJson(const RoutingDecision& d) {
  std::string out;
  out.reserve(1024 + 160 * (d.explanation.steps.size() + d.explanation.candidates.size()));
  {
    JsonObject j(&out);
    j.Str("resolution", ResolutionMethodName(d.resolution))
        .Str("outcome", OutcomeName(d.outcome))
        .Str("pcn", d.pcn_code)
        .Str("triage_queue", d.triage_queue)
        .Str("link_worker", d.link_worker_id)
        .Str("queue_priority", d.queue_priority == QueuePriority::kUrgent ? "urgent" : "routine")
        .Str("deciding_rule", d.deciding_rule)
        .Str("policy", d.policy_name)
        .Str("policy_version", d.policy_version)
        .Str("directory_version", d.directory_version)
        .Str("terminology_release", d.terminology_release);
    std::string* e = j.Raw("explanation");
    JsonObject explanation(e);
    std::string* steps = explanation.Raw("steps");
    steps->push_back('[');
    for (size_t i = 0; i < d.explanation.steps.size(); ++i) {
      const ExplanationStep& s = d.explanation.steps[i];
      if (i > 0) steps->push_back(',');
      JsonObject(steps)
          .Str("kind", s.kind)
          .Str("subject", s.subject)
          .Bool("matched", s.matched)
          .Str("detail", s.detail);
    }
    steps->push_back(']');
    std::string* candidates = explanation.Raw("candidates");
    candidates->push_back('[');
    for (size_t i = 0; i < d.explanation.candidates.size(); ++i) {
      const Candidate& c = d.explanation.candidates[i];
      if (i > 0) candidates->push_back(',');
      JsonObject(candidates)
          .Str("link_worker", c.link_worker_id)
          .Str("pcn", c.pcn_code)
          .Int("accepted_this_year", c.accepted_this_year)
          .Int("annual_cap", c.annual_cap)
          .Int("open_caseload", c.open_caseload)
          .Int("open_cap", c.open_cap)
          .Int("waiting", c.waiting)
          .Bool("eligible", c.eligible)
          .Bool("preferred", c.preferred)
          .Str("detail", c.detail);
    }
    candidates->push_back(']');
    explanation.Str("summary", d.explanation.summary);
  }
  return out;
}

}  // namespace sprout::routing
