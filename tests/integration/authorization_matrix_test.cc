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
#include "tests/integration/sproutd_suite.h"
#include "tests/integration/test_referrals.h"
#include "tests/server/auth/test_certificates.h"

namespace sprout {
namespace {

using auth::Role;
using grpc::StatusCode;

enum class Target { kOwn, kOther, kMissing };

const char* TargetName(Target t) {
  switch (t) {
    case Target::kOwn:
      return "own";
    case Target::kOther:
      return "other";
    case Target::kMissing:
      return "missing";
  }
  return "";
}

// A kind of caller: a certificate (from certs/make-dev-certs, or minted for
// the test with `uri`) and what it is.
struct Caller {
  std::string name;
  Role role;
  std::string organisation;  // the PCN code for link workers
  std::string uri;           // empty: a dev certificate
};

const std::vector<Caller>& Callers() {
  static const auto* const callers = new std::vector<Caller>{
      {"gp", Role::kReferrer, "Y99001", ""},
      {"police", Role::kReferrer, "police:WYP", ""},
      {"linkworker", Role::kLinkWorker, "U99001", ""},
      {"pcn-team", Role::kLinkWorker, "U99001",
       "urn:sprout:org:U99001:role:link_worker:lw:lw-u99001-02"},
      {"other-pcn", Role::kLinkWorker, "U99003",
       "urn:sprout:org:U99003:role:link_worker:lw:lw-u99003-01"},
      {"admin", Role::kAdmin, "admin:sprout", ""},
  };
  return *callers;
}

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
const v1::Referral& OwnReferral(const World& w, const Caller& c) {
  const bool police_side = c.name == "police" || c.name == "other-pcn";
  return police_side ? w.police_referral : w.gp_referral;
}
const v1::Referral& OtherReferral(const World& w, const Caller& c) {
  return &OwnReferral(w, c) == &w.gp_referral ? w.police_referral : w.gp_referral;
}

std::string OwnPcn(const Caller& c) {
  return c.role == Role::kLinkWorker ? c.organisation : "U99001";
}
std::string OtherPcn(const Caller& c) { return OwnPcn(c) == "U99001" ? "U99003" : "U99001"; }
std::string LinkWorkerIdOf(const Caller& c) {
  const size_t at = c.uri.rfind(":lw:");
  return at == std::string::npos ? "lw-u99001-01" : c.uri.substr(at + 4);
}

// One call of a method as a caller on a target, returning its status.
using CallFn = std::function<grpc::Status(const std::shared_ptr<grpc::Channel>&, const World&,
                                          const Caller&, Target)>;

struct MethodCase {
  Resource resource;
  CallFn call;
  // The code for the caller's own resource when the role may call.
  StatusCode own_code = StatusCode::OK;
  // The code for an administrator's, when it differs from own_code.
  std::optional<StatusCode> admin_code;
};

std::unique_ptr<grpc::ClientContext> Context(int seconds = 30) {
  return testing::ContextWithDeadline(seconds);
}

// The name of the target for a method addressing referrals.
std::string ReferralName(const World& w, const Caller& c, Target t) {
  switch (t) {
    case Target::kOwn:
      return OwnReferral(w, c).name();
    case Target::kOther:
      return OtherReferral(w, c).name();
    case Target::kMissing:
      return "referrals/does-not-exist";
  }
  return "";
}

// A stale etag: well formed, never the referral's.
constexpr char kStaleEtag[] = "W/\"stale\"";

// Opens a server stream and reads its first message: OK when one arrives,
// else the status the stream ended with.
template <typename Event, typename Open>
grpc::Status FirstEvent(Open open, int seconds) {
  auto context = Context(seconds);
  std::unique_ptr<grpc::ClientReader<Event>> reader = open(context.get());
  Event event;
  if (reader->Read(&event)) {
    context->TryCancel();
    reader->Finish().ok();
    return grpc::Status::OK;
  }
  return reader->Finish();
}

std::map<std::string, MethodCase> Cases() {
  using v1::AdminService;
  using v1::QueueService;
  using v1::ReferralService;
  using v1::TerminologyService;
  std::map<std::string, MethodCase> m;

  // ReferralService.
  m["SubmitReferral"] = {
      Resource::kNone, [](auto ch, const World&, const Caller& c, Target) {
        static int n = 0;
        v1::SubmitReferralRequest r;
        r.set_request_id(absl::StrCat("matrix-submit-", c.name, "-", ++n));
        *r.mutable_referral() = c.name == "police"
                                    ? testing::PoliceReferral()
                                    : testing::GpReferral(testing::TestNhsNumber(900 + n));
        if (c.name == "police") {
          r.mutable_referral()->mutable_patient()->set_given_name(absl::StrCat("Matrix", n));
        }
        v1::SubmitReferralResponse out;
        return ReferralService::NewStub(ch)->SubmitReferral(Context().get(), r, &out);
      }};
  m["ValidateReferral"] = {
      Resource::kNone,
      [](auto ch, const World&, const Caller& c, Target) {
        v1::ValidateReferralRequest r;
        *r.mutable_referral() =
            c.name == "police" ? testing::PoliceReferral() : testing::GpReferral();
        v1::ValidateReferralResponse out;
        return ReferralService::NewStub(ch)->ValidateReferral(Context().get(), r, &out);
      },
      StatusCode::OK,
      // An administrator may call it, but a referral's referrer is the
      // caller's own organisation (admin:sprout), which no GP referral can
      // come from: the check answers what is wrong with it.
      StatusCode::INVALID_ARGUMENT};
  m["GetReferral"] = {Resource::kReferral, [](auto ch, const World& w, const Caller& c, Target t) {
                        v1::GetReferralRequest r;
                        r.set_name(ReferralName(w, c, t));
                        v1::Referral out;
                        return ReferralService::NewStub(ch)->GetReferral(Context().get(), r, &out);
                      }};
  m["ListReferrals"] = {Resource::kNone, [](auto ch, const World&, const Caller&, Target) {
                          v1::ListReferralsResponse out;
                          return ReferralService::NewStub(ch)->ListReferrals(Context().get(), {},
                                                                             &out);
                        }};
  m["WithdrawReferral"] = {Resource::kReferral,
                           [](auto ch, const World& w, const Caller& c, Target t) {
                             v1::WithdrawReferralRequest r;
                             r.set_name(ReferralName(w, c, t));
                             r.set_etag(kStaleEtag);
                             r.set_reason("matrix");
                             v1::Referral out;
                             return ReferralService::NewStub(ch)->WithdrawReferral(Context().get(),
                                                                                   r, &out);
                           },
                           StatusCode::ABORTED};
  m["WatchReferral"] = {
      Resource::kReferral, [](auto ch, const World& w, const Caller& c, Target t) {
        v1::WatchReferralRequest r;
        r.set_name(ReferralName(w, c, t));
        auto stub = ReferralService::NewStub(ch);
        return FirstEvent<v1::ReferralEvent>(
            [&](grpc::ClientContext* ctx) { return stub->WatchReferral(ctx, r); }, 30);
      }};

  // QueueService.
  auto queue_of = [](const Caller& c, Target t) {
    switch (t) {
      case Target::kOwn:
        return absl::StrCat("pcns/", OwnPcn(c));
      case Target::kOther:
        return absl::StrCat("pcns/", OtherPcn(c));
      case Target::kMissing:
        return std::string("pcns/U99999");
    }
    return std::string();
  };
  m["ListQueueItems"] = {
      Resource::kQueue, [queue_of](auto ch, const World&, const Caller& c, Target t) {
        v1::ListQueueItemsRequest r;
        r.set_parent(queue_of(c, t));
        v1::ListQueueItemsResponse out;
        return QueueService::NewStub(ch)->ListQueueItems(Context().get(), r, &out);
      }};
  m["WatchQueue"] = {Resource::kQueue,
                     [queue_of](auto ch, const World&, const Caller& c, Target t) {
                       v1::WatchQueueRequest r;
                       r.set_parent(queue_of(c, t));
                       auto stub = QueueService::NewStub(ch);
                       // An administrator may watch a queue nothing is on: the
                       // stream stays open, so its first read waits this long.
                       return FirstEvent<v1::QueueEvent>(
                           [&](grpc::ClientContext* ctx) { return stub->WatchQueue(ctx, r); }, 3);
                     }};
  m["ClaimReferral"] = {Resource::kQueueItem,
                        [](auto ch, const World& w, const Caller& c, Target t) {
                          v1::ClaimReferralRequest r;
                          const bool police_side = OwnPcn(c) == "U99003";
                          switch (t) {
                            case Target::kOwn:
                              // Callers that may not claim share one: it is never claimed.
                              r.set_name(police_side                 ? w.police_item
                                         : w.claimable.count(c.name) ? w.claimable.at(c.name)
                                                                     : w.gp_item);
                              break;
                            case Target::kOther:
                              // An administrator sees every item: another of its own.
                              r.set_name(c.role == Role::kAdmin ? w.claimable.at("admin-other")
                                         : police_side          ? w.gp_item
                                                                : w.police_item);
                              break;
                            case Target::kMissing:
                              r.set_name("queueItems/does-not-exist");
                              break;
                          }
                          r.mutable_lease_duration()->set_seconds(60);
                          v1::QueueItem out;
                          return QueueService::NewStub(ch)->ClaimReferral(Context().get(), r, &out);
                        }};
  auto lifecycle = [](std::function<grpc::Status(QueueService::Stub&, const std::string&)> step) {
    return [step](auto ch, const World& w, const Caller& c, Target t) {
      auto stub = QueueService::NewStub(ch);
      return step(*stub, ReferralName(w, c, t));
    };
  };
  m["AcceptReferral"] = {Resource::kReferral,
                         lifecycle([](QueueService::Stub& s, const std::string& name) {
                           v1::AcceptReferralRequest r;
                           r.set_name(name);
                           r.set_etag(kStaleEtag);
                           v1::Referral out;
                           return s.AcceptReferral(Context().get(), r, &out);
                         }),
                         StatusCode::ABORTED};
  m["DeclineReferral"] = {Resource::kReferral,
                          lifecycle([](QueueService::Stub& s, const std::string& name) {
                            v1::DeclineReferralRequest r;
                            r.set_name(name);
                            r.set_etag(kStaleEtag);
                            r.set_declined_by(v1::DECLINED_BY_PERSON);
                            v1::Referral out;
                            return s.DeclineReferral(Context().get(), r, &out);
                          }),
                          StatusCode::ABORTED};
  m["ReturnToTriage"] = {Resource::kReferral,
                         lifecycle([](QueueService::Stub& s, const std::string& name) {
                           v1::ReturnToTriageRequest r;
                           r.set_name(name);
                           r.set_etag(kStaleEtag);
                           r.set_reason("lives outside the PCN");
                           v1::Referral out;
                           return s.ReturnToTriage(Context().get(), r, &out);
                         }),
                         StatusCode::ABORTED};
  m["ReassignReferral"] = {Resource::kReferral,
                           lifecycle([](QueueService::Stub& s, const std::string& name) {
                             v1::ReassignReferralRequest r;
                             r.set_name(name);
                             r.set_etag(kStaleEtag);
                             r.set_link_worker("pcns/U99001/linkWorkers/lw-u99001-03");
                             v1::Referral out;
                             return s.ReassignReferral(Context().get(), r, &out);
                           }),
                           StatusCode::ABORTED};
  // No etag: a contact on a referral not yet accepted is the refusal that
  // shows the caller got past visibility.
  m["RecordContact"] = {Resource::kReferral,
                        lifecycle([](QueueService::Stub& s, const std::string& name) {
                          static int n = 0;
                          v1::RecordContactRequest r;
                          r.set_parent(name);
                          r.set_request_id(absl::StrCat("matrix-contact-", ++n));
                          r.mutable_contact()->set_type(v1::CONTACT_TYPE_PHONE);
                          r.mutable_contact()->mutable_duration()->set_seconds(1800);
                          r.mutable_contact()->mutable_contact_time()->set_seconds(
                              absl::ToUnixSeconds(absl::Now() - absl::Hours(1)));
                          v1::Contact out;
                          return s.RecordContact(Context().get(), r, &out);
                        }),
                        StatusCode::FAILED_PRECONDITION};
  m["CloseReferral"] = {Resource::kReferral,
                        lifecycle([](QueueService::Stub& s, const std::string& name) {
                          v1::CloseReferralRequest r;
                          r.set_name(name);
                          r.set_etag(kStaleEtag);
                          r.mutable_outcome()->add_codes()->set_code("1230392000");
                          v1::Referral out;
                          return s.CloseReferral(Context().get(), r, &out);
                        }),
                        StatusCode::ABORTED};
  m["ResolveCodingReview"] = {Resource::kReferral,
                              lifecycle([](QueueService::Stub& s, const std::string& name) {
                                v1::ResolveCodingReviewRequest r;
                                r.set_name(name);
                                r.set_etag(kStaleEtag);
                                r.set_reason_index(0);
                                r.set_code("267076002");
                                v1::Referral out;
                                return s.ResolveCodingReview(Context().get(), r, &out);
                              }),
                              StatusCode::ABORTED};
  m["GetCaseload"] = {Resource::kCaseload, [](auto ch, const World&, const Caller& c, Target t) {
                        v1::GetCaseloadRequest r;
                        switch (t) {
                          case Target::kOwn:
                            r.set_name(absl::StrCat("pcns/", OwnPcn(c), "/linkWorkers/",
                                                    LinkWorkerIdOf(c), "/caseload"));
                            break;
                          case Target::kOther:  // a colleague's, or another PCN's
                            r.set_name(c.name == "linkworker"
                                           ? "pcns/U99001/linkWorkers/lw-u99001-02/caseload"
                                           : "pcns/U99001/linkWorkers/lw-u99001-01/caseload");
                            break;
                          case Target::kMissing:
                            r.set_name("pcns/U99001/linkWorkers/lw-nobody/caseload");
                            break;
                        }
                        v1::Caseload out;
                        return QueueService::NewStub(ch)->GetCaseload(Context().get(), r, &out);
                      }};

  // TerminologyService: reference data.
  m["GetConcept"] = {Resource::kNone, [](auto ch, const World&, const Caller&, Target) {
                       v1::GetConceptRequest r;
                       r.set_name("concepts/267076002");
                       v1::Concept out;
                       return TerminologyService::NewStub(ch)->GetConcept(Context().get(), r, &out);
                     }};
  m["Subsumes"] = {Resource::kNone, [](auto ch, const World&, const Caller&, Target) {
                     v1::SubsumesRequest r;
                     r.set_code_a("267076002");
                     r.set_code_b("267076002");
                     v1::SubsumesResponse out;
                     return TerminologyService::NewStub(ch)->Subsumes(Context().get(), r, &out);
                   }};
  m["ExpandEcl"] = {Resource::kNone, [](auto ch, const World&, const Caller&, Target) {
                      v1::ExpandEclRequest r;
                      r.set_ecl("<< 267076002");
                      v1::ExpandEclResponse out;
                      return TerminologyService::NewStub(ch)->ExpandEcl(Context().get(), r, &out);
                    }};
  m["SearchConcepts"] = {Resource::kNone, [](auto ch, const World&, const Caller&, Target) {
                           v1::SearchConceptsRequest r;
                           r.set_query("lonely");
                           v1::SearchConceptsResponse out;
                           return TerminologyService::NewStub(ch)->SearchConcepts(Context().get(),
                                                                                  r, &out);
                         }};
  m["ValidateCode"] = {Resource::kNone, [](auto ch, const World&, const Caller&, Target) {
                         v1::ValidateCodeRequest r;
                         r.set_code("267076002");
                         v1::ValidateCodeResponse out;
                         return TerminologyService::NewStub(ch)->ValidateCode(Context().get(), r,
                                                                              &out);
                       }};
  m["TranslateCode"] = {Resource::kNone, [](auto ch, const World&, const Caller&, Target) {
                          v1::TranslateCodeRequest r;
                          r.set_system("police-vulnerability");
                          r.set_code("PV-LONELY");
                          v1::TranslateCodeResponse out;
                          return TerminologyService::NewStub(ch)->TranslateCode(Context().get(), r,
                                                                                &out);
                        }};
  m["GetRelease"] = {Resource::kNone, [](auto ch, const World&, const Caller&, Target) {
                       v1::Release out;
                       return TerminologyService::NewStub(ch)->GetRelease(Context().get(), {},
                                                                          &out);
                     }};

  // AdminService.
  auto admin_call = [](std::function<grpc::Status(AdminService::Stub&)> call) {
    return [call](auto ch, const World&, const Caller&, Target) {
      auto stub = AdminService::NewStub(ch);
      return call(*stub);
    };
  };
  m["QueryRoutingLog"] = {Resource::kNone, admin_call([](AdminService::Stub& s) {
                            v1::QueryRoutingLogResponse out;
                            return s.QueryRoutingLog(Context().get(), {}, &out);
                          })};
  m["GetRoutingDecision"] = {
      Resource::kDecision, [](auto ch, const World& w, const Caller& c, Target t) {
        v1::GetRoutingDecisionRequest r;
        r.set_name(t == Target::kMissing ? "routingDecisions/does-not-exist"
                   : ReferralName(w, c, t) == w.gp_referral.name()
                       ? w.gp_referral.route().decision()
                       : w.police_referral.route().decision());
        v1::RoutingDecision out;
        return AdminService::NewStub(ch)->GetRoutingDecision(Context().get(), r, &out);
      }};
  m["GetStats"] = {Resource::kNone, admin_call([](AdminService::Stub& s) {
                     v1::Stats out;
                     return s.GetStats(Context().get(), {}, &out);
                   })};
  m["ListPcns"] = {Resource::kNone, admin_call([](AdminService::Stub& s) {
                     v1::ListPcnsResponse out;
                     return s.ListPcns(Context().get(), {}, &out);
                   })};
  m["ListLinkWorkers"] = {Resource::kNone, admin_call([](AdminService::Stub& s) {
                            v1::ListLinkWorkersRequest r;
                            r.set_parent("pcns/U99001");
                            v1::ListLinkWorkersResponse out;
                            return s.ListLinkWorkers(Context().get(), r, &out);
                          })};
  m["ReloadDirectory"] = {Resource::kNone, admin_call([](AdminService::Stub& s) {
                            v1::ReloadDirectoryResponse out;
                            return s.ReloadDirectory(Context().get(), {}, &out);
                          })};
  m["VerifyAuditLog"] = {Resource::kNone, admin_call([](AdminService::Stub& s) {
                           v1::VerifyAuditLogResponse out;
                           return s.VerifyAuditLog(Context().get(), {}, &out);
                         })};
  m["ListAuditRecords"] = {Resource::kNone, admin_call([](AdminService::Stub& s) {
                             v1::ListAuditRecordsResponse out;
                             return s.ListAuditRecords(Context().get(), {}, &out);
                           })};
  m["ListOverdueItems"] = {Resource::kNone, admin_call([](AdminService::Stub& s) {
                             v1::ListOverdueItemsResponse out;
                             return s.ListOverdueItems(Context().get(), {}, &out);
                           })};
  m["ReencryptPatientData"] = {Resource::kNone, admin_call([](AdminService::Stub& s) {
                                 v1::ReencryptPatientDataResponse out;
                                 return s.ReencryptPatientData(Context().get(), {}, &out);
                               })};
  return m;
}

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
      grpc::Status status = v1::ReferralService::NewStub(server_->Channel(as))
                                ->SubmitReferral(Context().get(), request, &response);
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
    grpc::Status status = v1::QueueService::NewStub(server_->Channel("admin"))
                              ->ListQueueItems(Context().get(), list, &items);
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
