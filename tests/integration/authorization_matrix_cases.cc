// File: tests/integration/authorization_matrix_cases.cc
#include "tests/integration/authorization_matrix_cases.h"

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "server/auth/policy.h"
#include "sprout/v1/admin_service.grpc.pb.h"
#include "sprout/v1/queue_service.grpc.pb.h"
#include "sprout/v1/referral_service.grpc.pb.h"
#include "sprout/v1/terminology_service.grpc.pb.h"
#include "tests/integration/sproutd_suite.h"
#include "tests/integration/test_referrals.h"

namespace sprout::authz_matrix {
namespace {

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

}  // namespace

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
  m["ReloadTerminology"] = {Resource::kNone, admin_call([](AdminService::Stub& s) {
                              v1::ReloadTerminologyResponse out;
                              return s.ReloadTerminology(Context().get(), {}, &out);
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
  m["ListOutboxMessages"] = {Resource::kNone, admin_call([](AdminService::Stub& s) {
                               v1::ListOutboxMessagesResponse out;
                               return s.ListOutboxMessages(Context().get(), {}, &out);
                             })};
  m["RedeliverOutboxMessage"] = {Resource::kNone, admin_call([](AdminService::Stub& s) {
                                   v1::RedeliverOutboxMessageRequest request;
                                   request.set_name("outboxMessages/none-1");
                                   v1::OutboxMessage out;
                                   return s.RedeliverOutboxMessage(Context().get(), request, &out);
                                 })};
  // An administrator may; the message named does not exist.
  m["RedeliverOutboxMessage"].admin_code = StatusCode::NOT_FOUND;
  m["ListCodingProposals"] = {Resource::kNone, admin_call([](AdminService::Stub& s) {
                                v1::ListCodingProposalsResponse out;
                                return s.ListCodingProposals(Context().get(), {}, &out);
                              })};
  m["AcceptCodingProposal"] = {Resource::kNone, admin_call([](AdminService::Stub& s) {
                                 v1::AcceptCodingProposalRequest request;
                                 request.set_name("codingProposals/0000000000000000");
                                 request.set_code("267076002");
                                 v1::AcceptCodingProposalResponse out;
                                 return s.AcceptCodingProposal(Context().get(), request, &out);
                               })};
  // An administrator may; the proposal named does not exist.
  m["AcceptCodingProposal"].admin_code = StatusCode::NOT_FOUND;
  m["ReencryptPatientData"] = {Resource::kNone, admin_call([](AdminService::Stub& s) {
                                 v1::ReencryptPatientDataResponse out;
                                 return s.ReencryptPatientData(Context().get(), {}, &out);
                               })};
  return m;
}

}  // namespace sprout::authz_matrix
