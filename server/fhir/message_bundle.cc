#include "server/fhir/message_bundle.h"

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

namespace sprout::fhir {
namespace {

using nlohmann::json;
using sprout::v1::Referral;

constexpr char kBarsConsentCategorySystem[] =
    "https://fhir.nhs.uk/CodeSystem/consent-categories-bars";

// The FHIR element a Referral field maps to, relative to the resource its
// parent came from: for pointing at a field the sender left out.
const std::map<std::string, std::string>& ChildElements() {
  static const auto* elements = new std::map<std::string, std::string>{
      {"referral.patient.nhs_number", "identifier"},
      {"referral.patient.nhs_number_verification_status", "identifier.extension"},
      {"referral.patient.nhs_number_unavailable_reason", "identifier"},
      {"referral.patient.given_name", "name.given"},
      {"referral.patient.family_name", "name.family"},
      {"referral.patient.birth_date", "birthDate"},
      {"referral.patient.address", "address"},
      {"referral.patient.address.postcode", "address.postalCode"},
      {"referral.patient.address.town", "address.city"},
      {"referral.patient.address.lines", "address.line"},
      {"referral.patient.registered_practice_code", "generalPractitioner"},
      {"referral.patient.gender", "gender"},
      {"referral.patient.contact", "telecom"},
      {"referral.patient.contact.phone", "telecom"},
      {"referral.patient.contact.email", "telecom"},
      {"referral.referrer.organisation_code", "identifier"},
      {"referral.referrer.organisation_name", "name"},
      {"referral.referrer.source_type", "type"},
      {"referral.referrer.callback_phone", "telecom"},
      {"referral.referrer.callback_email", "telecom"},
      {"referral.referrer.practitioner_name", "practitioner"},
      {"referral.referrer.practitioner_role", "code"},
      {"referral.authored_time", "authoredOn"},
      {"referral.priority", "priority"},
      {"referral.priority_reason", "priority.extension"},
      {"referral.reasons", "reasonCode"},
      {"referral.what_matters_to_me", "note"},
      {"referral.contact_by_date", "occurrencePeriod.end"},
      {"referral.consent", "supportingInfo"},
      {"referral.consent.referral_agreed", "provision.type"},
      {"referral.consent.information_sharing_agreed", "category"},
      {"referral.consent.obtained_by", "performer"},
      {"referral.consent.obtained_time", "dateTime"},
  };
  return *elements;
}

// The parent of "a.b.c" ("a.b") or of "a.b[2]" ("a.b"); "" at the top.
std::string ParentOf(const std::string& path) {
  const size_t cut = path.find_last_of(".[");
  return cut == std::string::npos ? "" : path.substr(0, cut);
}

struct Entry {
  const json* resource = nullptr;
  std::string path;  // "Bundle.entry[3].resource"
  std::string type;  // resourceType
};

class Reader {
 public:
  explicit Reader(const json& bundle) : bundle_(bundle) {}

  ReadResult Read();

 private:
  void Issue(std::string code, std::string expression, std::string diagnostics) {
    issues_.push_back({std::move(code), std::move(expression), std::move(diagnostics)});
  }
  // The member `key` of `object` when it is a string; nullopt when absent
  // (and an issue when present but not a string).
  std::optional<std::string> String(const json& object, const char* key, const std::string& path);
  // The member `key` when it is an array (empty when absent; an issue when
  // present but not an array).
  const json& Array(const json& object, const char* key, const std::string& path);
  const json* Object(const json& object, const char* key, const std::string& path);
  // The entry a reference names ("Patient/p1" or a fullUrl), with an issue at
  // `path` when it names none or one of another type than `want`.
  const Entry* Resolve(const json& reference_holder, const std::string& path,
                       std::initializer_list<absl::string_view> want);
  std::optional<google::protobuf::Timestamp> DateTime(const std::string& text,
                                                      const std::string& path);
  std::optional<sprout::v1::Date> Date(const std::string& text, const std::string& path);

  void IndexEntries();
  void ReadHeader(const Entry& header);
  void ReadServiceRequest(const Entry& request);
  void ReadCancellation(const Entry& request);
  void ReadReasons(const Entry& request);
  void ReadPatient(const Entry& patient);
  void ReadRequester(const Entry& requester);
  void ReadOrganisation(const Entry& organisation);
  void ReadTelecom(const json& resource, const std::string& path, std::string* phone,
                   std::string* email, const std::string& phone_field,
                   const std::string& email_field);
  void ReadConsentsAndFlags();

  const json& bundle_;
  std::vector<FhirIssue> issues_;
  std::vector<Entry> entries_;
  ReferralMessage message_;
  Referral& referral_ = message_.referral;
  FieldOrigins& origins_ = message_.origins;
  const Entry* service_request_ = nullptr;
};

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

void Reader::ReadTelecom(const json& resource, const std::string& path, std::string* phone,
                         std::string* email, const std::string& phone_field,
                         const std::string& email_field) {
  const json& telecoms = Array(resource, "telecom", path);
  for (size_t i = 0; i < telecoms.size(); ++i) {
    if (!telecoms[i].is_object()) continue;
    const std::string telecom_path = absl::StrCat(path, ".telecom[", i, "]");
    const std::string system = String(telecoms[i], "system", telecom_path).value_or("");
    const std::string value = String(telecoms[i], "value", telecom_path).value_or("");
    if (system == "phone" && phone->empty()) {
      *phone = value;
      origins_.Record(phone_field, telecom_path + ".value");
    } else if (system == "email" && email->empty()) {
      *email = value;
      origins_.Record(email_field, telecom_path + ".value");
    }
  }
}

void Reader::ReadPatient(const Entry& entry) {
  const json& p = *entry.resource;
  const std::string& path = entry.path;
  sprout::v1::Patient& patient = *referral_.mutable_patient();
  origins_.Record("referral.patient", path);
  const json& identifiers = Array(p, "identifier", path);
  for (size_t i = 0; i < identifiers.size(); ++i) {
    if (!identifiers[i].is_object()) continue;
    const std::string id_path = absl::StrCat(path, ".identifier[", i, "]");
    if (String(identifiers[i], "system", id_path) != kNhsNumberSystem) continue;
    patient.set_nhs_number(String(identifiers[i], "value", id_path).value_or(""));
    origins_.Record("referral.patient.nhs_number", id_path + ".value");
    const json& extensions = Array(identifiers[i], "extension", id_path);
    for (size_t j = 0; j < extensions.size(); ++j) {
      const std::string ext_path = absl::StrCat(id_path, ".extension[", j, "]");
      if (!extensions[j].is_object() ||
          String(extensions[j], "url", ext_path) != kNhsNumberVerificationUrl) {
        continue;
      }
      const json* value = Object(extensions[j], "valueCodeableConcept", ext_path);
      if (value == nullptr) continue;
      const json& codings = Array(*value, "coding", ext_path + ".valueCodeableConcept");
      const std::string coding_path = ext_path + ".valueCodeableConcept.coding[0].code";
      int status = 0;
      const std::string code =
          codings.empty() || !codings[0].is_object()
              ? ""
              : String(codings[0], "code", ext_path + ".valueCodeableConcept.coding[0]")
                    .value_or("");
      if (code.size() != 2 || !absl::SimpleAtoi(code, &status) || status < 1 || status > 8) {
        Issue("code-invalid", coding_path,
              "must be an NHS number verification status, \"01\" to \"08\" "
              "(UKCore-NHSNumberVerificationStatusEngland)");
        continue;
      }
      patient.set_nhs_number_verification_status(
          static_cast<sprout::v1::NhsNumberVerificationStatus>(status));
      origins_.Record("referral.patient.nhs_number_verification_status", coding_path);
    }
  }
  // UK Core's reason for no NHS number, coded as Sprout names the reasons
  // (not_known, declined, not_issued: kNhsNumberUnavailableSystem).
  const json& patient_extensions = Array(p, "extension", path);
  for (size_t i = 0; i < patient_extensions.size(); ++i) {
    const std::string ext_path = absl::StrCat(path, ".extension[", i, "]");
    if (!patient_extensions[i].is_object() ||
        String(patient_extensions[i], "url", ext_path) != kNhsNumberUnavailableUrl) {
      continue;
    }
    const json* value = Object(patient_extensions[i], "valueCodeableConcept", ext_path);
    const json& codings = value == nullptr
                              ? EmptyArray()
                              : Array(*value, "coding", ext_path + ".valueCodeableConcept");
    const std::string coding_path = ext_path + ".valueCodeableConcept.coding[0]";
    const std::string code = codings.empty() || !codings[0].is_object()
                                 ? ""
                                 : String(codings[0], "code", coding_path).value_or("");
    sprout::v1::NhsNumberUnavailableReason reason;
    if (!sprout::v1::NhsNumberUnavailableReason_Parse(
            absl::StrCat("NHS_NUMBER_UNAVAILABLE_REASON_", absl::AsciiStrToUpper(code)), &reason) ||
        reason == sprout::v1::NHS_NUMBER_UNAVAILABLE_REASON_UNSPECIFIED) {
      Issue("code-invalid", coding_path + ".code",
            absl::StrCat("must be not_known, declined or not_issued (system ",
                         kNhsNumberUnavailableSystem, ")"));
      continue;
    }
    patient.set_nhs_number_unavailable_reason(reason);
    origins_.Record("referral.patient.nhs_number_unavailable_reason", coding_path + ".code");
  }
  const json& names = Array(p, "name", path);
  for (size_t i = 0; i < names.size(); ++i) {
    if (!names[i].is_object()) continue;
    const std::string name_path = absl::StrCat(path, ".name[", i, "]");
    const std::string use = String(names[i], "use", name_path).value_or("official");
    if (use != "official" && use != "usual") continue;
    const json& given = Array(names[i], "given", name_path);
    if (!given.empty() && given[0].is_string()) {
      patient.set_given_name(given[0].get<std::string>());
      origins_.Record("referral.patient.given_name", name_path + ".given[0]");
    }
    patient.set_family_name(String(names[i], "family", name_path).value_or(""));
    origins_.Record("referral.patient.family_name", name_path + ".family");
    break;
  }
  if (std::optional<std::string> birth = String(p, "birthDate", path)) {
    if (auto date = Date(*birth, path + ".birthDate")) {
      *patient.mutable_birth_date() = *date;
      origins_.Record("referral.patient.birth_date", path + ".birthDate");
    }
  }
  if (std::optional<std::string> gender = String(p, "gender", path)) {
    origins_.Record("referral.patient.gender", path + ".gender");
    static const auto* genders =
        new std::map<std::string, sprout::v1::Gender>{{"male", sprout::v1::GENDER_MALE},
                                                      {"female", sprout::v1::GENDER_FEMALE},
                                                      {"other", sprout::v1::GENDER_OTHER},
                                                      {"unknown", sprout::v1::GENDER_UNKNOWN}};
    auto it = genders->find(*gender);
    if (it == genders->end()) {
      Issue("code-invalid", path + ".gender", "must be male, female, other or unknown");
    } else {
      patient.set_gender(it->second);
    }
  }
  const json& addresses = Array(p, "address", path);
  if (!addresses.empty() && addresses[0].is_object()) {
    const std::string address_path = path + ".address[0]";
    origins_.Record("referral.patient.address", address_path);
    sprout::v1::Address& address = *patient.mutable_address();
    const json& lines = Array(addresses[0], "line", address_path);
    for (size_t i = 0; i < lines.size(); ++i) {
      if (lines[i].is_string()) address.add_lines(lines[i].get<std::string>());
    }
    origins_.Record("referral.patient.address.lines", address_path + ".line");
    address.set_town(String(addresses[0], "city", address_path).value_or(""));
    origins_.Record("referral.patient.address.town", address_path + ".city");
    address.set_postcode(String(addresses[0], "postalCode", address_path).value_or(""));
    origins_.Record("referral.patient.address.postcode", address_path + ".postalCode");
  }
  std::string phone, email;
  ReadTelecom(p, path, &phone, &email, "referral.patient.contact.phone",
              "referral.patient.contact.email");
  if (!phone.empty()) patient.mutable_contact()->set_phone(phone);
  if (!email.empty()) patient.mutable_contact()->set_email(email);
  const json& practices = Array(p, "generalPractitioner", path);
  for (size_t i = 0; i < practices.size() && patient.registered_practice_code().empty(); ++i) {
    if (!practices[i].is_object()) continue;
    const std::string gp_path = absl::StrCat(path, ".generalPractitioner[", i, "]");
    if (const json* identifier = Object(practices[i], "identifier", gp_path)) {
      if (String(*identifier, "system", gp_path + ".identifier") == kOdsSystem) {
        patient.set_registered_practice_code(
            String(*identifier, "value", gp_path + ".identifier").value_or(""));
        origins_.Record("referral.patient.registered_practice_code", gp_path + ".identifier.value");
      }
    }
  }
}

void Reader::ReadRequester(const Entry& entry) {
  const json& r = *entry.resource;
  sprout::v1::Referrer& referrer = *referral_.mutable_referrer();
  origins_.Record("referral.referrer", entry.path);
  if (entry.type == "Patient") {
    referrer.set_source_type(sprout::v1::SOURCE_TYPE_SELF_REFERRAL);
    origins_.Record("referral.referrer.source_type", entry.path);
    return;
  }
  if (entry.type == "Organization") {
    ReadOrganisation(entry);
    return;
  }
  const Entry* practitioner = &entry;
  if (entry.type == "PractitionerRole") {
    std::string phone, email;
    ReadTelecom(r, entry.path, &phone, &email, "referral.referrer.callback_phone",
                "referral.referrer.callback_email");
    referrer.set_callback_phone(phone);
    referrer.set_callback_email(email);
    const json& codes = Array(r, "code", entry.path);
    if (!codes.empty() && codes[0].is_object()) {
      const std::string code_path = entry.path + ".code[0]";
      std::string role = String(codes[0], "text", code_path).value_or("");
      const json& codings = Array(codes[0], "coding", code_path);
      if (role.empty() && !codings.empty() && codings[0].is_object()) {
        role = String(codings[0], "display", code_path + ".coding[0]").value_or("");
      }
      referrer.set_practitioner_role(role);
      origins_.Record("referral.referrer.practitioner_role", code_path);
    }
    practitioner = nullptr;
    if (const json* who = Object(r, "practitioner", entry.path)) {
      practitioner = Resolve(*who, entry.path + ".practitioner", {"Practitioner"});
    }
    if (const json* organisation = Object(r, "organization", entry.path)) {
      if (const Entry* org =
              Resolve(*organisation, entry.path + ".organization", {"Organization"})) {
        ReadOrganisation(*org);
      }
    } else {
      Issue("required", entry.path + ".organization",
            "must reference the referring Organization (its ODS code or agency id)");
    }
  }
  if (practitioner != nullptr) {
    const json& names = Array(*practitioner->resource, "name", practitioner->path);
    if (!names.empty() && names[0].is_object()) {
      const std::string name_path = practitioner->path + ".name[0]";
      std::string name = String(names[0], "text", name_path).value_or("");
      if (name.empty()) {
        std::vector<std::string> parts;
        for (const char* key : {"prefix", "given"}) {
          for (const json& part : Array(names[0], key, name_path)) {
            if (part.is_string()) parts.push_back(part.get<std::string>());
          }
        }
        if (auto family = String(names[0], "family", name_path)) parts.push_back(*family);
        name = absl::StrJoin(parts, " ");
      }
      referrer.set_practitioner_name(name);
      origins_.Record("referral.referrer.practitioner_name", name_path);
    }
  }
}

void Reader::ReadOrganisation(const Entry& entry) {
  const json& o = *entry.resource;
  sprout::v1::Referrer& referrer = *referral_.mutable_referrer();
  const json& identifiers = Array(o, "identifier", entry.path);
  // The ODS code when there is one; else the agency's own id (e.g. police:WYP).
  for (int pass = 0; pass < 2 && referrer.organisation_code().empty(); ++pass) {
    for (size_t i = 0; i < identifiers.size(); ++i) {
      if (!identifiers[i].is_object()) continue;
      const std::string id_path = absl::StrCat(entry.path, ".identifier[", i, "]");
      if (pass == 0 && String(identifiers[i], "system", id_path) != kOdsSystem) continue;
      referrer.set_organisation_code(String(identifiers[i], "value", id_path).value_or(""));
      origins_.Record("referral.referrer.organisation_code", id_path + ".value");
      break;
    }
  }
  referrer.set_organisation_name(String(o, "name", entry.path).value_or(""));
  origins_.Record("referral.referrer.organisation_name", entry.path + ".name");
  if (referrer.callback_phone().empty() && referrer.callback_email().empty()) {
    std::string phone, email;
    ReadTelecom(o, entry.path, &phone, &email, "referral.referrer.callback_phone",
                "referral.referrer.callback_email");
    referrer.set_callback_phone(phone);
    referrer.set_callback_email(email);
  }
  const json& types = Array(o, "type", entry.path);
  for (size_t i = 0; i < types.size(); ++i) {
    if (!types[i].is_object()) continue;
    const std::string type_path = absl::StrCat(entry.path, ".type[", i, "]");
    const json& codings = Array(types[i], "coding", type_path);
    for (size_t j = 0; j < codings.size(); ++j) {
      const std::string coding_path = absl::StrCat(type_path, ".coding[", j, "]");
      if (!codings[j].is_object() ||
          String(codings[j], "system", coding_path) != kReferrerKindSystem) {
        continue;
      }
      const std::string code = String(codings[j], "code", coding_path).value_or("");
      sprout::v1::SourceType kind;
      if (!sprout::v1::SourceType_Parse(absl::StrCat("SOURCE_TYPE_", absl::AsciiStrToUpper(code)),
                                        &kind) ||
          kind == sprout::v1::SOURCE_TYPE_UNSPECIFIED) {
        Issue("code-invalid", coding_path + ".code",
              absl::StrCat("\"", code, "\" is not a kind of referrer in ", kReferrerKindSystem,
                           " (e.g. gp_practice, community_pharmacy, police, self_referral)"));
        continue;
      }
      referrer.set_source_type(kind);
      origins_.Record("referral.referrer.source_type", coding_path + ".code");
    }
  }
  if (referrer.source_type() == sprout::v1::SOURCE_TYPE_UNSPECIFIED) {
    Issue("required", entry.path + ".type",
          absl::StrCat("must carry the kind of referrer as {system \"", kReferrerKindSystem,
                       "\", code e.g. \"gp_practice\"}: it decides what the referral must "
                       "carry"));
  }
}

void Reader::ReadConsentsAndFlags() {
  for (const Entry& entry : entries_) {
    if (entry.resource == nullptr) continue;
    const json& resource = *entry.resource;
    if (entry.type == "Consent") {
      if (String(resource, "status", entry.path) != "active") continue;
      sprout::v1::Consent& consent = *referral_.mutable_consent();
      origins_.Record("referral.consent", entry.path);
      const json* provision = Object(resource, "provision", entry.path);
      const std::string type =
          provision == nullptr
              ? "permit"
              : String(*provision, "type", entry.path + ".provision").value_or("permit");
      consent.set_referral_agreed(type == "permit");
      origins_.Record("referral.consent.referral_agreed", entry.path + ".provision.type");
      const json& categories = Array(resource, "category", entry.path);
      for (size_t i = 0; i < categories.size(); ++i) {
        if (!categories[i].is_object()) continue;
        const std::string category_path = absl::StrCat(entry.path, ".category[", i, "]");
        const json& codings = Array(categories[i], "coding", category_path);
        for (size_t j = 0; j < codings.size(); ++j) {
          const std::string coding_path = absl::StrCat(category_path, ".coding[", j, "]");
          if (codings[j].is_object() &&
              String(codings[j], "system", coding_path) == kBarsConsentCategorySystem &&
              String(codings[j], "code", coding_path) == "DRC") {
            consent.set_information_sharing_agreed(type == "permit");
          }
        }
      }
      origins_.Record("referral.consent.information_sharing_agreed", entry.path + ".category");
      const json& performers = Array(resource, "performer", entry.path);
      if (!performers.empty() && performers[0].is_object()) {
        consent.set_obtained_by(
            String(performers[0], "display", entry.path + ".performer[0]").value_or(""));
        origins_.Record("referral.consent.obtained_by", entry.path + ".performer[0].display");
      }
      if (auto when = String(resource, "dateTime", entry.path)) {
        if (auto time = DateTime(*when, entry.path + ".dateTime")) {
          *consent.mutable_obtained_time() = *time;
          origins_.Record("referral.consent.obtained_time", entry.path + ".dateTime");
        }
      }
    } else if (entry.type == "Flag") {
      if (String(resource, "status", entry.path) != "active") continue;
      const std::string field =
          absl::StrCat("referral.safeguarding_flags[", referral_.safeguarding_flags_size(), "]");
      sprout::v1::SafeguardingFlag& flag = *referral_.add_safeguarding_flags();
      origins_.Record(field, entry.path);
      if (const json* code = Object(resource, "code", entry.path)) {
        const json& codings = Array(*code, "coding", entry.path + ".code");
        if (!codings.empty() && codings[0].is_object()) {
          flag.set_code(String(codings[0], "code", entry.path + ".code.coding[0]").value_or(""));
          origins_.Record(field + ".code", entry.path + ".code.coding[0].code");
        }
        flag.set_details(String(*code, "text", entry.path + ".code").value_or(""));
        origins_.Record(field + ".details", entry.path + ".code.text");
      }
    }
  }
}

}  // namespace

void FieldOrigins::Record(std::string referral_field, std::string fhir_path) {
  origins_[std::move(referral_field)] = std::move(fhir_path);
}

std::string FieldOrigins::FhirPathOf(const std::string& referral_field) const {
  if (auto it = origins_.find(referral_field); it != origins_.end()) return it->second;
  std::string child = referral_field;
  for (std::string parent = ParentOf(child); !parent.empty();
       child = parent, parent = ParentOf(parent)) {
    auto it = origins_.find(parent);
    if (it == origins_.end()) continue;
    auto element = ChildElements().find(referral_field);
    if (element == ChildElements().end()) element = ChildElements().find(child);
    if (element == ChildElements().end()) return it->second;
    // The element is relative to the resource, which may be above `parent`.
    std::string base = it->second;
    const size_t resource = base.find(".resource");
    if (resource != std::string::npos) base = base.substr(0, resource + 9);
    return absl::StrCat(base, ".", element->second);
  }
  return "Bundle";
}

ReadResult ReadReferralMessage(const nlohmann::json& bundle) { return Reader(bundle).Read(); }

}  // namespace sprout::fhir
