#include "server/fhir/capability_statement.h"

#include "server/fhir/message_bundle.h"

namespace sprout::fhir {

using nlohmann::json;

json CapabilityStatement(const std::string& software_version) {
  return {
      {"resourceType", "CapabilityStatement"},
      {"status", "active"},
      {"date", "2026-12-07"},
      {"kind", "instance"},
      {"software", {{"name", "sproutd"}, {"version", software_version}}},
      {"fhirVersion", "4.0.1"},
      {"format", {"application/fhir+json"}},
      {"rest",
       {{{"mode", "server"},
         {"security",
          {{"description",
            "Mutual TLS: the client certificate's subjectAltName URI "
            "(urn:sprout:org:{code}:role:referrer) names the referring organisation"}}},
         {"resource",
          {{{"type", "ServiceRequest"}, {"interaction", {{{"code", "read"}}}}},
           {{"type", "MessageDefinition"}, {"interaction", {{{"code", "search-type"}}}}}}},
         {"operation",
          {{{"name", "process-message"},
            {"definition",
             "http://hl7.org/fhir/OperationDefinition/MessageHeader-process-message"}}}}}}},
      {"messaging",
       {{{"supportedMessage", {{{"mode", "receiver"}, {"definition", kMessageDefinitionUrl}}}}}}},
  };
}

json ReferralMessageDefinition() {
  return {
      {"resourceType", "MessageDefinition"},
      {"url", kMessageDefinitionUrl},
      {"name", "SocialPrescribingReferral"},
      {"title", "Referral to a social prescribing link worker"},
      {"status", "active"},
      {"date", "2026-12-07"},
      {"eventCoding", {{"system", kMessageEventSystem}, {"code", "servicerequest-request"}}},
      {"category", "notification"},
      {"focus",
       {{{"code", "ServiceRequest"}, {"min", 1}, {"max", "1"}},
        {{"code", "Patient"}, {"min", 1}, {"max", "1"}},
        {{"code", "Organization"}, {"min", 0}, {"max", "*"}},
        {{"code", "Practitioner"}, {"min", 0}, {"max", "*"}},
        {{"code", "PractitionerRole"}, {"min", 0}, {"max", "*"}},
        {{"code", "Consent"}, {"min", 0}, {"max", "*"}},
        {{"code", "Flag"}, {"min", 0}, {"max", "*"}},
        {{"code", "Encounter"}, {"min", 0}, {"max", "*"}}}},
      {"responseRequired", "always"},
      {"allowedResponse",
       {{{"message", kMessageDefinitionUrl},
         {"situation", "servicerequest-response: the referral as stored and routed"}}}},
  };
}

}  // namespace sprout::fhir
