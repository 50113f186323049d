// File: server/fhir/capability_statement.h
//
// What a BaRS sender reads before it sends: the CapabilityStatement
// (GET /FHIR/R4/metadata) and the MessageDefinition of the referral message
// Sprout receives (GET /FHIR/R4/MessageDefinition).
#ifndef SPROUT_SERVER_FHIR_CAPABILITY_STATEMENT_H_
#define SPROUT_SERVER_FHIR_CAPABILITY_STATEMENT_H_

#include <string>

#include "nlohmann/json.hpp"

namespace sprout::fhir {

inline constexpr char kMessageDefinitionUrl[] =
    "urn:sprout:MessageDefinition/social-prescribing-referral";

// `software_version`: sproutd's version, reported as software.version.
nlohmann::json CapabilityStatement(const std::string& software_version);

nlohmann::json ReferralMessageDefinition();

}  // namespace sprout::fhir

#endif  // SPROUT_SERVER_FHIR_CAPABILITY_STATEMENT_H_
