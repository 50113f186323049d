// File: server/fhir/response_bundle.h
//
// The servicerequest-response message Sprout answers a referral message with
// (BaRS: MessageHeader.response names the request Bundle, code "ok"): the
// referral as stored, minimised as the referrer reads it, as a ServiceRequest
// with Sprout's referral id, its route (the PCN as performer) and its coded
// reasons, and an OperationOutcome of information issues saying how each
// reason was coded where it was not taken as sent.
#ifndef SPROUT_SERVER_FHIR_RESPONSE_BUNDLE_H_
#define SPROUT_SERVER_FHIR_RESPONSE_BUNDLE_H_

#include <string>

#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "server/fhir/message_bundle.h"
#include "sprout/v1/referral.pb.h"

namespace sprout::fhir {

// The ServiceRequest view of a stored referral (also GET ServiceRequest/{id}).
nlohmann::json ServiceRequestOf(const sprout::v1::Referral& referral);

// The Task view of a stored referral (GET Task?focus=ServiceRequest/{id}):
// where the referral is in its life (status, and Sprout's state as
// businessStatus), who has it (the PCN as owner), and once it ends, its coded
// outcome and wellbeing scores as outputs. Never contact notes.
nlohmann::json TaskOf(const sprout::v1::Referral& referral);

// The response message for `request`, now stored as `referral`. `replayed`:
// the message was a resend of one already stored (same MessageHeader.id).
// `response_id` names the response Bundle and its MessageHeader.
nlohmann::json ResponseBundle(const ReferralMessage& request, const sprout::v1::Referral& referral,
                              bool replayed, absl::string_view response_id, absl::Time now);

// Sprout's referral states (sprout.v1.ReferralState less its prefix) as
// Task.businessStatus.
inline constexpr char kSproutReferralStateSystem[] = "urn:sprout:referral-state";

}  // namespace sprout::fhir

#endif  // SPROUT_SERVER_FHIR_RESPONSE_BUNDLE_H_
