// The authorization matrix, generated from the policy table
// (auth::MethodPolicies) and run through the real sproutd over mutual TLS:
// every RPC of every service, called by every kind of caller (a GP referrer,
// other referrer kinds, a link worker of the PCN, another link worker of the
// same PCN (the PCN team), a link worker of another PCN, an administrator),
// on the caller's own resource, on another's and on one that does not exist.
// Each cell asserts the exact code:
//  - a role the table does not list for the method: PERMISSION_DENIED,
//    whatever the resource;
//  - a referral, queue item, caseload or routing decision the caller may not
//    see: NOT_FOUND, with the message and details of one that does not exist
//    (only the name differs);
//  - the caller's own: the method's answer. Lifecycle steps are sent with a
//    stale etag, so ABORTED proves the call got past visibility and standing
//    without changing anything.
// A method of a service without a row in the table, or without a case here,
// fails the test: a new RPC cannot ship unchecked.
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "google/protobuf/descriptor.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "server/auth/policy.h"
#include "sprout/v1/admin_service.grpc.pb.h"
#include "sprout/v1/queue_service.grpc.pb.h"
#include "sprout/v1/referral_service.grpc.pb.h"
#include "sprout/v1/terminology_service.grpc.pb.h"
#include "tests/integration/authorization_matrix_cases.h"
#include "tests/integration/sproutd_suite.h"
#include "tests/integration/test_referrals.h"
#include "tests/server/auth/test_certificates.h"

namespace sprout {
namespace {

using auth::Role;
using authz_matrix::Caller;
using authz_matrix::Callers;
using authz_matrix::Cases;
using authz_matrix::LinkWorkerIdOf;
using authz_matrix::MethodCase;
using authz_matrix::OtherPcn;
using authz_matrix::OtherReferral;
using authz_matrix::OwnPcn;
using authz_matrix::OwnReferral;
using authz_matrix::Resource;
using authz_matrix::Target;
using authz_matrix::TargetName;
using authz_matrix::World;
using grpc::StatusCode;

// Whether the caller may see the target of a method with this resource.
bool Sees(Resource resource, const World& w, const Caller& c, Target t) {
  if (t == Target::kMissing) return false;
  if (c.role == Role::kAdmin) return true;
  switch (resource) {
    case Resource::kNone:
      return true;
    case Resource::kReferral:
    case Resource::kQueueItem:
    case Resource::kQueue:
      return t == Target::kOwn;
    case Resource::kCaseload:
      return t == Target::kOwn;
    case Resource::kDecision:
      return false;  // administrators only, above
  }
  (void)w;
  return false;
}

// The code the matrix expects.
StatusCode Expected(const std::string& method, const MethodCase& mc, const World& w,
                    const Caller& c, Target t) {
  if (!auth::RoleMayCall(c.role, method)) return StatusCode::PERMISSION_DENIED;
  const StatusCode own =
      c.role == Role::kAdmin && mc.admin_code.has_value() ? *mc.admin_code : mc.own_code;
  if (mc.resource == Resource::kNone) return own;
  if (!Sees(mc.resource, w, c, t)) {
    // Which queues exist is no secret (ListPcns): a link worker is refused
    // another PCN's queue outright; an administrator may read or watch a
    // queue nothing is on (an empty page; a watch with nothing to send yet).
    if (mc.resource == Resource::kQueue) {
      if (c.role == Role::kAdmin) {
        return method == "WatchQueue" ? StatusCode::DEADLINE_EXCEEDED : StatusCode::OK;
      }
      return StatusCode::PERMISSION_DENIED;
    }
    return StatusCode::NOT_FOUND;
  }
  return own;
}

// The parts of a refusal that must not tell "exists but not yours" from
// "does not exist": the message with the name taken out, and the details.
std::string RefusalShape(const grpc::Status& s, const std::string& name) {
  google::rpc::Status details;
  details.ParseFromString(s.error_details());
  return absl::StrReplaceAll(
      absl::StrCat(s.error_code(), "|", s.error_message(), "|", details.DebugString()),
      {{name, "{name}"}});
}

class AuthorizationMatrixTest : public testing::SproutdSuite<AuthorizationMatrixTest> {
 protected:
  static void SetUpTestSuite() {
    StartServer("authorization_matrix");
    if (server_ == nullptr) return;
    for (const Caller& c : Callers()) {
      if (c.uri.empty()) continue;
      absl::Status minted = testing::MintCertificateFiles(
          testing::CertificateSpec{{c.uri}, testing::KeyUsage::kClientAuth, c.name},
          server_->work_dir() + "/certs", c.name);
      ASSERT_TRUE(minted.ok()) << minted;
    }
    world_ = new World;
    auto submit = [](const std::string& as, const std::string& id, const v1::Referral& referral,
                     v1::Referral* out) {
      v1::SubmitReferralRequest request;
      request.set_request_id(id);
      *request.mutable_referral() = referral;
      v1::SubmitReferralResponse response;
      grpc::Status status =
          v1::ReferralService::NewStub(server_->Channel(as))
              ->SubmitReferral(testing::ContextWithDeadline(30).get(), request, &response);
      ASSERT_TRUE(status.ok()) << status.error_message();
      *out = response.referral();
    };
    ASSERT_NO_FATAL_FAILURE(submit("gp", "matrix-gp", testing::GpReferral(), &world_->gp_referral));
    ASSERT_NO_FATAL_FAILURE(
        submit("police", "matrix-police", testing::PoliceReferral(), &world_->police_referral));
    std::map<std::string, v1::Referral> to_claim;
    int n = 0;
    std::vector<std::string> claimants = {"admin-other"};
    for (const Caller& c : Callers()) {
      if (c.role != Role::kReferrer && OwnPcn(c) == "U99001") claimants.push_back(c.name);
    }
    for (const std::string& claimant : claimants) {
      ASSERT_NO_FATAL_FAILURE(submit("gp", "matrix-claim-" + claimant,
                                     testing::GpReferral(testing::TestNhsNumber(800 + ++n)),
                                     &to_claim[claimant]));
    }
    ASSERT_EQ(world_->gp_referral.route().pcn(), "pcns/U99001");
    ASSERT_EQ(world_->police_referral.route().pcn(), "pcns/U99003");
    world_->gp_item = ItemOf(world_->gp_referral);
    world_->police_item = ItemOf(world_->police_referral);
    for (const auto& [caller, referral] : to_claim) {
      world_->claimable[caller] = ItemOf(referral);
    }
  }
  // The queue item of a referral routed to a PCN.
  static std::string ItemOf(const v1::Referral& referral) {
    v1::ListQueueItemsRequest list;
    list.set_parent(referral.route().pcn());
    list.set_page_size(500);
    v1::ListQueueItemsResponse items;
    grpc::Status status =
        v1::QueueService::NewStub(server_->Channel("admin"))
            ->ListQueueItems(testing::ContextWithDeadline(30).get(), list, &items);
    EXPECT_TRUE(status.ok()) << status.error_message();
    for (const v1::QueueItem& i : items.queue_items()) {
      if (i.referral() == referral.name()) return i.name();
    }
    ADD_FAILURE() << "no queue item for " << referral.name();
    return "";
  }

  static void TearDownTestSuite() {
    SproutdSuite::TearDownTestSuite();
    delete world_;
    world_ = nullptr;
  }

  static World* world_;
};

World* AuthorizationMatrixTest::world_ = nullptr;

TEST_F(AuthorizationMatrixTest, EveryMethodOfEveryServiceHasAPolicyRowAndACase) {
  const std::map<std::string, MethodCase> cases = Cases();
  std::map<std::string, bool> in_table;
  for (const auth::MethodPolicy& row : auth::MethodPolicies()) {
    in_table[std::string(row.method)] = true;
  }
  int methods = 0;
  for (const char* name : {"sprout.v1.ReferralService", "sprout.v1.QueueService",
                           "sprout.v1.TerminologyService", "sprout.v1.AdminService"}) {
    const google::protobuf::ServiceDescriptor* service =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(name);
    ASSERT_NE(service, nullptr) << name;
    for (int i = 0; i < service->method_count(); ++i) {
      const std::string method = service->method(i)->name();
      ++methods;
      EXPECT_TRUE(in_table.count(method))
          << service->name() << "." << method << " has no row in the policy table";
      EXPECT_TRUE(cases.count(method))
          << service->name() << "." << method << " has no case in the authorization matrix";
    }
  }
  EXPECT_EQ(methods, static_cast<int>(auth::MethodPolicies().size()))
      << "the policy table has rows for methods no service has";
}

TEST_F(AuthorizationMatrixTest, EveryCellAnswersTheCodeThePolicyTableGives) {
  const std::map<std::string, MethodCase> cases = Cases();
  int cells = 0;
  for (const auth::MethodPolicy& row : auth::MethodPolicies()) {
    const std::string method(row.method);
    auto found = cases.find(method);
    ASSERT_NE(found, cases.end()) << method;
    const MethodCase& mc = found->second;
    for (const Caller& caller : Callers()) {
      const auto channel = server_->Channel(caller.name);
      for (Target target : {Target::kOwn, Target::kOther, Target::kMissing}) {
        if (mc.resource == Resource::kNone && target != Target::kOwn) continue;
        SCOPED_TRACE(absl::StrCat(method, " by ", caller.name, " on ", TargetName(target)));
        const grpc::Status status = mc.call(channel, *world_, caller, target);
        EXPECT_EQ(status.error_code(), Expected(method, mc, *world_, caller, target))
            << status.error_message();
        ++cells;
      }
    }
  }
  // Each method with a resource is three cells per caller, one without.
  EXPECT_GT(cells, 6 * static_cast<int>(auth::MethodPolicies().size()));
}

TEST_F(AuthorizationMatrixTest, WhatACallerMayNotSeeIsRefusedExactlyAsWhatDoesNotExist) {
  const std::map<std::string, MethodCase> cases = Cases();
  for (const auto& [method, mc] : cases) {
    if (mc.resource != Resource::kReferral && mc.resource != Resource::kQueueItem &&
        mc.resource != Resource::kCaseload) {
      continue;
    }
    for (const Caller& caller : Callers()) {
      if (!auth::RoleMayCall(caller.role, method) || caller.role == Role::kAdmin) continue;
      SCOPED_TRACE(absl::StrCat(method, " by ", caller.name));
      const auto channel = server_->Channel(caller.name);
      const grpc::Status other = mc.call(channel, *world_, caller, Target::kOther);
      const grpc::Status missing = mc.call(channel, *world_, caller, Target::kMissing);
      ASSERT_EQ(other.error_code(), StatusCode::NOT_FOUND) << other.error_message();
      // The names differ; strip each from its own answer and compare the rest.
      std::string other_name;
      std::string missing_name;
      switch (mc.resource) {
        case Resource::kReferral:
          other_name = OtherReferral(*world_, caller).name();
          missing_name = "referrals/does-not-exist";
          break;
        case Resource::kQueueItem:
          other_name = OwnPcn(caller) == "U99003" ? world_->gp_item : world_->police_item;
          missing_name = "queueItems/does-not-exist";
          break;
        default:
          other_name = caller.name == "linkworker"
                           ? "pcns/U99001/linkWorkers/lw-u99001-02/caseload"
                           : "pcns/U99001/linkWorkers/lw-u99001-01/caseload";
          missing_name = "pcns/U99001/linkWorkers/lw-nobody/caseload";
          break;
      }
      EXPECT_EQ(RefusalShape(other, other_name), RefusalShape(missing, missing_name));
    }
  }
}

}  // namespace
}  // namespace sprout
