// QueueService contract: each method of proto/sprout/v1/queue_service.proto
// held to its comment and to the QueueItem, Contact and Caseload comments
// (queue.proto), through the real sproutd over mutual TLS. Link workers work
// their own PCN's queues; a referral or queue item outside them answers
// exactly as one that does not exist.
#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "sprout/v1/queue_service.grpc.pb.h"
#include "sprout/v1/referral_service.grpc.pb.h"
#include "tests/contract/contract_helpers.h"
#include "tests/integration/queue_watch_client.h"
#include "tests/integration/sproutd_suite.h"
#include "tests/integration/test_referrals.h"

namespace sprout {
namespace {

using google::protobuf::util::TimeUtil;
using testing::Checked;
using ::testing::Contains;
using testing::ExpectInvalidField;
using testing::ExpectRefusal;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::ListedPage;
using ::testing::Not;
using testing::ReasonOf;
using testing::TestNhsNumber;

constexpr char kPcn[] = "pcns/U99001";
constexpr char kMe[] = "pcns/U99001/linkWorkers/lw-u99001-01";  // the "linkworker" identity
constexpr char kColleague[] = "pcns/U99001/linkWorkers/lw-u99001-02";
constexpr char kNotLonely[] = "1230392000";      // Not feeling lonely (outcome)
constexpr char kDeclined[] = "871711000000103";  // Social prescribing declined

int64_t NextPerson() {
  static int64_t next = 41000;
  return next++;
}

class QueueServiceContractTest : public testing::SproutdSuite<QueueServiceContractTest> {
 protected:
  static void SetUpTestSuite() {
    StartServer("contract_queue");
    if (server_ == nullptr) return;
    // A link worker of another PCN (U99002).
    testing::MintIdentity(*server_, "riverside-lw",
                          "urn:sprout:org:U99002:role:link_worker:lw:lw-u99002-01");
  }

  void SetUp() override {
    SproutdSuite::SetUp();
    if (HasFatalFailure()) return;
    lw_ = v1::QueueService::NewStub(server_->Channel("linkworker"));
    other_lw_ = v1::QueueService::NewStub(server_->Channel("riverside-lw"));
    admin_ = v1::QueueService::NewStub(server_->Channel("admin"));
    gp_queue_ = v1::QueueService::NewStub(server_->Channel("gp"));
    gp_ = v1::ReferralService::NewStub(server_->Channel("gp"));
  }

  // A GP referral from Y99001, routed to PCN U99001.
  v1::Referral Submit(v1::Referral referral = v1::Referral()) {
    if (!referral.has_patient()) referral = testing::GpReferral(TestNhsNumber(NextPerson()));
    v1::SubmitReferralRequest request;
    static int n = 0;
    request.set_request_id(absl::StrCat("contract-queue-", ++n));
    *request.mutable_referral() = referral;
    v1::SubmitReferralResponse response;
    const grpc::Status status = Checked(gp_->SubmitReferral(Context().get(), request, &response));
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.referral();
  }

  grpc::Status List(v1::QueueService::Stub& stub, const std::string& parent,
                    const std::string& filter, int page_size, const std::string& token,
                    v1::ListQueueItemsResponse* out) {
    v1::ListQueueItemsRequest request;
    request.set_parent(parent);
    request.set_filter(filter);
    request.set_page_size(page_size);
    request.set_page_token(token);
    return Checked(stub.ListQueueItems(Context().get(), request, out));
  }

  // Every item on `parent` under `filter`, following the pages.
  std::vector<v1::QueueItem> ListAll(const std::string& parent, const std::string& filter = "") {
    std::vector<v1::QueueItem> all;
    std::string token;
    for (int pages = 0; pages < 100; ++pages) {
      v1::ListQueueItemsResponse page;
      const grpc::Status status = List(*admin_, parent, filter, 500, token, &page);
      EXPECT_TRUE(status.ok()) << status.error_message();
      if (!status.ok()) break;
      all.insert(all.end(), page.queue_items().begin(), page.queue_items().end());
      if (page.next_page_token().empty()) break;
      token = page.next_page_token();
    }
    return all;
  }

  // The queue item of `referral` on the PCN's queues.
  v1::QueueItem ItemOf(const std::string& referral) {
    for (const v1::QueueItem& item : ListAll(kPcn)) {
      if (item.referral() == referral) return item;
    }
    ADD_FAILURE() << referral << " has no item on " << kPcn;
    return {};
  }

  grpc::Status Claim(v1::QueueService::Stub& stub, const std::string& item, v1::QueueItem* out,
                     int lease_seconds = 0) {
    v1::ClaimReferralRequest request;
    request.set_name(item);
    if (lease_seconds > 0) request.mutable_lease_duration()->set_seconds(lease_seconds);
    return Checked(stub.ClaimReferral(Context().get(), request, out));
  }

  grpc::Status Accept(v1::QueueService::Stub& stub, const std::string& name,
                      const std::string& etag, v1::Referral* out) {
    v1::AcceptReferralRequest request;
    request.set_name(name);
    request.set_etag(etag);
    return Checked(stub.AcceptReferral(Context().get(), request, out));
  }

  // Submits a referral and accepts it as the "linkworker" identity.
  v1::Referral Accepted() {
    const v1::Referral submitted = Submit();
    v1::QueueItem claimed;
    EXPECT_TRUE(Claim(*lw_, ItemOf(submitted.name()).name(), &claimed).ok());
    v1::Referral accepted;
    const grpc::Status status = Accept(*lw_, submitted.name(), "", &accepted);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return accepted;
  }

  grpc::Status Contact(const std::string& referral, const std::string& request_id,
                       v1::Contact* out) {
    v1::RecordContactRequest request;
    request.set_parent(referral);
    request.set_request_id(request_id);
    v1::Contact* c = request.mutable_contact();
    c->set_type(v1::CONTACT_TYPE_PHONE);
    *c->mutable_contact_time() = TimeUtil::GetCurrentTime();
    c->mutable_duration()->set_seconds(1200);
    c->set_notes("talked about the walking group");
    return Checked(lw_->RecordContact(Context().get(), request, out));
  }

  std::unique_ptr<v1::QueueService::Stub> lw_;
  std::unique_ptr<v1::QueueService::Stub> other_lw_;
  std::unique_ptr<v1::QueueService::Stub> admin_;
  std::unique_ptr<v1::QueueService::Stub> gp_queue_;
  std::unique_ptr<v1::ReferralService::Stub> gp_;
};

// ListQueueItems: "Lists the items on a queue that are waiting or claimed
// (not those acted on), urgent first"; QueueItem's fields are set.
TEST_F(QueueServiceContractTest, ListShowsWaitingAndClaimedItemsWithTheirFields) {
  const v1::Referral waiting = Submit();
  const v1::Referral claimed = Submit();
  const v1::Referral accepted = Accepted();
  v1::QueueItem claim;
  ASSERT_TRUE(Claim(*lw_, ItemOf(claimed.name()).name(), &claim).ok());

  std::set<std::string> listed;
  for (const v1::QueueItem& item : ListAll(kPcn)) listed.insert(item.referral());
  EXPECT_TRUE(listed.count(waiting.name()));
  EXPECT_TRUE(listed.count(claimed.name())) << "claimed items are listed";
  EXPECT_FALSE(listed.count(accepted.name())) << "an accepted referral has left the queue";

  const v1::QueueItem item = ItemOf(waiting.name());
  EXPECT_TRUE(absl::StartsWith(item.name(), "queueItems/")) << item.name();
  EXPECT_TRUE(absl::StartsWith(item.queue(), kPcn)) << item.queue();
  EXPECT_EQ(item.priority(), v1::PRIORITY_ROUTINE);
  EXPECT_GT(item.sequence(), 0);
  EXPECT_TRUE(item.has_enqueue_time());
  EXPECT_EQ(item.state(), v1::QUEUE_ITEM_STATE_WAITING);
  EXPECT_EQ(item.claimed_by(), "");
  EXPECT_EQ(item.source_type(), v1::SOURCE_TYPE_GP_PRACTICE);
  EXPECT_FALSE(item.reasons().empty());
  EXPECT_FALSE(item.etag().empty());
  EXPECT_FALSE(item.overdue()) << "just submitted";

  const v1::QueueItem held = ItemOf(claimed.name());
  EXPECT_EQ(held.state(), v1::QUEUE_ITEM_STATE_CLAIMED);
  EXPECT_EQ(held.claimed_by(), kMe);
  EXPECT_TRUE(held.has_lease_expire_time());

  // Urgent first.
  bool seen_routine = false;
  for (const v1::QueueItem& i : ListAll(kPcn)) {
    if (i.priority() == v1::PRIORITY_ROUTINE) seen_routine = true;
    if (i.priority() == v1::PRIORITY_URGENT) EXPECT_FALSE(seen_routine) << "urgent after routine";
  }
}

// ListQueueItems pages (AIP-158) and filters (AIP-160) over priority,
// state, source_type, overdue and claimed; a bad filter names `filter`.
TEST_F(QueueServiceContractTest, ListPagesAndFilters) {
  for (int i = 0; i < 5; ++i) ASSERT_FALSE(Submit().name().empty());
  const v1::Referral held = Submit();
  v1::QueueItem claim;
  ASSERT_TRUE(Claim(*lw_, ItemOf(held.name()).name(), &claim).ok());

  testing::ExpectPagingContract(
      [&](int size, const std::string& token, ListedPage* page) {
        v1::ListQueueItemsResponse response;
        const grpc::Status status = List(*lw_, kPcn, "", size, token, &response);
        for (const v1::QueueItem& i : response.queue_items()) page->names.push_back(i.name());
        page->next_page_token = response.next_page_token();
        return status;
      },
      2, 500, 6);

  for (const v1::QueueItem& i : ListAll(kPcn, "claimed = true")) {
    EXPECT_EQ(i.state(), v1::QUEUE_ITEM_STATE_CLAIMED);
  }
  std::set<std::string> claimed_referrals;
  for (const v1::QueueItem& i : ListAll(kPcn, "state = CLAIMED")) {
    claimed_referrals.insert(i.referral());
  }
  EXPECT_TRUE(claimed_referrals.count(held.name()));
  for (const v1::QueueItem& i : ListAll(kPcn, "claimed = false AND priority = ROUTINE")) {
    EXPECT_EQ(i.state(), v1::QUEUE_ITEM_STATE_WAITING);
    EXPECT_EQ(i.priority(), v1::PRIORITY_ROUTINE);
    EXPECT_NE(i.referral(), held.name());
  }
  EXPECT_THAT(ListAll(kPcn, "overdue = true"), IsEmpty()) << "nothing has waited for days";
  EXPECT_THAT(ListAll(kPcn, "source_type = POLICE"), IsEmpty());
  EXPECT_FALSE(ListAll(kPcn, "source_type = GP_PRACTICE").empty());

  v1::ListQueueItemsResponse response;
  const testing::Refusal bad =
      ExpectInvalidField(List(*lw_, kPcn, "colour = RED", 50, "", &response), "filter");
  EXPECT_THAT(bad.message(), HasSubstr("colour"));
  ExpectInvalidField(List(*lw_, kPcn, "claimed = maybe", 50, "", &response), "filter");
  v1::ListQueueItemsResponse first;
  ASSERT_TRUE(List(*lw_, kPcn, "claimed = false", 1, "", &first).ok());
  ASSERT_FALSE(first.next_page_token().empty());
  ExpectRefusal(List(*lw_, kPcn, "claimed = true", 1, first.next_page_token(), &response),
                grpc::StatusCode::INVALID_ARGUMENT);
}

// ListQueueItems: a link worker lists their own PCN's queues only; a
// referrer lists none; parent must be a queue name.
TEST_F(QueueServiceContractTest, ListIsForTheQueuesOwnPcnAndAdministrators) {
  v1::ListQueueItemsResponse response;
  ExpectRefusal(List(*other_lw_, kPcn, "", 10, "", &response), grpc::StatusCode::PERMISSION_DENIED);
  ExpectRefusal(List(*gp_queue_, kPcn, "", 10, "", &response), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(response.queue_items(), IsEmpty());
  ExpectInvalidField(List(*lw_, "queues/nowhere", "", 10, "", &response), "parent");
  EXPECT_TRUE(List(*lw_, kMe, "", 10, "", &response).ok()) << "a link worker's own queue";
  EXPECT_TRUE(List(*admin_, "triageQueues/Z1W0A", "", 10, "", &response).ok());
}

// WatchQueue: "first the items waiting after after_sequence, then every
// change as it commits. A reconnecting watcher passes the last sequence it
// saw and misses nothing."
TEST_F(QueueServiceContractTest, WatchSendsWhatWaitsThenEachChangeAndResumes) {
  const v1::Referral before = Submit();
  testing::Watch watch(server_->Channel("linkworker"), kPcn, 0);
  const v1::QueueEvent first =
      watch.WaitFor([&](const v1::QueueEvent& e) { return e.item().referral() == before.name(); });
  ASSERT_EQ(first.item().referral(), before.name()) << "the waiting item was not sent first";
  EXPECT_GT(first.sequence(), 0);

  const v1::Referral after = Submit();
  const v1::QueueEvent added =
      watch.WaitFor([&](const v1::QueueEvent& e) { return e.item().referral() == after.name(); });
  ASSERT_EQ(added.item().referral(), after.name()) << "a new item was not streamed";
  EXPECT_EQ(added.type(), v1::QUEUE_EVENT_TYPE_ADDED);
  EXPECT_GT(added.sequence(), first.sequence());

  // Resuming after the first event misses nothing after it and repeats nothing before.
  testing::Watch resumed(server_->Channel("linkworker"), kPcn, first.sequence());
  const v1::QueueEvent again =
      resumed.WaitFor([&](const v1::QueueEvent& e) { return e.item().referral() == after.name(); });
  EXPECT_EQ(again.item().referral(), after.name());
  for (const v1::QueueEvent& e : resumed.events()) {
    EXPECT_GT(e.sequence(), first.sequence());
  }

  testing::Watch foreign(server_->Channel("riverside-lw"), kPcn, 0);
  ExpectRefusal(foreign.Status(), grpc::StatusCode::PERMISSION_DENIED);
  testing::Watch negative(server_->Channel("linkworker"), kPcn, -1);
  ExpectInvalidField(negative.Status(), "after_sequence");
}

// ClaimReferral: "Claims an item under a lease so two link workers do not
// pick up the same person"; lease "default 15 minutes, at most 8 hours".
TEST_F(QueueServiceContractTest, ClaimHoldsAnItemForOneLinkWorkerUnderALease) {
  const v1::Referral referral = Submit();
  const std::string item = ItemOf(referral.name()).name();
  v1::QueueItem out;
  ExpectInvalidField(Claim(*lw_, item, &out, 9 * 3600), "lease_duration");
  ExpectInvalidField(Claim(*lw_, "referrals/x", &out), "name");

  const absl::Time before = absl::Now();
  ASSERT_TRUE(Claim(*lw_, item, &out).ok());
  EXPECT_EQ(out.name(), item);
  EXPECT_EQ(out.state(), v1::QUEUE_ITEM_STATE_CLAIMED);
  EXPECT_EQ(out.claimed_by(), kMe);
  const absl::Time expires =
      absl::FromUnixMillis(TimeUtil::TimestampToMilliseconds(out.lease_expire_time()));
  EXPECT_GE(expires, before + absl::Minutes(15) - absl::Seconds(5));
  EXPECT_LE(expires, absl::Now() + absl::Minutes(15) + absl::Seconds(5));

  // Someone else is refused while the lease holds.
  v1::QueueItem taken;
  const testing::Refusal refused =
      ExpectRefusal(Claim(*admin_, item, &taken), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(refused), "QUEUE_ITEM_NOT_CLAIMABLE");

  // A link worker of another PCN is told what it would be told of an item
  // that does not exist.
  const testing::Refusal foreign =
      ExpectRefusal(Claim(*other_lw_, item, &taken), grpc::StatusCode::NOT_FOUND);
  const std::string absent = "queueItems/00000000000000000000000000";
  const testing::Refusal missing =
      ExpectRefusal(Claim(*other_lw_, absent, &taken), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(ReasonOf(foreign), ReasonOf(missing));
  EXPECT_EQ(absl::StrReplaceAll(foreign.message(), {{item, "NAME"}}),
            absl::StrReplaceAll(missing.message(), {{absent, "NAME"}}));
}

// AcceptReferral: "Records that the person agreed to work with the link
// worker"; etag "must match the referral's current etag"; another PCN's
// referral answers as a missing one.
TEST_F(QueueServiceContractTest, AcceptRecordsAgreementOnce) {
  const v1::Referral referral = Submit();
  v1::QueueItem claimed;
  ASSERT_TRUE(Claim(*lw_, ItemOf(referral.name()).name(), &claimed).ok());
  v1::Referral out;
  const testing::Refusal stale =
      ExpectRefusal(Accept(*lw_, referral.name(), "\"stale\"", &out), grpc::StatusCode::ABORTED);
  EXPECT_EQ(ReasonOf(stale), "ETAG_MISMATCH");
  const testing::Refusal foreign =
      ExpectRefusal(Accept(*other_lw_, referral.name(), "", &out), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(ReasonOf(foreign), "REFERRAL_NOT_FOUND");
  ExpectRefusal(Accept(*gp_queue_, referral.name(), "", &out), grpc::StatusCode::PERMISSION_DENIED);

  v1::Referral accepted;
  ASSERT_TRUE(Accept(*lw_, referral.name(), referral.etag(), &accepted).ok());
  EXPECT_EQ(accepted.state(), v1::REFERRAL_STATE_ACCEPTED);
  EXPECT_TRUE(accepted.has_accept_time());
  EXPECT_EQ(accepted.route().link_worker(), kMe);
  EXPECT_NE(accepted.etag(), referral.etag());
  const testing::Refusal twice =
      ExpectRefusal(Accept(*lw_, referral.name(), "", &out), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(testing::MetadataOf(twice, "state"), "ACCEPTED");
}

// DeclineReferral: declined_by is required; DECLINED_BY_PERSON records
// 871711000000103 and takes no reason_code; DECLINED_BY_LINK_WORKER needs an
// active coded reason.
TEST_F(QueueServiceContractTest, DeclineRecordsWhoDeclinedAndTheCode) {
  const v1::Referral referral = Submit();
  v1::DeclineReferralRequest request;
  request.set_name(referral.name());
  v1::Referral out;
  ExpectInvalidField(Checked(lw_->DeclineReferral(Context().get(), request, &out)), "declined_by");
  request.set_declined_by(v1::DECLINED_BY_PERSON);
  request.set_reason_code("160932005");
  ExpectInvalidField(Checked(lw_->DeclineReferral(Context().get(), request, &out)), "reason_code");
  request.set_declined_by(v1::DECLINED_BY_LINK_WORKER);
  request.clear_reason_code();
  ExpectInvalidField(Checked(lw_->DeclineReferral(Context().get(), request, &out)), "reason_code");

  request.set_declined_by(v1::DECLINED_BY_PERSON);
  request.set_reason("does not want support just now");
  ASSERT_TRUE(Checked(lw_->DeclineReferral(Context().get(), request, &out)).ok());
  EXPECT_EQ(out.state(), v1::REFERRAL_STATE_DECLINED);
  EXPECT_EQ(out.decline().declined_by(), v1::DECLINED_BY_PERSON);
  EXPECT_EQ(out.decline().code().code(), kDeclined);
  EXPECT_TRUE(out.has_end_time());
  ExpectRefusal(Checked(lw_->DeclineReferral(Context().get(), request, &out)),
                grpc::StatusCode::FAILED_PRECONDITION);
}

// ReturnToTriage: "Sends a referral back to its sub-ICB triage queue";
// reason "Required".
TEST_F(QueueServiceContractTest, ReturnToTriageNeedsAReasonAndMovesTheReferral) {
  const v1::Referral referral = Submit();
  v1::ReturnToTriageRequest request;
  request.set_name(referral.name());
  v1::Referral out;
  ExpectInvalidField(Checked(lw_->ReturnToTriage(Context().get(), request, &out)), "reason");
  request.set_reason(std::string(501, 'x'));
  ExpectInvalidField(Checked(lw_->ReturnToTriage(Context().get(), request, &out)), "reason");
  request.set_reason("lives outside this PCN's area now");
  ExpectRefusal(Checked(other_lw_->ReturnToTriage(Context().get(), request, &out)),
                grpc::StatusCode::NOT_FOUND);
  ASSERT_TRUE(Checked(lw_->ReturnToTriage(Context().get(), request, &out)).ok());
  EXPECT_EQ(out.state(), v1::REFERRAL_STATE_RETURNED_TO_TRIAGE);
  std::set<std::string> triaged;
  for (const v1::QueueItem& i : ListAll("triageQueues/Z1W0A")) triaged.insert(i.referral());
  EXPECT_TRUE(triaged.count(referral.name()));
  std::set<std::string> on_pcn;
  for (const v1::QueueItem& i : ListAll(kPcn)) on_pcn.insert(i.referral());
  EXPECT_FALSE(on_pcn.count(referral.name()));
}

// ReassignReferral: "Moves a referral to another link worker in the same
// PCN"; another PCN is for administrators only, with a reason.
TEST_F(QueueServiceContractTest, ReassignMovesWithinThePcn) {
  const v1::Referral referral = Submit();
  v1::ReassignReferralRequest request;
  request.set_name(referral.name());
  v1::Referral out;
  request.set_link_worker("not-a-link-worker");
  ExpectInvalidField(Checked(lw_->ReassignReferral(Context().get(), request, &out)), "link_worker");
  request.set_link_worker("pcns/U99002/linkWorkers/lw-u99002-01");
  ExpectRefusal(Checked(lw_->ReassignReferral(Context().get(), request, &out)),
                grpc::StatusCode::PERMISSION_DENIED);
  ExpectInvalidField(Checked(admin_->ReassignReferral(Context().get(), request, &out)), "reason");

  request.set_link_worker(kColleague);
  ASSERT_TRUE(Checked(lw_->ReassignReferral(Context().get(), request, &out)).ok());
  EXPECT_EQ(out.route().link_worker(), kColleague);
  EXPECT_EQ(out.route().pcn(), kPcn);
  EXPECT_TRUE(absl::StartsWith(ItemOf(referral.name()).queue(), kColleague));
}

// RecordContact: idempotent on request_id (AIP-155); the contact is numbered
// and names its link worker; the referral is IN_PROGRESS.
TEST_F(QueueServiceContractTest, RecordContactIsNumberedAndIdempotent) {
  const v1::Referral referral = Accepted();
  ASSERT_FALSE(referral.name().empty());
  v1::Contact first;
  ASSERT_TRUE(Contact(referral.name(), "contact-1", &first).ok());
  EXPECT_TRUE(absl::StartsWith(first.name(), referral.name() + "/contacts/")) << first.name();
  EXPECT_EQ(first.number(), 1);
  EXPECT_EQ(first.link_worker(), kMe);
  v1::Contact replay;
  ASSERT_TRUE(Contact(referral.name(), "contact-1", &replay).ok());
  EXPECT_EQ(replay.name(), first.name()) << "a retry recorded a second contact";
  v1::Contact second;
  ASSERT_TRUE(Contact(referral.name(), "contact-2", &second).ok());
  EXPECT_EQ(second.number(), 2);

  v1::RecordContactRequest empty;
  empty.set_parent(referral.name());
  empty.set_request_id("contact-3");
  v1::Contact out;
  ExpectInvalidField(Checked(lw_->RecordContact(Context().get(), empty, &out)), "contact");
  ExpectRefusal(Checked(admin_->RecordContact(Context().get(), empty, &out)),
                grpc::StatusCode::PERMISSION_DENIED);

  v1::GetReferralRequest get;
  get.set_name(referral.name());
  v1::Referral now;
  ASSERT_TRUE(Checked(gp_->GetReferral(Context().get(), get, &now)).ok());
  EXPECT_EQ(now.state(), v1::REFERRAL_STATE_IN_PROGRESS);
  EXPECT_EQ(now.contact_count(), 2);
}

// CloseReferral: "Closes a referral with a coded outcome: at least one
// active concept".
TEST_F(QueueServiceContractTest, CloseNeedsACodedOutcome) {
  const v1::Referral referral = Accepted();
  v1::CloseReferralRequest request;
  request.set_name(referral.name());
  v1::Referral out;
  ExpectInvalidField(Checked(lw_->CloseReferral(Context().get(), request, &out)), "outcome.codes");
  request.mutable_outcome()->add_codes()->set_code(kNotLonely);
  request.mutable_wellbeing()->mutable_ons4()->set_anxiety(11);
  const testing::Refusal scores =
      ExpectRefusal(Checked(lw_->CloseReferral(Context().get(), request, &out)),
                    grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(scores.message(), HasSubstr("wellbeing.ons4"));
  request.clear_wellbeing();
  ASSERT_TRUE(Checked(lw_->CloseReferral(Context().get(), request, &out)).ok());
  EXPECT_EQ(out.state(), v1::REFERRAL_STATE_CLOSED);
  EXPECT_EQ(out.outcome().codes(0).code(), kNotLonely);
  EXPECT_FALSE(out.outcome().codes(0).display().empty());
  EXPECT_TRUE(out.has_end_time());
  ExpectRefusal(Checked(lw_->CloseReferral(Context().get(), request, &out)),
                grpc::StatusCode::FAILED_PRECONDITION);
}

// GetCaseload: "A link worker's caseload against capacity": open caseload
// (accepted, not closed) and waiting counted apart.
TEST_F(QueueServiceContractTest, CaseloadCountsOpenAndWaitingApart) {
  const std::string name = absl::StrCat(kMe, "/caseload");
  v1::GetCaseloadRequest request;
  request.set_name(name);
  v1::Caseload before;
  ASSERT_TRUE(Checked(lw_->GetCaseload(Context().get(), request, &before)).ok());
  EXPECT_EQ(before.name(), name);
  EXPECT_GT(before.annual_cap(), 0);
  EXPECT_GT(before.open_cap(), 0);

  const v1::Referral accepted = Accepted();
  v1::Caseload after;
  ASSERT_TRUE(Checked(lw_->GetCaseload(Context().get(), request, &after)).ok());
  EXPECT_EQ(after.open_caseload(), before.open_caseload() + 1);
  EXPECT_EQ(after.accepted_this_year(), before.accepted_this_year() + 1);
  EXPECT_THAT(after.open_referrals(), Contains(accepted.name()));
  EXPECT_EQ(after.open_referrals_size(), after.open_caseload());
  EXPECT_EQ(after.entries_size(), after.open_caseload());

  v1::Caseload out;
  // Another PCN's link worker is told what it would be told of no one.
  ExpectRefusal(Checked(other_lw_->GetCaseload(Context().get(), request, &out)),
                grpc::StatusCode::NOT_FOUND);
  request.set_name(kMe);
  ExpectInvalidField(Checked(lw_->GetCaseload(Context().get(), request, &out)), "name");
}

// ResolveCodingReview: the reason must be flagged NEEDS_REVIEW and the
// concept must satisfy the reason binding; afterwards it is REVIEWED.
TEST_F(QueueServiceContractTest, ResolveCodingReviewChoosesABoundConcept) {
  v1::Referral referral = testing::GpReferral(TestNhsNumber(NextPerson()));
  referral.clear_reasons();
  referral.add_reasons()->set_free_text("zzqx nothing matches this");
  const v1::Referral flagged = Submit(referral);
  ASSERT_TRUE(flagged.needs_coding_review());

  v1::ResolveCodingReviewRequest request;
  request.set_name(flagged.name());
  request.set_reason_index(0);
  request.set_code("900000000000003001");  // a metadata concept: outside the binding
  v1::Referral out;
  ExpectInvalidField(Checked(lw_->ResolveCodingReview(Context().get(), request, &out)), "code");
  request.set_reason_index(5);
  request.set_code("267076002");
  ExpectInvalidField(Checked(lw_->ResolveCodingReview(Context().get(), request, &out)),
                     "reason_index");
  request.set_reason_index(0);
  ASSERT_TRUE(Checked(lw_->ResolveCodingReview(Context().get(), request, &out)).ok());
  EXPECT_FALSE(out.needs_coding_review());
  EXPECT_EQ(out.coded_reasons(0).method(), v1::CODING_METHOD_REVIEWED);
  EXPECT_EQ(out.coded_reasons(0).concept().code(), "267076002");
  EXPECT_THAT(out.coded_reasons(0).reviewed_by(), HasSubstr("lw-u99001-01"));
  ExpectRefusal(Checked(lw_->ResolveCodingReview(Context().get(), request, &out)),
                grpc::StatusCode::FAILED_PRECONDITION);
}

}  // namespace
}  // namespace sprout
