// Reads the routing policy from protobuf text format
// (sprout.config.v1.RoutingPolicy, proto/sprout/config/v1/routing_policy.proto).
#ifndef SPROUT_SERVER_ROUTING_ROUTING_POLICY_TEXT_H_
#define SPROUT_SERVER_ROUTING_ROUTING_POLICY_TEXT_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/routing/concept_predicate.h"
#include "server/routing/routing_policy.h"
#include "sprout/config/v1/routing_policy.pb.h"

namespace sprout::routing {

// PolicySpecFromProto()
//
// Converts the message. INVALID_ARGUMENT naming the rule and its position when
// a rule sets no action.
absl::StatusOr<PolicySpec> PolicySpecFromProto(const sprout::config::v1::RoutingPolicy& proto);

// ParseRoutingPolicyText()
//
// Parses text format. INVALID_ARGUMENT "<filename>:<line>:<column>: <parser
// message>" (1-based) on a syntax error or unknown field; otherwise as
// PolicySpecFromProto().
absl::StatusOr<PolicySpec> ParseRoutingPolicyText(absl::string_view text,
                                                  absl::string_view filename);

// PolicyVersionOf()
//
// "sha256:<hex>" of the policy text: the version LoadRoutingPolicy() gives a
// policy, so a changed file is a new version even if its name is not.
std::string PolicyVersionOf(absl::string_view text);

// LoadRoutingPolicy()
//
// Reads `path`, parses it and compiles it (RoutingPolicy::Create), with
// version PolicyVersionOf(the file's bytes). Errors from
// compilation are prefixed with "<path>: ". Does not check references against a
// directory: call ValidateAgainst() (Router::Create does).
absl::StatusOr<std::shared_ptr<const RoutingPolicy>> LoadRoutingPolicy(
    const std::string& path, const ConceptPredicateCompiler& compiler);

}  // namespace sprout::routing

#endif  // SPROUT_SERVER_ROUTING_ROUTING_POLICY_TEXT_H_
