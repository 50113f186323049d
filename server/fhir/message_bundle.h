// File: server/fhir/message_bundle.h
//
// A BaRS referral message (a FHIR R4 Bundle of type "message" whose
// MessageHeader has event servicerequest-request) read into the Referral that
// SubmitReferral takes, with a record of which FHIR element each Referral
// field came from so that the intake's errors can point back at the FHIR
// path the sender wrote. No HTTP and no gRPC here: JSON in, protos out.
//
//   ReadResult read = ReadReferralMessage(nlohmann::json::parse(body));
//   if (!read.issues.empty()) { ...answer with an OperationOutcome... }
//   pipeline.SubmitAsync(read.message->message_id, read.message->referral, ...);
#ifndef SPROUT_SERVER_FHIR_MESSAGE_BUNDLE_H_
#define SPROUT_SERVER_FHIR_MESSAGE_BUNDLE_H_

#include <optional>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"
#include "server/fhir/fhir_issue.h"
#include "server/fhir/field_origins.h"
#include "sprout/v1/referral.pb.h"

namespace sprout::fhir {

// The message's reason (MessageHeader.reason, BaRS message-reason-bars).
enum class MessageReason { kNew, kUpdate, kDelete };

struct ReferralMessage {
  std::string message_id;  // MessageHeader.id: the idempotency key
  std::string bundle_id;   // Bundle.id, answered in response.identifier
  MessageReason reason = MessageReason::kNew;
  std::string source_endpoint;     // MessageHeader.source.endpoint
  std::string service_request_id;  // ServiceRequest.id as the sender named it
  // For kDelete: the id of the Sprout referral to withdraw, from
  // ServiceRequest.identifier (kSproutReferralSystem). `referral` is then
  // left empty: a cancellation carries nothing Sprout stores.
  std::string cancelled_referral_id;
  sprout::v1::Referral referral;
  FieldOrigins origins;
};

struct ReadResult {
  std::optional<ReferralMessage> message;  // set when issues is empty
  std::vector<FhirIssue> issues;           // every structural fault found
};

// Reads a message Bundle. A "delete" message (a cancellation) needs only its
// ServiceRequest, status "revoked", naming the Sprout referral by its
// identifier. Otherwise it checks the structure a BaRS receiver must (the
// resource types, the MessageHeader event and focus, the ServiceRequest's
// status, intent, category and code, references that resolve) and maps the
// content; the content's own rules (NHS number check digit, codes in their
// bindings, required fields for the referrer kind) are the intake's, checked
// later on the Referral through `origins`.
ReadResult ReadReferralMessage(const nlohmann::json& bundle);

// System URIs this adapter reads and writes.
inline constexpr char kSnomedSystem[] = "http://snomed.info/sct";
inline constexpr char kNhsNumberSystem[] = "https://fhir.nhs.uk/Id/nhs-number";
inline constexpr char kOdsSystem[] = "https://fhir.nhs.uk/Id/ods-organization-code";
inline constexpr char kMessageEventSystem[] = "https://fhir.nhs.uk/CodeSystem/message-events-bars";
inline constexpr char kMessageReasonSystem[] = "https://fhir.nhs.uk/CodeSystem/message-reason-bars";
inline constexpr char kServiceRequestCategorySystem[] =
    "https://fhir.nhs.uk/CodeSystem/message-category-servicerequest";
inline constexpr char kNhsNumberVerificationUrl[] =
    "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-NHSNumberVerificationStatus";
inline constexpr char kNhsNumberUnavailableUrl[] =
    "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-NHSNumberUnavailableReason";
inline constexpr char kNhsNumberUnavailableSystem[] = "urn:sprout:nhs-number-unavailable-reason";
inline constexpr char kSourceOfServiceRequestUrl[] =
    "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-SourceOfServiceRequest";
inline constexpr char kPriorityReasonUrl[] =
    "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-PriorityReason";
// Sprout's own code system for the kind of referrer (Organization.type), one
// code per sprout.v1.SourceType: "gp_practice", "police", "self_referral"...
inline constexpr char kReferrerKindSystem[] = "urn:sprout:referrer-kind";
// Sprout's referral ids on ServiceRequest.identifier ("referrals/{id}"), as
// the response to a referral message gives them.
inline constexpr char kSproutReferralSystem[] = "urn:sprout:referral";
// The referral procedure Sprout receives (DOMAIN.md §1.2).
inline constexpr char kSocialPrescribingReferral[] = "871731000000106";

}  // namespace sprout::fhir

#endif  // SPROUT_SERVER_FHIR_MESSAGE_BUNDLE_H_
