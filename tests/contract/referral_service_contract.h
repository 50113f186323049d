// The ReferralService contract suite's fixture, shared by its two files:
// referral_service_submit_contract_test.cc (SubmitReferral, ValidateReferral)
// and referral_service_read_contract_test.cc (GetReferral, ListReferrals,
// WithdrawReferral, WatchReferral). One sproutd serves the whole suite.
#ifndef SPROUT_TESTS_CONTRACT_REFERRAL_SERVICE_CONTRACT_H_
#define SPROUT_TESTS_CONTRACT_REFERRAL_SERVICE_CONTRACT_H_

#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "sprout/v1/admin_service.grpc.pb.h"
#include "sprout/v1/queue_service.grpc.pb.h"
#include "sprout/v1/referral_service.grpc.pb.h"
#include "tests/contract/contract_helpers.h"
#include "tests/integration/example_referrals.h"
#include "tests/integration/sproutd_suite.h"
#include "tests/integration/test_referrals.h"

namespace sprout::referral_contract {

using testing::Checked;
using testing::ExpectInvalidField;
using testing::ExpectPreconditionFailure;
using testing::ExpectRefusal;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::ListedPage;
using testing::ReasonOf;
using testing::TestNhsNumber;

inline constexpr char kServiceCode[] = "871731000000106";  // Referral to social prescribing service
inline constexpr char kLinkWorkerU99001[] = "pcns/U99001/linkWorkers/lw-u99001-01";
inline constexpr char kDomesticViolenceRisk[] = "707087005";  // At risk of domestic violence

// Each test takes NHS numbers from its own block, so no referral joins
// another test's open episode (one counter for both files: inline).
inline int64_t NextPerson() {
  static int64_t next = 17000;
  return next++;
}

// A police referral flagging domestic abuse: the demo policy's
// police-domestic-abuse-to-triage rule sends it to triage, urgently.
inline v1::Referral DomesticAbuseReferral() {
  v1::Referral referral = testing::PoliceReferral();
  v1::SafeguardingFlag* flag = referral.add_safeguarding_flags();
  flag->set_code(kDomesticViolenceRisk);
  flag->set_details("disclosed on a welfare visit");
  return referral;
}

class ReferralServiceContractTest : public testing::SproutdSuite<ReferralServiceContractTest> {
 protected:
  static void SetUpTestSuite() {
    StartServer("contract_referral");
    if (server_ == nullptr) return;
    // A second GP practice (Y99005, PCN U99002), to show keys and
    // referrals belong to their organisation.
    testing::MintIdentity(*server_, "gp-y99005", "urn:sprout:org:Y99005:role:referrer");
  }

  void SetUp() override {
    SproutdSuite::SetUp();
    if (HasFatalFailure()) return;
    gp_ = v1::ReferralService::NewStub(server_->Channel("gp"));
    other_gp_ = v1::ReferralService::NewStub(server_->Channel("gp-y99005"));
    police_ = v1::ReferralService::NewStub(server_->Channel("police"));
    hospital_ = v1::ReferralService::NewStub(server_->Channel("hospital"));
    admin_ = v1::ReferralService::NewStub(server_->Channel("admin"));
    lw_ = v1::ReferralService::NewStub(server_->Channel("linkworker"));
    admin_routing_ = v1::AdminService::NewStub(server_->Channel("admin"));
    admin_queue_ = v1::QueueService::NewStub(server_->Channel("admin"));
  }

  static std::string NewRequestId() {
    static int n = 0;
    return "contract-referral-" + std::to_string(++n);
  }

  grpc::Status Submit(v1::ReferralService::Stub& stub, const v1::Referral& referral,
                      const std::string& request_id, v1::SubmitReferralResponse* out) {
    v1::SubmitReferralRequest request;
    request.set_request_id(request_id);
    *request.mutable_referral() = referral;
    return Checked(stub.SubmitReferral(Context().get(), request, out));
  }

  // Submits and expects it stored; returns the stored referral.
  v1::Referral SubmitOk(v1::ReferralService::Stub& stub, const v1::Referral& referral) {
    v1::SubmitReferralResponse response;
    const grpc::Status status = Submit(stub, referral, NewRequestId(), &response);
    EXPECT_TRUE(status.ok()) << testing::CodeName(status.error_code()) << " "
                             << status.error_message();
    return response.referral();
  }

  v1::Referral SubmitGp() {
    return SubmitOk(*gp_, testing::GpReferral(TestNhsNumber(NextPerson())));
  }

  grpc::Status Validate(v1::ReferralService::Stub& stub, const v1::Referral& referral,
                        v1::ValidateReferralResponse* out) {
    v1::ValidateReferralRequest request;
    *request.mutable_referral() = referral;
    return Checked(stub.ValidateReferral(Context().get(), request, out));
  }

  grpc::Status Get(v1::ReferralService::Stub& stub, const std::string& name, v1::Referral* out,
                   const std::string& break_glass_reason = "") {
    v1::GetReferralRequest request;
    request.set_name(name);
    request.set_break_glass_reason(break_glass_reason);
    return Checked(stub.GetReferral(Context().get(), request, out));
  }

  grpc::Status List(v1::ReferralService::Stub& stub, const std::string& filter, int page_size,
                    const std::string& token, v1::ListReferralsResponse* out) {
    v1::ListReferralsRequest request;
    request.set_filter(filter);
    request.set_page_size(page_size);
    request.set_page_token(token);
    return Checked(stub.ListReferrals(Context().get(), request, out));
  }

  // Every referral `stub` lists under `filter`, following the pages.
  std::vector<v1::Referral> ListAll(v1::ReferralService::Stub& stub, const std::string& filter) {
    std::vector<v1::Referral> all;
    std::string token;
    for (int pages = 0; pages < 100; ++pages) {
      v1::ListReferralsResponse page;
      const grpc::Status status = List(stub, filter, 500, token, &page);
      EXPECT_TRUE(status.ok()) << status.error_message();
      if (!status.ok()) break;
      all.insert(all.end(), page.referrals().begin(), page.referrals().end());
      if (page.next_page_token().empty()) break;
      token = page.next_page_token();
    }
    return all;
  }

  std::set<std::string> NamesListed(v1::ReferralService::Stub& stub, const std::string& filter) {
    std::set<std::string> names;
    for (const v1::Referral& r : ListAll(stub, filter)) names.insert(r.name());
    return names;
  }

  grpc::Status Withdraw(v1::ReferralService::Stub& stub, const std::string& name,
                        const std::string& etag, const std::string& reason, v1::Referral* out) {
    v1::WithdrawReferralRequest request;
    request.set_name(name);
    request.set_etag(etag);
    request.set_reason(reason);
    return Checked(stub.WithdrawReferral(Context().get(), request, out));
  }

  // Reads up to `count` events of a WatchReferral stream, then hangs up;
  // `status` is the stream's end when it ended by itself.
  std::vector<v1::ReferralEvent> WatchEvents(v1::ReferralService::Stub& stub,
                                             const std::string& name, int64_t after, size_t count,
                                             grpc::Status* status = nullptr) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::WatchReferralRequest request;
    request.set_name(name);
    request.set_after_sequence(after);
    std::unique_ptr<grpc::ClientReader<v1::ReferralEvent>> reader =
        stub.WatchReferral(&context, request);
    std::vector<v1::ReferralEvent> events;
    v1::ReferralEvent event;
    bool ended = false;
    while (events.size() < count) {
      if (!reader->Read(&event)) {
        ended = true;
        break;
      }
      events.push_back(event);
    }
    if (!ended) context.TryCancel();
    const grpc::Status finished = reader->Finish();
    if (status != nullptr) *status = ended ? Checked(finished) : grpc::Status::OK;
    return events;
  }

  v1::RoutingDecision DecisionOf(const v1::Referral& referral) {
    v1::GetRoutingDecisionRequest request;
    request.set_name(referral.route().decision());
    v1::RoutingDecision decision;
    const grpc::Status status =
        Checked(admin_routing_->GetRoutingDecision(Context().get(), request, &decision));
    EXPECT_TRUE(status.ok()) << status.error_message();
    return decision;
  }

  // The queue item of `referral` on `queue`, as an administrator lists it.
  v1::QueueItem QueueItemOf(const std::string& queue, const std::string& referral) {
    v1::ListQueueItemsRequest request;
    request.set_parent(queue);
    request.set_page_size(500);
    v1::ListQueueItemsResponse response;
    const grpc::Status status =
        Checked(admin_queue_->ListQueueItems(Context().get(), request, &response));
    EXPECT_TRUE(status.ok()) << status.error_message();
    for (const v1::QueueItem& item : response.queue_items()) {
      if (item.referral() == referral) return item;
    }
    ADD_FAILURE() << referral << " is not on " << queue;
    return {};
  }

  std::unique_ptr<v1::ReferralService::Stub> gp_;
  std::unique_ptr<v1::ReferralService::Stub> other_gp_;
  std::unique_ptr<v1::ReferralService::Stub> police_;
  std::unique_ptr<v1::ReferralService::Stub> hospital_;
  std::unique_ptr<v1::ReferralService::Stub> admin_;
  std::unique_ptr<v1::ReferralService::Stub> lw_;
  std::unique_ptr<v1::AdminService::Stub> admin_routing_;
  std::unique_ptr<v1::QueueService::Stub> admin_queue_;
};

}  // namespace sprout::referral_contract

#endif  // SPROUT_TESTS_CONTRACT_REFERRAL_SERVICE_CONTRACT_H_
