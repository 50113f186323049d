// File: tests/integration/authorization_matrix_cases.h
//
// The authorization matrix's world and its cases: who calls (Callers), what
// they address (World, Target), and for every RPC of every service how to
// call it and what its own resource answers (Cases). The test
// (authorization_matrix_test.cc) derives each cell's expected code from the
// policy table and checks it.
#ifndef SPROUT_TESTS_INTEGRATION_AUTHORIZATION_MATRIX_CASES_H_
#define SPROUT_TESTS_INTEGRATION_AUTHORIZATION_MATRIX_CASES_H_

#include <grpcpp/grpcpp.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "server/auth/policy.h"
#include "sprout/v1/referral_service.pb.h"

namespace sprout::authz_matrix {

using auth::Role;
using grpc::StatusCode;

enum class Target { kOwn, kOther, kMissing };
const char* TargetName(Target t);

// A kind of caller: a certificate (from certs/make-dev-certs, or minted for
// the test with `uri`) and what it is.
struct Caller {
  std::string name;
  Role role;
  std::string organisation;  // the PCN code for link workers
  std::string uri;           // empty: a dev certificate
};

// The six callers: gp, police, linkworker, pcn-team, other-pcn, admin.
const std::vector<Caller>& Callers();

// What a method's resource is, which decides who may see it.
enum class Resource {
  kNone,       // no resource: own, other and missing are one call
  kReferral,   // "referrals/{id}": its referrer, link workers of its PCN, admins
  kQueueItem,  // "queueItems/{id}": link workers of its PCN, admins
  kDecision,   // "routingDecisions/{id}": admins
  kCaseload,   // "pcns/{pcn}/linkWorkers/{id}/caseload": that link worker, admins
  kQueue,      // "pcns/{pcn}": its link workers, admins (queues are not secret)
};

// The resources the cells address: a GP referral routed to U99001, a police
// referral routed to U99003, their queue items and routing decisions.
struct World {
  v1::Referral gp_referral;
  v1::Referral police_referral;
  std::string gp_item;
  std::string police_item;
  // For each caller that claims on U99001, an item of its own to claim (a
  // claim changes the item, so callers do not share one).
  std::map<std::string, std::string> claimable;
};

// The referral a caller sees as its own, and one it must not see.
const v1::Referral& OwnReferral(const World& w, const Caller& c);
const v1::Referral& OtherReferral(const World& w, const Caller& c);
// The caller's PCN (U99001 for callers that are not link workers), and the other.
std::string OwnPcn(const Caller& c);
std::string OtherPcn(const Caller& c);
// The link worker id in a minted certificate's URI (the dev one's otherwise).
std::string LinkWorkerIdOf(const Caller& c);

// One call of a method as a caller on a target, returning its status.
using CallFn = std::function<grpc::Status(const std::shared_ptr<grpc::Channel>&, const World&,
                                          const Caller&, Target)>;

struct MethodCase {
  MethodCase() : MethodCase(Resource::kNone, nullptr) {}
  MethodCase(Resource resource, CallFn call, StatusCode own_code = StatusCode::OK,
             std::optional<StatusCode> admin_code = std::nullopt)
      : resource(resource), call(std::move(call)), own_code(own_code), admin_code(admin_code) {}

  Resource resource;
  CallFn call;
  // The code for the caller's own resource when the role may call.
  StatusCode own_code = StatusCode::OK;
  // The code for an administrator's, when it differs from own_code.
  std::optional<StatusCode> admin_code;
};

// Every method, by name, with its case.
std::map<std::string, MethodCase> Cases();

}  // namespace sprout::authz_matrix

#endif  // SPROUT_TESTS_INTEGRATION_AUTHORIZATION_MATRIX_CASES_H_
