// Human renderings of the API's main resources, shared by the commands.
#ifndef SPROUT_CLIENT_CLI_RENDER_H_
#define SPROUT_CLIENT_CLI_RENDER_H_

#include <ostream>
#include <string>

#include "google/protobuf/repeated_ptr_field.h"
#include "sprout/v1/queue.pb.h"
#include "sprout/v1/referral.pb.h"
#include "sprout/v1/referral_service.pb.h"
#include "sprout/v1/routing.pb.h"

namespace sprout::client::cli {

// "pcns/U00001 -> pcns/U00001/linkWorkers/LW001 (PRACTICE)", or the triage
// queue; "-" when unrouted.
std::string FormatRoute(const sprout::v1::Route& route);

// What a referrer needs after a change: name, state, route, coded reasons
// (one line each with method and source version), review flag, outcome.
// No patient details.
void PrintReferralSummary(const sprout::v1::Referral& referral, std::ostream& out);

// A routing decision: outcome, route, the explanation steps and candidates
// as tables, and its one-sentence summary.
void PrintDecision(const sprout::v1::RoutingDecision& decision, std::ostream& out);

// Queue items as a table.
void PrintQueueItems(const google::protobuf::RepeatedPtrField<sprout::v1::QueueItem>& items,
                     std::ostream& out);

// One line per streamed event.
// "ONS4 7/8/6/3, SWEMWBS 24", or "-" when nothing was recorded.
std::string FormatWellbeing(const sprout::v1::WellbeingScores& w);

// "267076002 |Feeling lonely|, ...".
std::string ConceptList(
    const google::protobuf::RepeatedPtrField<sprout::v1::CodedConcept>& concepts);

std::string FormatReferralEvent(const sprout::v1::ReferralEvent& event);
std::string FormatQueueEvent(const sprout::v1::QueueEvent& event);

}  // namespace sprout::client::cli

#endif  // SPROUT_CLIENT_CLI_RENDER_H_
