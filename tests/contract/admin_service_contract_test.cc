// AdminService contract: each method of proto/sprout/v1/admin_service.proto
// held to its comment (and routing.proto's), through the real sproutd over
// mutual TLS with the demo directory and policy. Administrators only, but for
// the directory listings link workers also read.
#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "sprout/v1/admin_service.grpc.pb.h"
#include "sprout/v1/queue_service.grpc.pb.h"
#include "sprout/v1/referral_service.grpc.pb.h"
#include "tests/contract/contract_helpers.h"
#include "tests/integration/example_referrals.h"
#include "tests/integration/sproutd_suite.h"
#include "tests/integration/test_referrals.h"

namespace sprout {
namespace {

using testing::Checked;
using testing::ExpectInvalidField;
using testing::ExpectRefusal;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::ListedPage;
using testing::TestNhsNumber;

int64_t NextPerson() {
  static int64_t next = 52000;
  return next++;
}

class AdminServiceContractTest : public testing::SproutdSuite<AdminServiceContractTest> {
 protected:
  static void SetUpTestSuite() { StartServer("contract_admin"); }

  void SetUp() override {
    SproutdSuite::SetUp();
    if (HasFatalFailure()) return;
    admin_ = v1::AdminService::NewStub(server_->Channel("admin"));
    lw_admin_ = v1::AdminService::NewStub(server_->Channel("linkworker"));
    gp_admin_ = v1::AdminService::NewStub(server_->Channel("gp"));
    police_admin_ = v1::AdminService::NewStub(server_->Channel("police"));
    lw_queue_ = v1::QueueService::NewStub(server_->Channel("linkworker"));
  }

  v1::Referral Submit(const std::string& identity, const v1::Referral& referral) {
    auto stub = v1::ReferralService::NewStub(server_->Channel(identity));
    v1::SubmitReferralRequest request;
    static int n = 0;
    request.set_request_id(absl::StrCat("contract-admin-", ++n));
    *request.mutable_referral() = referral;
    v1::SubmitReferralResponse response;
    const grpc::Status status = Checked(stub->SubmitReferral(Context().get(), request, &response));
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.referral();
  }
  v1::Referral SubmitGp() { return Submit("gp", testing::GpReferral(TestNhsNumber(NextPerson()))); }

  grpc::Status Query(const std::string& filter, int page_size, const std::string& token,
                     v1::QueryRoutingLogResponse* out) {
    v1::QueryRoutingLogRequest request;
    request.set_filter(filter);
    request.set_page_size(page_size);
    request.set_page_token(token);
    return Checked(admin_->QueryRoutingLog(Context().get(), request, out));
  }

  std::vector<v1::RoutingDecision> QueryAll(const std::string& filter) {
    std::vector<v1::RoutingDecision> all;
    std::string token;
    for (int pages = 0; pages < 200; ++pages) {
      v1::QueryRoutingLogResponse page;
      const grpc::Status status = Query(filter, 500, token, &page);
      EXPECT_TRUE(status.ok()) << status.error_message();
      if (!status.ok()) break;
      all.insert(all.end(), page.decisions().begin(), page.decisions().end());
      if (page.next_page_token().empty()) break;
      token = page.next_page_token();
    }
    return all;
  }

  grpc::Status Decision(const std::string& name, v1::RoutingDecision* out) {
    v1::GetRoutingDecisionRequest request;
    request.set_name(name);
    return Checked(admin_->GetRoutingDecision(Context().get(), request, out));
  }

  grpc::Status Stats(const std::string& filter, v1::Stats* out) {
    v1::GetStatsRequest request;
    request.set_filter(filter);
    return Checked(admin_->GetStats(Context().get(), request, out));
  }

  static const v1::LinkWorkerLoad* LoadOf(const v1::Stats& stats, const std::string& lw) {
    for (const v1::LinkWorkerLoad& l : stats.link_workers()) {
      if (l.link_worker() == lw) return &l;
    }
    return nullptr;
  }

  std::unique_ptr<v1::AdminService::Stub> admin_;
  std::unique_ptr<v1::AdminService::Stub> lw_admin_;
  std::unique_ptr<v1::AdminService::Stub> gp_admin_;
  std::unique_ptr<v1::AdminService::Stub> police_admin_;
  std::unique_ptr<v1::QueueService::Stub> lw_queue_;
};

// "For administrators and commissioners (admin role)": referrers and link
// workers are refused the routing log, statistics, reloads and the audit
// trail, with the details every refusal carries.
TEST_F(AdminServiceContractTest, OnlyAdministratorsReadTheLogStatsAndAudit) {
  for (auto* stub : {lw_admin_.get(), gp_admin_.get(), police_admin_.get()}) {
    v1::QueryRoutingLogResponse log;
    ExpectRefusal(Checked(stub->QueryRoutingLog(Context().get(), {}, &log)),
                  grpc::StatusCode::PERMISSION_DENIED);
    v1::Stats stats;
    ExpectRefusal(Checked(stub->GetStats(Context().get(), {}, &stats)),
                  grpc::StatusCode::PERMISSION_DENIED);
    v1::ReloadDirectoryResponse reload;
    ExpectRefusal(Checked(stub->ReloadDirectory(Context().get(), {}, &reload)),
                  grpc::StatusCode::PERMISSION_DENIED);
    v1::VerifyAuditLogResponse verify;
    ExpectRefusal(Checked(stub->VerifyAuditLog(Context().get(), {}, &verify)),
                  grpc::StatusCode::PERMISSION_DENIED);
    v1::ListAuditRecordsResponse audit;
    ExpectRefusal(Checked(stub->ListAuditRecords(Context().get(), {}, &audit)),
                  grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_THAT(audit.records(), IsEmpty());
  }
  // The directory is the link workers' to read as well, not the referrers'.
  v1::ListPcnsResponse pcns;
  EXPECT_TRUE(Checked(lw_admin_->ListPcns(Context().get(), {}, &pcns)).ok());
  ExpectRefusal(Checked(gp_admin_->ListPcns(Context().get(), {}, &pcns)),
                grpc::StatusCode::PERMISSION_DENIED);
}

// QueryRoutingLog: "Routing decisions matching a filter, newest first",
// paged; a bad filter names `filter`.
TEST_F(AdminServiceContractTest, QueryRoutingLogFiltersAndPagesNewestFirst) {
  for (int i = 0; i < 4; ++i) ASSERT_FALSE(SubmitGp().name().empty());
  v1::Referral police = testing::PoliceReferral();
  ASSERT_FALSE(Submit("police", police).name().empty());

  testing::ExpectPagingContract(
      [&](int size, const std::string& token, ListedPage* page) {
        v1::QueryRoutingLogResponse response;
        const grpc::Status status = Query("", size, token, &response);
        for (const v1::RoutingDecision& d : response.decisions()) page->names.push_back(d.name());
        page->next_page_token = response.next_page_token();
        return status;
      },
      2, 500, 5);

  const std::vector<v1::RoutingDecision> all = QueryAll("");
  for (size_t i = 1; i < all.size(); ++i) {
    EXPECT_GE(google::protobuf::util::TimeUtil::TimestampToNanoseconds(all[i - 1].decide_time()),
              google::protobuf::util::TimeUtil::TimestampToNanoseconds(all[i].decide_time()))
        << "not newest first at " << i;
  }
  for (const v1::RoutingDecision& d : QueryAll("source_type = POLICE")) {
    EXPECT_EQ(d.source_type(), v1::SOURCE_TYPE_POLICE);
  }
  const std::vector<v1::RoutingDecision> lonely = QueryAll("reason << 267076002");
  EXPECT_FALSE(lonely.empty());
  for (const v1::RoutingDecision& d : QueryAll("pcn = \"U99001\"")) {
    EXPECT_EQ(d.route().pcn(), "pcns/U99001");
  }
  EXPECT_THAT(QueryAll("decide_time < \"2000-01-01T00:00:00Z\""), IsEmpty());

  v1::QueryRoutingLogResponse response;
  ExpectInvalidField(Query("colour = RED", 10, "", &response), "filter");
  ExpectInvalidField(Query("reason << 267076003", 10, "", &response), "filter");
}

// GetRoutingDecision: "One routing decision with its explanation";
// pseudonymised (no patient identifiers); a name that is not one is
// INVALID_ARGUMENT, one that does not exist NOT_FOUND.
TEST_F(AdminServiceContractTest, GetRoutingDecisionExplainsOneDecision) {
  const v1::Referral referral = SubmitGp();
  v1::RoutingDecision d;
  ASSERT_TRUE(Decision(referral.route().decision(), &d).ok());
  EXPECT_EQ(d.name(), referral.route().decision());
  EXPECT_EQ(d.referral(), referral.name());
  EXPECT_TRUE(d.has_decide_time());
  EXPECT_EQ(d.route().pcn(), "pcns/U99001");
  EXPECT_FALSE(d.route().link_worker().empty()) << "the log keeps who was chosen";
  EXPECT_EQ(d.source_type(), v1::SOURCE_TYPE_GP_PRACTICE);
  EXPECT_EQ(d.practice_code(), "Y99001");
  EXPECT_EQ(d.reasons_size(), 2);
  EXPECT_EQ(d.priority(), v1::PRIORITY_ROUTINE);
  EXPECT_FALSE(d.explanation().steps().empty());
  EXPECT_FALSE(d.explanation().candidates().empty());
  EXPECT_FALSE(d.explanation().summary().empty());
  EXPECT_FALSE(d.terminology_release().empty());
  EXPECT_EQ(d.SerializeAsString().find(referral.patient().nhs_number()), std::string::npos)
      << "a decision holds no NHS number";

  v1::RoutingDecision out;
  ExpectInvalidField(Decision("referrals/x", &out), "name");
  ExpectRefusal(Decision("routingDecisions/00000000000000000000000000", &out),
                grpc::StatusCode::NOT_FOUND);
}

// A rule that raises the priority raises it in the decision too; a triage
// route names no PCN and its method is TRIAGE.
TEST_F(AdminServiceContractTest, DecisionsCarryTheRaisedPriorityAndTriageRoutes) {
  v1::Referral hospital = testing::ExampleReferral("hospital");
  hospital.mutable_patient()->set_nhs_number(TestNhsNumber(NextPerson()));
  const v1::Referral urgent = Submit("hospital", hospital);
  v1::RoutingDecision d;
  ASSERT_TRUE(Decision(urgent.route().decision(), &d).ok());
  EXPECT_EQ(d.priority(), v1::PRIORITY_URGENT);
  EXPECT_EQ(d.route().rule(), "older-hospital-discharge-urgent");

  v1::Referral abuse = testing::PoliceReferral();
  abuse.mutable_patient()->mutable_birth_date()->set_year(1988);
  abuse.add_safeguarding_flags()->set_code("707087005");  // At risk of domestic violence
  const v1::Referral triaged = Submit("police", abuse);
  ASSERT_TRUE(Decision(triaged.route().decision(), &d).ok());
  EXPECT_EQ(d.outcome(), v1::ROUTING_OUTCOME_TRIAGE);
  EXPECT_EQ(d.route().method(), v1::ROUTING_METHOD_TRIAGE);
  EXPECT_EQ(d.route().pcn(), "");
  EXPECT_EQ(d.route().triage_queue(), "triageQueues/Z1W0A");
  EXPECT_EQ(d.priority(), v1::PRIORITY_URGENT);
  bool found = false;
  for (const v1::RoutingDecision& t : QueryAll("outcome = TRIAGE")) {
    found |= t.name() == d.name();
  }
  EXPECT_TRUE(found) << "the triage decision is not in the log filtered by outcome";
}

// GetStats: counts, and load as of now: open caseload (accepted, not
// closed) and waiting counted apart, per link worker and per PCN.
TEST_F(AdminServiceContractTest, StatsCountWaitingApartFromOpenCaseload) {
  const v1::Referral waiting = SubmitGp();
  v1::RoutingDecision decision;
  ASSERT_TRUE(Decision(waiting.route().decision(), &decision).ok());
  const std::string lw = decision.route().link_worker();
  ASSERT_FALSE(lw.empty());

  v1::Stats before;
  ASSERT_TRUE(Stats("", &before).ok());
  EXPECT_GT(before.total(), 0);
  EXPECT_FALSE(before.directory_version().empty());
  EXPECT_FALSE(before.by_pcn().empty());
  EXPECT_FALSE(before.by_source_type().empty());
  EXPECT_FALSE(before.by_reason().empty());
  const v1::LinkWorkerLoad* load = LoadOf(before, lw);
  ASSERT_NE(load, nullptr) << lw;
  EXPECT_GE(load->waiting(), 1);
  EXPECT_GT(load->open_cap(), 0);
  EXPECT_GT(load->annual_cap(), 0);
  const int32_t open_before = load->open_caseload();
  const int32_t waiting_before = load->waiting();

  // A second referral waiting on the same link worker's queue adds to
  // waiting, never to the open caseload.
  v1::ListQueueItemsRequest list;
  list.set_parent(lw);
  v1::ListQueueItemsResponse items;
  ASSERT_TRUE(Checked(lw_queue_->ListQueueItems(Context().get(), list, &items)).ok());
  v1::Stats same;
  ASSERT_TRUE(Stats("", &same).ok());
  ASSERT_NE(LoadOf(same, lw), nullptr);
  EXPECT_EQ(LoadOf(same, lw)->waiting(), items.queue_items_size())
      << "waiting is what waits on the link worker's queue";
  EXPECT_EQ(LoadOf(same, lw)->open_caseload(), open_before);
  EXPECT_EQ(LoadOf(same, lw)->waiting(), waiting_before);

  // The PCN row sums its link workers.
  for (const v1::PcnLoad& pcn : same.pcns()) {
    int64_t waiting_sum = 0;
    int64_t open_sum = 0;
    for (const v1::LinkWorkerLoad& l : same.link_workers()) {
      if (!absl::StartsWith(l.link_worker(), pcn.pcn() + "/") || !l.available()) continue;
      waiting_sum += l.waiting();
      open_sum += l.open_caseload();
    }
    EXPECT_EQ(pcn.open_caseload(), open_sum) << pcn.pcn();
    EXPECT_GE(pcn.waiting(), waiting_sum) << pcn.pcn();
    EXPECT_LE(pcn.available_link_workers(), pcn.link_worker_count()) << pcn.pcn();
  }

  // pcn narrows the load rows too; a bad filter names `filter`.
  v1::Stats one;
  ASSERT_TRUE(Stats("pcn = \"U99001\"", &one).ok());
  for (const v1::PcnLoad& pcn : one.pcns()) EXPECT_EQ(pcn.pcn(), "pcns/U99001");
  for (const v1::LinkWorkerLoad& l : one.link_workers()) {
    EXPECT_TRUE(absl::StartsWith(l.link_worker(), "pcns/U99001/")) << l.link_worker();
  }
  v1::Stats out;
  ExpectInvalidField(Stats("colour = RED", &out), "filter");
}

// ListPcns and ListLinkWorkers: the directory in force, paged (AIP-158).
TEST_F(AdminServiceContractTest, ListPcnsAndLinkWorkersPageThroughTheDirectory) {
  testing::ExpectPagingContract(
      [&](int size, const std::string& token, ListedPage* page) {
        v1::ListPcnsRequest request;
        request.set_page_size(size);
        request.set_page_token(token);
        v1::ListPcnsResponse response;
        const grpc::Status status = Checked(admin_->ListPcns(Context().get(), request, &response));
        for (const v1::Pcn& p : response.pcns()) page->names.push_back(p.name());
        page->next_page_token = response.next_page_token();
        return status;
      },
      1, 1000, 2);
  v1::ListPcnsResponse pcns;
  ASSERT_TRUE(Checked(admin_->ListPcns(Context().get(), {}, &pcns)).ok());
  for (const v1::Pcn& p : pcns.pcns()) {
    EXPECT_TRUE(absl::StartsWith(p.name(), "pcns/")) << p.name();
    EXPECT_FALSE(p.display_name().empty());
    EXPECT_FALSE(p.sub_icb_location().empty());
  }

  testing::ExpectPagingContract(
      [&](int size, const std::string& token, ListedPage* page) {
        v1::ListLinkWorkersRequest request;
        request.set_parent("pcns/U99002");
        request.set_page_size(size);
        request.set_page_token(token);
        v1::ListLinkWorkersResponse response;
        const grpc::Status status =
            Checked(admin_->ListLinkWorkers(Context().get(), request, &response));
        for (const v1::LinkWorker& l : response.link_workers()) page->names.push_back(l.name());
        page->next_page_token = response.next_page_token();
        return status;
      },
      1, 1000, 3);
  v1::ListLinkWorkersRequest request;
  request.set_parent("pcns/U99002");
  v1::ListLinkWorkersResponse workers;
  ASSERT_TRUE(Checked(admin_->ListLinkWorkers(Context().get(), request, &workers)).ok());
  for (const v1::LinkWorker& l : workers.link_workers()) {
    EXPECT_TRUE(absl::StartsWith(l.name(), "pcns/U99002/linkWorkers/")) << l.name();
    EXPECT_GT(l.whole_time_equivalent(), 0);
    EXPECT_GT(l.annual_cap(), 0);
    EXPECT_FALSE(l.languages().empty());
  }
  request.set_parent("U99002");
  ExpectInvalidField(Checked(admin_->ListLinkWorkers(Context().get(), request, &workers)),
                     "parent");
  request.set_parent("pcns/U00000");
  ExpectRefusal(Checked(admin_->ListLinkWorkers(Context().get(), request, &workers)),
                grpc::StatusCode::NOT_FOUND);
}

// ReloadDirectory: "validated first, swapped atomically"; reloading the same
// files keeps the same versions.
TEST_F(AdminServiceContractTest, ReloadDirectoryAnswersTheVersionsNowInUse) {
  v1::ReloadDirectoryResponse first;
  ASSERT_TRUE(Checked(admin_->ReloadDirectory(Context().get(), {}, &first)).ok());
  EXPECT_TRUE(absl::StartsWith(first.directory_version(), "sha256:"));
  EXPECT_TRUE(absl::StartsWith(first.policy_version(), "sha256:"));
  EXPECT_EQ(first.policy_name(), "demo-policy");
  EXPECT_TRUE(first.has_reload_time());
  v1::ReloadDirectoryResponse again;
  ASSERT_TRUE(Checked(admin_->ReloadDirectory(Context().get(), {}, &again)).ok());
  EXPECT_EQ(again.directory_version(), first.directory_version());
  EXPECT_EQ(again.previous_version(), first.directory_version());
  EXPECT_EQ(again.policy_version(), first.policy_version());
  // Decisions name the version they used.
  EXPECT_EQ(SubmitGp().route().directory_version(), first.directory_version());
}

// VerifyAuditLog: the chain from its first record, and the anchor.
// ListAuditRecords: newest first, filtered, and itself audited.
TEST_F(AdminServiceContractTest, TheAuditTrailVerifiesAndLists) {
  const v1::Referral referral = SubmitGp();
  v1::VerifyAuditLogResponse verified;
  ASSERT_TRUE(Checked(admin_->VerifyAuditLog(Context().get(), {}, &verified)).ok());
  EXPECT_TRUE(verified.intact()) << verified.message();
  EXPECT_GT(verified.records_checked(), 0);
  EXPECT_EQ(verified.first_bad_sequence(), 0);

  v1::ListAuditRecordsRequest request;
  request.set_action("SubmitReferral");
  request.set_page_size(500);
  v1::ListAuditRecordsResponse records;
  ASSERT_TRUE(Checked(admin_->ListAuditRecords(Context().get(), request, &records)).ok());
  ASSERT_FALSE(records.records().empty());
  for (int i = 0; i < records.records_size(); ++i) {
    EXPECT_EQ(records.records(i).action(), "SubmitReferral");
    if (i > 0) EXPECT_LT(records.records(i).sequence(), records.records(i - 1).sequence());
  }
  EXPECT_EQ(records.records(0).resource(), referral.name()) << "the newest is first";

  // Reading the trail is on the trail.
  v1::ListAuditRecordsRequest reads;
  reads.set_action("ListAuditRecords");
  v1::ListAuditRecordsResponse listed;
  ASSERT_TRUE(Checked(admin_->ListAuditRecords(Context().get(), reads, &listed)).ok());
  EXPECT_FALSE(listed.records().empty());
  testing::ExpectPagingContract(
      [&](int size, const std::string& token, ListedPage* page) {
        v1::ListAuditRecordsRequest r;
        r.set_action("SubmitReferral");
        r.set_page_size(size);
        r.set_page_token(token);
        v1::ListAuditRecordsResponse response;
        const grpc::Status status =
            Checked(admin_->ListAuditRecords(Context().get(), r, &response));
        for (const v1::AuditRecord& a : response.records()) {
          page->names.push_back(absl::StrCat(a.sequence()));
        }
        page->next_page_token = response.next_page_token();
        return status;
      },
      1, 500, 2);
}

// ListOverdueItems: items left unclaimed past their time; nothing has
// waited that long on a fresh server; pcn must be a PCN name.
TEST_F(AdminServiceContractTest, ListOverdueItemsListsOnlyOverdueItems) {
  ASSERT_FALSE(SubmitGp().name().empty());
  v1::ListOverdueItemsRequest request;
  v1::ListOverdueItemsResponse response;
  ASSERT_TRUE(Checked(admin_->ListOverdueItems(Context().get(), request, &response)).ok());
  for (const v1::QueueItem& item : response.queue_items()) EXPECT_TRUE(item.overdue());
  EXPECT_THAT(response.queue_items(), IsEmpty()) << "nothing has waited three working days";
  request.set_pcn("pcns/U99001");
  ASSERT_TRUE(Checked(admin_->ListOverdueItems(Context().get(), request, &response)).ok());
  request.set_pcn("U99001");
  ExpectInvalidField(Checked(admin_->ListOverdueItems(Context().get(), request, &response)), "pcn");
  request.clear_pcn();
  request.set_page_size(-1);
  ExpectInvalidField(Checked(admin_->ListOverdueItems(Context().get(), request, &response)),
                     "page_size");
}

}  // namespace
}  // namespace sprout
