#include "server/fhir/response_bundle.h"

#include <optional>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "google/protobuf/util/time_util.h"

namespace sprout::fhir {
namespace {

using nlohmann::json;
using sprout::v1::CodedReason;
using sprout::v1::Referral;

std::string FhirInstant(const google::protobuf::Timestamp& t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3S+00:00",
                          absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos()),
                          absl::UTCTimeZone());
}

// The id part of "referrals/{id}".
std::string ReferralId(const Referral& referral) {
  absl::string_view name = referral.name();
  absl::ConsumePrefix(&name, "referrals/");
  return std::string(name);
}

// FHIR ServiceRequest.status for a referral's state.
const char* StatusOf(sprout::v1::ReferralState state) {
  switch (state) {
    case sprout::v1::REFERRAL_STATE_CLOSED:
      return "completed";
    case sprout::v1::REFERRAL_STATE_DECLINED:
    case sprout::v1::REFERRAL_STATE_WITHDRAWN:
      return "revoked";
    default:
      return "active";
  }
}

std::string MethodSentence(const CodedReason& reason) {
  switch (reason.method()) {
    case sprout::v1::CODING_METHOD_SNOMED_REPLACED:
      return absl::StrCat("the inactive concept ", reason.substitution().original_code(),
                          " was replaced by ", reason.concept().code(), " |",
                          reason.concept().display(), "| (", reason.source_version(), ")");
    case sprout::v1::CODING_METHOD_LOCAL_MAP:
      return absl::StrCat("the local code was mapped to ", reason.concept().code(), " |",
                          reason.concept().display(), "| by ", reason.source_version());
    case sprout::v1::CODING_METHOD_FREE_TEXT_MATCH:
    case sprout::v1::CODING_METHOD_LEXICON_MATCH:
      return absl::StrCat("the text was coded as ", reason.concept().code(), " |",
                          reason.concept().display(), "|");
    case sprout::v1::CODING_METHOD_NEEDS_REVIEW:
      return "the text could not be coded with confidence; a link worker will code it";
    default:
      return "";
  }
}

json CodeableConceptOf(const CodedReason& reason) {
  json concept = json::object();
  if (!reason.concept().code().empty()) {
    concept["coding"] = {{{"system", kSnomedSystem},
                          {"code", reason.concept().code()},
                          {"display", reason.concept().display()}}};
  }
  if (reason.original().has_local_code()) {
    concept["coding"].push_back({{"system", reason.original().local_code().system()},
                                 {"code", reason.original().local_code().code()}});
  }
  if (!reason.original().free_text().empty()) concept["text"] = reason.original().free_text();
  return concept;
}

}  // namespace

json ServiceRequestOf(const Referral& referral) {
  json request = {
      {"resourceType", "ServiceRequest"},
      {"id", ReferralId(referral)},
      {"identifier", {{{"system", kSproutReferralSystem}, {"value", referral.name()}}}},
      {"status", StatusOf(referral.state())},
      {"intent", "plan"},
      {"category",
       {{{"coding", {{{"system", kServiceRequestCategorySystem}, {"code", "referral"}}}}}}},
      {"code",
       {{"coding",
         {{{"system", kSnomedSystem},
           {"code", kSocialPrescribingReferral},
           {"display", "Referral to social prescribing service"}}}}}},
      {"priority", referral.priority() == sprout::v1::PRIORITY_URGENT ? "urgent" : "routine"},
  };
  if (referral.has_authored_time()) request["authoredOn"] = FhirInstant(referral.authored_time());
  json reasons = json::array();
  for (const CodedReason& reason : referral.coded_reasons()) {
    reasons.push_back(CodeableConceptOf(reason));
  }
  if (!reasons.empty()) request["reasonCode"] = std::move(reasons);
  const sprout::v1::Route& route = referral.route();
  if (!route.pcn().empty()) {
    absl::string_view pcn = route.pcn();
    absl::ConsumePrefix(&pcn, "pcns/");
    request["performer"] = {{{"identifier", {{"system", kOdsSystem}, {"value", std::string(pcn)}}},
                             {"display", route.pcn_display()}}};
  } else if (!route.triage_queue().empty()) {
    request["performer"] = {{{"display", absl::StrCat("triage queue ", route.triage_queue())}}};
  }
  return request;
}

json TaskOf(const Referral& referral) {
  const std::string id = ReferralId(referral);
  const char* status = "requested";
  switch (referral.state()) {
    case sprout::v1::REFERRAL_STATE_ACCEPTED:
      status = "accepted";
      break;
    case sprout::v1::REFERRAL_STATE_IN_PROGRESS:
      status = "in-progress";
      break;
    case sprout::v1::REFERRAL_STATE_DECLINED:
      status = "rejected";
      break;
    case sprout::v1::REFERRAL_STATE_CLOSED:
      status = "completed";
      break;
    case sprout::v1::REFERRAL_STATE_WITHDRAWN:
      status = "cancelled";
      break;
    default:
      break;
  }
  const std::string state_name = sprout::v1::ReferralState_Name(referral.state());
  const std::string state(absl::StripPrefix(state_name, "REFERRAL_STATE_"));
  json task = {
      {"resourceType", "Task"},
      {"id", id},
      {"identifier", {{{"system", kSproutReferralSystem}, {"value", referral.name()}}}},
      {"status", status},
      {"businessStatus", {{"coding", {{{"system", kSproutReferralStateSystem}, {"code", state}}}}}},
      {"intent", "order"},
      {"focus", {{"reference", absl::StrCat("ServiceRequest/", id)}}},
  };
  if (referral.has_create_time()) task["authoredOn"] = FhirInstant(referral.create_time());
  if (referral.has_update_time()) task["lastModified"] = FhirInstant(referral.update_time());
  if (!referral.route().pcn().empty()) {
    absl::string_view pcn = referral.route().pcn();
    absl::ConsumePrefix(&pcn, "pcns/");
    task["owner"] = {{"identifier", {{"system", kOdsSystem}, {"value", std::string(pcn)}}},
                     {"display", referral.route().pcn_display()}};
  }
  if (referral.has_decline() && !referral.decline().code().code().empty()) {
    task["statusReason"] = {{"coding",
                             {{{"system", kSnomedSystem},
                               {"code", referral.decline().code().code()},
                               {"display", referral.decline().code().display()}}}}};
  }
  json outputs = json::array();
  for (const sprout::v1::CodedConcept& code : referral.outcome().codes()) {
    outputs.push_back(
        {{"type", {{"text", "outcome"}}},
         {"valueCodeableConcept",
          {{"coding",
            {{{"system", kSnomedSystem}, {"code", code.code()}, {"display", code.display()}}}}}}});
  }
  // The wellbeing measured at the first contact and the latest (ONS4 items,
  // SWEMWBS total), so the referrer sees the change.
  auto add_scores = [&outputs](absl::string_view when, const sprout::v1::WellbeingScores& w) {
    const sprout::v1::Ons4Scores& ons4 = w.ons4();
    const std::pair<const char*, std::optional<int>> items[] = {
        {"life satisfaction", ons4.has_life_satisfaction()
                                  ? std::optional<int>(ons4.life_satisfaction())
                                  : std::nullopt},
        {"worthwhile",
         ons4.has_worthwhile() ? std::optional<int>(ons4.worthwhile()) : std::nullopt},
        {"happiness", ons4.has_happiness() ? std::optional<int>(ons4.happiness()) : std::nullopt},
        {"anxiety", ons4.has_anxiety() ? std::optional<int>(ons4.anxiety()) : std::nullopt},
    };
    for (const auto& [item, value] : items) {
      if (!value.has_value()) continue;
      outputs.push_back(
          {{"type", {{"text", absl::StrCat("wellbeing score (", when, "): ONS4 ", item)}}},
           {"valueInteger", *value}});
    }
    if (w.swemwbs().items_size() > 0) {
      outputs.push_back(
          {{"type", {{"text", absl::StrCat("wellbeing score (", when, "): SWEMWBS total")}}},
           {"valueInteger", w.swemwbs().total()}});
    }
  };
  if (referral.has_first_wellbeing()) add_scores("first", referral.first_wellbeing());
  if (referral.has_last_wellbeing()) add_scores("latest", referral.last_wellbeing());
  if (referral.outcome().has_wellbeing_score_start()) {
    outputs.push_back({{"type", {{"text", "wellbeing score at the start"}}},
                       {"valueInteger", referral.outcome().wellbeing_score_start()}});
  }
  if (referral.outcome().has_wellbeing_score_end()) {
    outputs.push_back({{"type", {{"text", "wellbeing score at the end"}}},
                       {"valueInteger", referral.outcome().wellbeing_score_end()}});
  }
  if (!outputs.empty()) task["output"] = std::move(outputs);
  return task;
}

json ResponseBundle(const ReferralMessage& request, const Referral& referral, bool replayed,
                    absl::string_view response_id, absl::Time now) {
  const std::string id(response_id);
  const std::string timestamp =
      absl::FormatTime("%Y-%m-%dT%H:%M:%E3S+00:00", now, absl::UTCTimeZone());
  json service_request = ServiceRequestOf(referral);
  const std::string service_request_url =
      absl::StrCat("ServiceRequest/", service_request["id"].get<std::string>());
  json header = {
      {"resourceType", "MessageHeader"},
      {"id", id},
      {"eventCoding", {{"system", kMessageEventSystem}, {"code", "servicerequest-response"}}},
      {"source", {{"endpoint", "urn:sprout:fhir"}}},
      {"destination", {{{"endpoint", request.source_endpoint}}}},
      {"response",
       {{"identifier", request.bundle_id.empty() ? request.message_id : request.bundle_id},
        {"code", "ok"}}},
      {"focus", {{{"reference", service_request_url}}}},
  };
  // How each reason was coded where Sprout did not take it as sent, and
  // whether this answer is a replay of the first.
  json issues = json::array();
  for (int i = 0; i < referral.coded_reasons_size(); ++i) {
    const std::string sentence = MethodSentence(referral.coded_reasons(i));
    if (sentence.empty()) continue;
    issues.push_back(
        {{"severity", referral.coded_reasons(i).method() == sprout::v1::CODING_METHOD_NEEDS_REVIEW
                          ? "warning"
                          : "information"},
         {"code", "informational"},
         {"diagnostics", absl::StrCat("reasonCode[", i, "]: ", sentence)},
         {"expression", {absl::StrCat("ServiceRequest.reasonCode[", i, "]")}}});
  }
  for (const sprout::v1::IntakeWarning& warning : referral.warnings()) {
    issues.push_back({{"severity", "warning"},
                      {"code", "informational"},
                      {"diagnostics", warning.description()}});
  }
  if (replayed) {
    issues.push_back({{"severity", "information"},
                      {"code", "informational"},
                      {"diagnostics",
                       "this message was received before (the same MessageHeader.id); the "
                       "referral stored then is returned and nothing new was stored"}});
  }
  json bundle = {{"resourceType", "Bundle"},
                 {"id", id},
                 {"type", "message"},
                 {"timestamp", timestamp},
                 {"entry",
                  {{{"fullUrl", absl::StrCat("urn:uuid:", id)}, {"resource", std::move(header)}},
                   {{"fullUrl", service_request_url}, {"resource", std::move(service_request)}}}}};
  if (!issues.empty()) {
    bundle["entry"].push_back(
        {{"resource", {{"resourceType", "OperationOutcome"}, {"issue", std::move(issues)}}}});
  }
  return bundle;
}

}  // namespace sprout::fhir
