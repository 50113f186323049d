// Conversions between the referral model (protos) and the router's types.
#ifndef SPROUT_SERVER_PIPELINE_ROUTING_ADAPTER_H_
#define SPROUT_SERVER_PIPELINE_ROUTING_ADAPTER_H_

#include <string>

#include "absl/time/time.h"
#include "server/routing/routing_types.h"
#include "sprout/v1/queue.pb.h"
#include "sprout/v1/referral.pb.h"
#include "sprout/v1/routing.pb.h"

namespace sprout::pipeline {

// What the router needs from a coded, normalised referral. The referral date
// is the authored date in UK civil time (Europe/London), so a referral made
// just after midnight BST counts on the right day for ePCN date ranges.
routing::RoutingRequest MakeRoutingRequest(const sprout::v1::Referral& referral,
                                           const std::string& person_key, absl::Time now);

// The queue a decision sends a referral to: "pcns/{pcn}/linkWorkers/{id}",
// "pcns/{pcn}" (pool) or "triageQueues/{sicbl}".
std::string QueueNameOf(const routing::RoutingDecision& decision);

// The API's Route for a decision ("decision_name" is routingDecisions/{id}).
sprout::v1::Route MakeRoute(const routing::RoutingDecision& decision,
                            const std::string& decision_name, const std::string& pcn_display);

// The API's RoutingDecision record (pseudonymised: no patient fields).
sprout::v1::RoutingDecision MakeDecisionRecord(const routing::RoutingDecision& decision,
                                               const sprout::v1::Referral& referral,
                                               absl::Time decide_time);

}  // namespace sprout::pipeline

#endif  // SPROUT_SERVER_PIPELINE_ROUTING_ADAPTER_H_
