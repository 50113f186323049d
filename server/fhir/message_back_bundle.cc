#include "server/fhir/message_back_bundle.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "server/fhir/message_bundle.h"
#include "server/fhir/response_bundle.h"

namespace sprout::fhir {
namespace {

using nlohmann::json;
using sprout::v1::Referral;

constexpr char kPatientId[] = "patient";

// The person as far as the receiver needs to match them to its record.
json PatientOf(const sprout::v1::Patient& patient) {
  json resource = {{"resourceType", "Patient"}, {"id", kPatientId}};
  if (!patient.nhs_number().empty()) {
    resource["identifier"] = {{{"system", kNhsNumberSystem}, {"value", patient.nhs_number()}}};
    return resource;
  }
  json name = {{"family", patient.family_name()}};
  // json::array, not braces: {x} of one json is x itself under some compilers.
  if (!patient.given_name().empty()) name["given"] = json::array({patient.given_name()});
  resource["name"] = json::array({std::move(name)});
  if (patient.has_birth_date()) {
    const sprout::v1::Date& d = patient.birth_date();
    resource["birthDate"] = absl::StrFormat("%04d-%02d-%02d", d.year(), d.month(), d.day());
  }
  return resource;
}

}  // namespace

json MessageBackBundle(const Referral& referral, absl::string_view message_id,
                       const MessageBackAddress& address, absl::Time now) {
  const std::string id(message_id);
  json task = TaskOf(referral);
  if (!referral.outcome().summary().empty()) {
    if (!task.contains("output")) task["output"] = json::array();
    task["output"].push_back(
        {{"type", {{"text", "summary"}}}, {"valueString", referral.outcome().summary()}});
  }
  task["for"] = {{"reference", absl::StrCat("Patient/", kPatientId)}};
  json service_request = ServiceRequestOf(referral);
  service_request["subject"] = {{"reference", absl::StrCat("Patient/", kPatientId)}};
  const std::string task_url = absl::StrCat("Task/", task["id"].get<std::string>());
  const std::string service_request_url =
      absl::StrCat("ServiceRequest/", service_request["id"].get<std::string>());
  json header = {
      {"resourceType", "MessageHeader"},
      {"id", id},
      {"eventCoding", {{"system", kMessageEventSystem}, {"code", "servicerequest-response"}}},
      {"source", {{"endpoint", address.source_endpoint}}},
      {"destination",
       {{{"endpoint", address.destination_endpoint},
         {"receiver",
          {{"identifier", {{"system", kOdsSystem}, {"value", address.receiver_code}}}}}}}},
      {"focus", {{{"reference", task_url}}, {{"reference", service_request_url}}}},
  };
  return {{"resourceType", "Bundle"},
          {"id", id},
          {"type", "message"},
          {"timestamp", absl::FormatTime("%Y-%m-%dT%H:%M:%E3S+00:00", now, absl::UTCTimeZone())},
          {"entry",
           {{{"fullUrl", absl::StrCat("urn:uuid:", id)}, {"resource", std::move(header)}},
            {{"fullUrl", task_url}, {"resource", std::move(task)}},
            {{"fullUrl", service_request_url}, {"resource", std::move(service_request)}},
            {{"fullUrl", absl::StrCat("Patient/", kPatientId)},
             {"resource", PatientOf(referral.patient())}}}}};
}

}  // namespace sprout::fhir
