#include "server/fhir/message_bundle.h"

#include <map>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "google/protobuf/util/time_util.h"
#include "server/fhir/bundle_reader.h"

namespace sprout::fhir {
namespace internal {

const json& EmptyArray() {
  static const json* empty = new json(json::array());
  return *empty;
}

std::optional<std::string> Reader::String(const json& object, const char* key,
                                          const std::string& path) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) {
    Issue("structure", absl::StrCat(path, ".", key), "must be a JSON string");
    return std::nullopt;
  }
  return it->get<std::string>();
}

const json& Reader::Array(const json& object, const char* key, const std::string& path) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return EmptyArray();
  if (!it->is_array()) {
    Issue("structure", absl::StrCat(path, ".", key), "must be a JSON array");
    return EmptyArray();
  }
  return *it;
}

const json* Reader::Object(const json& object, const char* key, const std::string& path) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return nullptr;
  if (!it->is_object()) {
    Issue("structure", absl::StrCat(path, ".", key), "must be a JSON object");
    return nullptr;
  }
  return &*it;
}

const Entry* Reader::Resolve(const json& holder, const std::string& path,
                             std::initializer_list<absl::string_view> want) {
  std::optional<std::string> reference = String(holder, "reference", path);
  if (!reference) {
    Issue("required", absl::StrCat(path, ".reference"),
          "must reference a resource in this Bundle (\"Patient/{id}\" or an entry's fullUrl)");
    return nullptr;
  }
  for (const Entry& entry : entries_) {
    if (entry.resource == nullptr) continue;  // already reported by IndexEntries
    const json& resource = *entry.resource;
    const bool by_type_and_id =
        resource.contains("id") && resource["id"].is_string() &&
        *reference == absl::StrCat(entry.type, "/", resource["id"].get<std::string>());
    const size_t index = &entry - entries_.data();
    const json& raw_entry = bundle_["entry"][index];
    const bool by_full_url = raw_entry.contains("fullUrl") && raw_entry["fullUrl"].is_string() &&
                             raw_entry["fullUrl"].get<std::string>() == *reference;
    if (!by_type_and_id && !by_full_url) continue;
    for (absl::string_view type : want) {
      if (entry.type == type) return &entry;
    }
    Issue("invalid", absl::StrCat(path, ".reference"),
          absl::StrCat("references a ", entry.type, "; it must reference a ",
                       absl::StrJoin(want, " or ")));
    return nullptr;
  }
  Issue("invalid", absl::StrCat(path, ".reference"),
        absl::StrCat("\"", *reference,
                     "\" is not in this Bundle: every resource a referral message references "
                     "must be one of its entries"));
  return nullptr;
}

std::optional<google::protobuf::Timestamp> Reader::DateTime(const std::string& text,
                                                            const std::string& path) {
  absl::Time time;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, text, &time, &error) &&
      !absl::ParseTime("%Y-%m-%d", text, absl::UTCTimeZone(), &time, &error)) {
    Issue("value", path,
          "must be a FHIR dateTime with a time zone, e.g. \"2026-12-01T09:30:00+00:00\"");
    return std::nullopt;
  }
  return google::protobuf::util::TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(time));
}

std::optional<sprout::v1::Date> Reader::Date(const std::string& text, const std::string& path) {
  std::vector<absl::string_view> parts = absl::StrSplit(text.substr(0, 10), '-');
  int year = 0, month = 0, day = 0;
  if (parts.size() != 3 || parts[0].size() != 4 || parts[1].size() != 2 || parts[2].size() != 2 ||
      !absl::SimpleAtoi(parts[0], &year) || !absl::SimpleAtoi(parts[1], &month) ||
      !absl::SimpleAtoi(parts[2], &day)) {
    Issue("value", path, "must be a FHIR date, YYYY-MM-DD");
    return std::nullopt;
  }
  sprout::v1::Date date;
  date.set_year(year);
  date.set_month(month);
  date.set_day(day);
  return date;
}

void Reader::IndexEntries() {
  const json& entries = Array(bundle_, "entry", "Bundle");
  for (size_t i = 0; i < entries.size(); ++i) {
    const std::string entry_path = absl::StrCat("Bundle.entry[", i, "]");
    if (!entries[i].is_object()) {
      Issue("structure", entry_path, "must be a JSON object with a resource");
      entries_.push_back({});
      continue;
    }
    const json* resource = Object(entries[i], "resource", entry_path);
    Entry entry;
    entry.path = absl::StrCat(entry_path, ".resource");
    if (resource == nullptr) {
      Issue("required", entry.path, "every entry of a message Bundle carries a resource");
    } else if (std::optional<std::string> type = String(*resource, "resourceType", entry.path)) {
      entry.resource = resource;
      entry.type = *type;
    } else {
      Issue("required", absl::StrCat(entry.path, ".resourceType"), "must name the resource type");
    }
    entries_.push_back(std::move(entry));
  }
}

ReadResult Reader::Read() {
  ReadResult result;
  if (!bundle_.is_object()) {
    result.issues.push_back({"structure", "", "the body must be a FHIR Bundle, a JSON object"});
    return result;
  }
  std::optional<std::string> type = String(bundle_, "resourceType", "Bundle");
  if (type != "Bundle") {
    Issue("invalid", "Bundle.resourceType",
          absl::StrCat("must be \"Bundle\" (a message Bundle as BaRS sends it), not \"",
                       type.value_or(""), "\""));
    result.issues = std::move(issues_);
    return result;
  }
  message_.bundle_id = String(bundle_, "id", "Bundle").value_or("");
  if (String(bundle_, "type", "Bundle") != "message") {
    Issue("value", "Bundle.type", "must be \"message\": $process-message takes a message Bundle");
  }
  IndexEntries();
  if (entries_.empty()) {
    Issue("required", "Bundle.entry", "a message Bundle starts with its MessageHeader");
  } else if (entries_[0].type != "MessageHeader") {
    Issue("structure", "Bundle.entry[0].resource",
          absl::StrCat("the first entry must be the MessageHeader, not ",
                       entries_[0].type.empty() ? "nothing" : entries_[0].type));
  } else {
    ReadHeader(entries_[0]);
  }
  if (issues_.empty() && service_request_ != nullptr) {
    if (message_.reason == MessageReason::kDelete) {
      ReadCancellation(*service_request_);
    } else {
      ReadServiceRequest(*service_request_);
      ReadConsentsAndFlags();
    }
  }
  result.issues = std::move(issues_);
  if (result.issues.empty()) result.message = std::move(message_);
  return result;
}

void Reader::ReadHeader(const Entry& header) {
  const json& h = *header.resource;
  const std::string& path = header.path;
  std::optional<std::string> id = String(h, "id", path);
  if (!id || id->empty()) {
    Issue("required", path + ".id",
          "MessageHeader.id identifies the message; it is the idempotency key, so a resent "
          "message must keep it");
  } else {
    message_.message_id = *id;
    origins_.Record("request_id", path + ".id");
  }
  const json* event = Object(h, "eventCoding", path);
  if (event == nullptr || String(*event, "system", path + ".eventCoding") != kMessageEventSystem ||
      String(*event, "code", path + ".eventCoding") != "servicerequest-request") {
    Issue("code-invalid", path + ".eventCoding",
          absl::StrCat("must be {system \"", kMessageEventSystem,
                       "\", code \"servicerequest-request\"}: Sprout receives referrals"));
  }
  if (const json* reason = Object(h, "reason", path)) {
    const json& codings = Array(*reason, "coding", path + ".reason");
    for (size_t i = 0; i < codings.size(); ++i) {
      if (!codings[i].is_object()) continue;
      const std::string coding_path = absl::StrCat(path, ".reason.coding[", i, "]");
      if (String(codings[i], "system", coding_path) != kMessageReasonSystem) continue;
      const std::string code = String(codings[i], "code", coding_path).value_or("");
      if (code == "new") {
        message_.reason = MessageReason::kNew;
      } else if (code == "update") {
        message_.reason = MessageReason::kUpdate;
      } else if (code == "delete") {
        message_.reason = MessageReason::kDelete;
      } else {
        Issue("code-invalid", coding_path + ".code",
              "must be \"new\", \"update\" or \"delete\" (message-reason-bars)");
      }
    }
  }
  if (const json* source = Object(h, "source", path)) {
    message_.source_endpoint = String(*source, "endpoint", path + ".source").value_or("");
  }
  if (message_.source_endpoint.empty()) {
    Issue("required", path + ".source.endpoint",
          "must name the sending endpoint (its Endpoint Catalogue id): BaRS receivers keep it "
          "to answer and to audit");
  }
  const json& focus = Array(h, "focus", path);
  if (focus.size() != 1 || !focus[0].is_object()) {
    Issue("required", path + ".focus",
          "must reference exactly one resource: the ServiceRequest of the referral");
    return;
  }
  service_request_ = Resolve(focus[0], path + ".focus[0]", {"ServiceRequest"});
}

void Reader::ReadServiceRequest(const Entry& request) {
  const json& r = *request.resource;
  const std::string& path = request.path;
  origins_.Record("referral", path);
  message_.service_request_id = String(r, "id", path).value_or("");
  const std::string status = String(r, "status", path).value_or("");
  if (status != "active") {
    Issue("value", path + ".status",
          absl::StrCat("a new referral's ServiceRequest must be \"active\", not \"", status, "\""));
  }
  const std::string intent = String(r, "intent", path).value_or("");
  if (intent != "plan") {
    Issue("value", path + ".intent",
          absl::StrCat("must be \"plan\", as the BaRS referral profile fixes it, not \"", intent,
                       "\""));
  }
  bool referral_category = false;
  const json& categories = Array(r, "category", path);
  for (size_t i = 0; i < categories.size(); ++i) {
    if (!categories[i].is_object()) continue;
    const std::string category_path = absl::StrCat(path, ".category[", i, "]");
    const json& codings = Array(categories[i], "coding", category_path);
    for (size_t j = 0; j < codings.size(); ++j) {
      if (!codings[j].is_object()) continue;
      const std::string coding_path = absl::StrCat(category_path, ".coding[", j, "]");
      const std::string system = String(codings[j], "system", coding_path).value_or("");
      const std::string code = String(codings[j], "code", coding_path).value_or("");
      if ((system == kServiceRequestCategorySystem && code == "referral") ||
          (system == kSnomedSystem && code == "3457005")) {
        referral_category = true;
      }
    }
  }
  if (!referral_category) {
    Issue("required", path + ".category",
          absl::StrCat("must include {system \"", kServiceRequestCategorySystem,
                       "\", code \"referral\"} (or SNOMED CT 3457005 |Patient referral|)"));
  }
  bool service_code = false;
  if (const json* code = Object(r, "code", path)) {
    const json& codings = Array(*code, "coding", path + ".code");
    for (size_t i = 0; i < codings.size(); ++i) {
      if (!codings[i].is_object()) continue;
      const std::string coding_path = absl::StrCat(path, ".code.coding[", i, "]");
      if (String(codings[i], "system", coding_path) == kSnomedSystem &&
          String(codings[i], "code", coding_path) == kSocialPrescribingReferral) {
        service_code = true;
      }
    }
  }
  if (!service_code) {
    Issue("code-invalid", path + ".code",
          absl::StrCat("must be SNOMED CT ", kSocialPrescribingReferral,
                       " |Referral to social prescribing service|: the service Sprout receives "
                       "referrals for"));
  }
  if (std::optional<std::string> authored = String(r, "authoredOn", path)) {
    if (auto time = DateTime(*authored, path + ".authoredOn")) {
      *referral_.mutable_authored_time() = *time;
      origins_.Record("referral.authored_time", path + ".authoredOn");
    }
  } else {
    Issue("required", path + ".authoredOn",
          "the BaRS referral profile requires authoredOn, when the referral was written");
  }
  if (std::optional<std::string> priority = String(r, "priority", path)) {
    origins_.Record("referral.priority", path + ".priority");
    if (*priority == "routine") {
      referral_.set_priority(sprout::v1::PRIORITY_ROUTINE);
    } else if (*priority == "urgent" || *priority == "asap" || *priority == "stat") {
      referral_.set_priority(sprout::v1::PRIORITY_URGENT);
    } else {
      Issue("code-invalid", path + ".priority",
            "must be one of routine, urgent, asap, stat (asap and stat are read as urgent)");
    }
  }
  const json& extensions = Array(r, "extension", path);
  for (size_t i = 0; i < extensions.size(); ++i) {
    if (!extensions[i].is_object()) continue;
    const std::string ext_path = absl::StrCat(path, ".extension[", i, "]");
    if (String(extensions[i], "url", ext_path) != kSourceOfServiceRequestUrl) continue;
    if (const json* value = Object(extensions[i], "valueCodeableConcept", ext_path)) {
      const json& codings = Array(*value, "coding", ext_path + ".valueCodeableConcept");
      for (size_t j = 0; j < codings.size(); ++j) {
        const std::string coding_path =
            absl::StrCat(ext_path, ".valueCodeableConcept.coding[", j, "]");
        if (codings[j].is_object() && String(codings[j], "system", coding_path) == kSnomedSystem) {
          referral_.mutable_referrer()->set_source_code(
              String(codings[j], "code", coding_path).value_or(""));
          origins_.Record("referral.referrer.source_code", coding_path + ".code");
        }
      }
    }
  }
  // UK Core carries the priority's reason on the priority element itself.
  if (const json* priority_element = Object(r, "_priority", path)) {
    const json& priority_ext = Array(*priority_element, "extension", path + "._priority");
    for (size_t i = 0; i < priority_ext.size(); ++i) {
      const std::string ext_path = absl::StrCat(path, "._priority.extension[", i, "]");
      if (!priority_ext[i].is_object() ||
          String(priority_ext[i], "url", ext_path) != kPriorityReasonUrl) {
        continue;
      }
      if (const json* value = Object(priority_ext[i], "valueCodeableConcept", ext_path)) {
        referral_.set_priority_reason(
            String(*value, "text", ext_path + ".valueCodeableConcept").value_or(""));
        origins_.Record("referral.priority_reason", ext_path + ".valueCodeableConcept.text");
      }
    }
  }
  if (const json* period = Object(r, "occurrencePeriod", path)) {
    if (std::optional<std::string> end = String(*period, "end", path + ".occurrencePeriod")) {
      if (auto date = Date(*end, path + ".occurrencePeriod.end")) {
        *referral_.mutable_contact_by_date() = *date;
        origins_.Record("referral.contact_by_date", path + ".occurrencePeriod.end");
      }
    }
  }
  const json& notes = Array(r, "note", path);
  std::vector<std::string> texts;
  for (size_t i = 0; i < notes.size(); ++i) {
    if (!notes[i].is_object()) continue;
    if (auto text = String(notes[i], "text", absl::StrCat(path, ".note[", i, "]"))) {
      texts.push_back(*text);
    }
  }
  if (!texts.empty()) {
    referral_.set_what_matters_to_me(absl::StrJoin(texts, "\n"));
    origins_.Record("referral.what_matters_to_me", path + ".note[0].text");
  }
  ReadReasons(request);
  if (const json* subject = Object(r, "subject", path)) {
    if (const Entry* patient = Resolve(*subject, path + ".subject", {"Patient"})) {
      ReadPatient(*patient);
    }
  } else {
    Issue("required", path + ".subject", "must reference the Patient being referred");
  }
  if (const json* requester = Object(r, "requester", path)) {
    if (const Entry* who =
            Resolve(*requester, path + ".requester",
                    {"PractitionerRole", "Practitioner", "Organization", "Patient"})) {
      ReadRequester(*who);
    }
  } else {
    Issue("required", path + ".requester",
          "must reference who refers: a PractitionerRole, Practitioner or Organization, or the "
          "Patient for a self-referral");
  }
}

void Reader::ReadCancellation(const Entry& request) {
  const json& r = *request.resource;
  const std::string& path = request.path;
  const std::string status = String(r, "status", path).value_or("");
  if (status != "revoked" && status != "entered-in-error") {
    Issue("value", path + ".status",
          absl::StrCat("a cancellation's ServiceRequest must be \"revoked\" (or "
                       "\"entered-in-error\"), not \"",
                       status, "\""));
  }
  const json& identifiers = Array(r, "identifier", path);
  for (size_t i = 0; i < identifiers.size(); ++i) {
    if (!identifiers[i].is_object()) continue;
    const std::string id_path = absl::StrCat(path, ".identifier[", i, "]");
    if (String(identifiers[i], "system", id_path) != kSproutReferralSystem) continue;
    absl::string_view value;
    const std::string text = String(identifiers[i], "value", id_path).value_or("");
    value = text;
    if (!absl::ConsumePrefix(&value, "referrals/") || value.empty()) {
      Issue("value", id_path + ".value",
            "must be the referral's name as Sprout answered it, \"referrals/{id}\"");
      return;
    }
    message_.cancelled_referral_id = std::string(value);
    origins_.Record("name", id_path + ".value");
    return;
  }
  Issue("required", path + ".identifier",
        absl::StrCat("a cancellation names the referral to withdraw: an identifier with system \"",
                     kSproutReferralSystem,
                     "\" and the value Sprout gave in its response (\"referrals/{id}\")"));
}

void Reader::ReadReasons(const Entry& request) {
  const json& reasons = Array(*request.resource, "reasonCode", request.path);
  for (size_t i = 0; i < reasons.size(); ++i) {
    const std::string reason_path = absl::StrCat(request.path, ".reasonCode[", i, "]");
    const std::string field = absl::StrCat("referral.reasons[", referral_.reasons_size(), "]");
    if (!reasons[i].is_object()) {
      Issue("structure", reason_path, "must be a CodeableConcept");
      continue;
    }
    sprout::v1::ReasonInput reason;
    const json& codings = Array(reasons[i], "coding", reason_path);
    // SNOMED CT first; else the sender's own code system through Sprout's code
    // maps; else the text, for the free-text coder.
    for (size_t j = 0; j < codings.size() && reason.reason_case() == reason.REASON_NOT_SET; ++j) {
      const std::string coding_path = absl::StrCat(reason_path, ".coding[", j, "]");
      if (codings[j].is_object() && String(codings[j], "system", coding_path) == kSnomedSystem) {
        reason.set_snomed_code(String(codings[j], "code", coding_path).value_or(""));
        origins_.Record(field, coding_path);
        origins_.Record(field + ".snomed_code", coding_path + ".code");
      }
    }
    for (size_t j = 0; j < codings.size() && reason.reason_case() == reason.REASON_NOT_SET; ++j) {
      const std::string coding_path = absl::StrCat(reason_path, ".coding[", j, "]");
      if (!codings[j].is_object()) continue;
      std::optional<std::string> system = String(codings[j], "system", coding_path);
      std::optional<std::string> code = String(codings[j], "code", coding_path);
      if (!system || !code) continue;
      reason.mutable_local_code()->set_system(*system);
      reason.mutable_local_code()->set_code(*code);
      origins_.Record(field, coding_path);
      origins_.Record(field + ".local_code.system", coding_path + ".system");
      origins_.Record(field + ".local_code.code", coding_path + ".code");
    }
    if (reason.reason_case() == reason.REASON_NOT_SET) {
      if (auto text = String(reasons[i], "text", reason_path)) {
        reason.set_free_text(*text);
        origins_.Record(field, reason_path + ".text");
        origins_.Record(field + ".free_text", reason_path + ".text");
      } else {
        Issue("required", reason_path, "a reasonCode needs a coding or a text");
        continue;
      }
    }
    *referral_.add_reasons() = std::move(reason);
  }
  origins_.Record("referral.reasons", request.path + ".reasonCode");
}

}  // namespace internal

ReadResult ReadReferralMessage(const nlohmann::json& bundle) {
  return internal::Reader(bundle).Read();
}

}  // namespace sprout::fhir
