// ReferralService contract, the read side: GetReferral, ListReferrals,
// WithdrawReferral and WatchReferral. Referrers see only their own
// organisation's referrals; a referral the caller may not read is
// answered exactly as one that does not exist.
#include "tests/contract/referral_service_contract.h"

namespace sprout::referral_contract {
namespace {

// GetReferral: "Gets one referral the caller's organisation sent." A
// referral another organisation sent, and one that does not exist, get the
// same NOT_FOUND; a malformed name is INVALID_ARGUMENT naming it.
TEST_F(ReferralServiceContractTest, GetAnswersOnlyTheCallersOwnReferrals) {
  const v1::Referral stored = SubmitGp();
  ASSERT_FALSE(stored.name().empty());

  v1::Referral out;
  const testing::Refusal others =
      ExpectRefusal(Get(*police_, stored.name(), &out), grpc::StatusCode::NOT_FOUND);
  const std::string absent = "referrals/00000000000000000000000000";
  const testing::Refusal missing =
      ExpectRefusal(Get(*police_, absent, &out), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(ReasonOf(others), ReasonOf(missing));
  EXPECT_EQ(absl::StrReplaceAll(others.message(), {{stored.name(), "NAME"}}),
            absl::StrReplaceAll(missing.message(), {{absent, "NAME"}}))
      << "the answer tells the caller the referral exists";
  EXPECT_FALSE(out.has_patient());

  ExpectInvalidField(Get(*gp_, "queueItems/abc", &out), "name");
  ExpectInvalidField(Get(*gp_, "", &out), "name");
  // Only administrators make break-glass reads.
  ExpectInvalidField(Get(*gp_, stored.name(), &out, "safeguarding review, ticket 4411"),
                     "break_glass_reason");
}

// GetReferralRequest.break_glass_reason: "Administrators are shown referrals
// pseudonymised ...: no NHS number, name, address, contact details or free
// text. A break-glass read returns the full record; it needs the reason it
// is made (10 to 500 characters)".
TEST_F(ReferralServiceContractTest, AdministratorsReadPseudonymisedUnlessTheyBreakGlass) {
  const v1::Referral stored = SubmitGp();
  ASSERT_FALSE(stored.name().empty());

  v1::Referral pseudonymised;
  ASSERT_TRUE(Get(*admin_, stored.name(), &pseudonymised).ok());
  EXPECT_TRUE(pseudonymised.pseudonymised());
  EXPECT_EQ(pseudonymised.patient().nhs_number(), "");
  EXPECT_EQ(pseudonymised.patient().given_name(), "");
  EXPECT_EQ(pseudonymised.patient().family_name(), "");
  EXPECT_THAT(pseudonymised.patient().address().lines(), IsEmpty());
  EXPECT_EQ(pseudonymised.patient().contact().phone(), "");
  EXPECT_EQ(pseudonymised.what_matters_to_me(), "");
  EXPECT_EQ(pseudonymised.coded_reasons_size(), stored.coded_reasons_size()) << "codes stay";
  EXPECT_EQ(pseudonymised.state(), stored.state());

  v1::Referral full;
  ASSERT_TRUE(
      Get(*admin_, stored.name(), &full, "safeguarding review requested, ticket 4411").ok());
  EXPECT_FALSE(full.pseudonymised());
  EXPECT_EQ(full.patient().nhs_number(), stored.patient().nhs_number());
  EXPECT_EQ(full.what_matters_to_me(), stored.what_matters_to_me());

  ExpectInvalidField(Get(*admin_, stored.name(), &full, "too short"), "break_glass_reason");
  ExpectInvalidField(Get(*admin_, stored.name(), &full, std::string(501, 'x')),
                     "break_glass_reason");
}

// ListReferrals: "Lists the caller's organisation's referrals, newest
// first", in pages (AIP-158).
TEST_F(ReferralServiceContractTest, ListPagesThroughTheCallersReferralsNewestFirst) {
  for (int i = 0; i < 5; ++i) ASSERT_FALSE(SubmitGp().name().empty());
  testing::ExpectPagingContract(
      [&](int size, const std::string& token, ListedPage* page) {
        v1::ListReferralsResponse response;
        const grpc::Status status = List(*gp_, "", size, token, &response);
        for (const v1::Referral& r : response.referrals()) page->names.push_back(r.name());
        page->next_page_token = response.next_page_token();
        return status;
      },
      2, 500, 5);

  const std::vector<v1::Referral> all = ListAll(*gp_, "");
  for (size_t i = 1; i < all.size(); ++i) {
    EXPECT_GE(google::protobuf::util::TimeUtil::TimestampToNanoseconds(all[i - 1].create_time()),
              google::protobuf::util::TimeUtil::TimestampToNanoseconds(all[i].create_time()))
        << "not newest first at " << i;
  }
  for (const v1::Referral& r : all) {
    EXPECT_EQ(r.referrer().organisation_code(), "Y99001");
    EXPECT_TRUE(r.route().link_worker().empty()) << "a referrer is not told the link worker";
  }
  // Another organisation lists none of them.
  for (const v1::Referral& r : ListAll(*police_, "")) {
    EXPECT_EQ(r.referrer().organisation_code(), "police:WYP");
  }
  // An administrator lists every organisation's, pseudonymised.
  const std::vector<v1::Referral> everyone = ListAll(*admin_, "");
  EXPECT_GE(everyone.size(), all.size());
  for (const v1::Referral& r : everyone) {
    EXPECT_TRUE(r.pseudonymised());
    EXPECT_EQ(r.patient().nhs_number(), "");
  }
}

// ListReferralsRequest.filter: "AIP-160 filter: comparisons joined by AND
// over state, priority, source_type, needs_coding_review (or needs_review)
// ... and create_time ... Enum values with or without their prefix."
TEST_F(ReferralServiceContractTest, ListFiltersByStatePriorityTimeAndReview) {
  const absl::Time start = absl::Now() - absl::Seconds(1);
  const v1::Referral queued = SubmitGp();
  const v1::Referral withdrawn = SubmitGp();
  v1::Referral out;
  ASSERT_TRUE(Withdraw(*gp_, withdrawn.name(), "", "sent in error", &out).ok());
  v1::Referral free_text = testing::GpReferral(TestNhsNumber(NextPerson()));
  free_text.clear_reasons();
  free_text.add_reasons()->set_free_text("zzqx nothing matches this");
  const v1::Referral review = SubmitOk(*gp_, free_text);
  ASSERT_TRUE(review.needs_coding_review());

  const std::set<std::string> queued_names = NamesListed(*gp_, "state = QUEUED");
  EXPECT_TRUE(queued_names.count(queued.name()));
  EXPECT_FALSE(queued_names.count(withdrawn.name()));
  EXPECT_EQ(NamesListed(*gp_, "state = REFERRAL_STATE_QUEUED"), queued_names);
  for (const v1::Referral& r : ListAll(*gp_, "state = QUEUED")) {
    EXPECT_EQ(r.state(), v1::REFERRAL_STATE_QUEUED);
  }
  const std::set<std::string> not_queued = NamesListed(*gp_, "state != QUEUED");
  EXPECT_TRUE(not_queued.count(withdrawn.name()));
  EXPECT_FALSE(not_queued.count(queued.name()));

  const std::set<std::string> needing_review = NamesListed(*gp_, "needs_review = true");
  EXPECT_TRUE(needing_review.count(review.name()));
  EXPECT_FALSE(needing_review.count(queued.name()));
  EXPECT_EQ(NamesListed(*gp_, "needs_coding_review = true"), needing_review);

  for (const v1::Referral& r : ListAll(*hospital_, "priority = URGENT")) {
    EXPECT_EQ(r.priority(), v1::PRIORITY_URGENT);
  }
  EXPECT_THAT(NamesListed(*gp_, "source_type = POLICE"), IsEmpty());
  EXPECT_TRUE(NamesListed(*gp_, "source_type = GP_PRACTICE").count(queued.name()));

  const std::string since = absl::StrCat(
      "create_time >= \"", absl::FormatTime(absl::RFC3339_full, start, absl::UTCTimeZone()),
      "\" AND state = QUEUED");
  const std::set<std::string> recent = NamesListed(*gp_, since);
  EXPECT_TRUE(recent.count(queued.name()));
  EXPECT_TRUE(recent.count(review.name()));
  EXPECT_FALSE(recent.count(withdrawn.name()));
  EXPECT_THAT(NamesListed(*gp_, "create_time < \"2000-01-01T00:00:00Z\""), IsEmpty());
}

// ListReferralsRequest.filter: "A bad filter is INVALID_ARGUMENT naming the
// column." A page token belongs to the filter it was issued for.
TEST_F(ReferralServiceContractTest, ListRefusesABadFilterAndAForeignPageToken) {
  v1::ListReferralsResponse response;
  const testing::Refusal unknown =
      ExpectInvalidField(List(*gp_, "colour = RED", 50, "", &response), "filter");
  EXPECT_THAT(unknown.message(), HasSubstr("colour"));
  ExpectInvalidField(List(*gp_, "state = NOT_A_STATE", 50, "", &response), "filter");
  ExpectInvalidField(List(*gp_, "state QUEUED", 50, "", &response), "filter");
  ExpectInvalidField(List(*gp_, "create_time >= \"yesterday\"", 50, "", &response), "filter");

  for (int i = 0; i < 3; ++i) ASSERT_FALSE(SubmitGp().name().empty());
  v1::ListReferralsResponse first;
  ASSERT_TRUE(List(*gp_, "state = QUEUED", 1, "", &first).ok());
  ASSERT_FALSE(first.next_page_token().empty());
  v1::ListReferralsResponse mixed;
  const testing::Refusal foreign =
      ExpectRefusal(List(*gp_, "priority = URGENT", 1, first.next_page_token(), &mixed),
                    grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(foreign.message(), HasSubstr("page_token"));
  EXPECT_THAT(mixed.referrals(), IsEmpty());
}

// ListReferrals is for referrers and administrators.
TEST_F(ReferralServiceContractTest, ListIsNotForLinkWorkers) {
  v1::ListReferralsResponse response;
  ExpectRefusal(List(*lw_, "", 10, "", &response), grpc::StatusCode::PERMISSION_DENIED);
}

// WithdrawReferral: "Withdraws a referral that has not been accepted yet";
// etag "If set, must match the current etag (ABORTED otherwise)"; reason
// "at most 500 characters".
TEST_F(ReferralServiceContractTest, WithdrawEndsAReferralNotYetAccepted) {
  const v1::Referral stored = SubmitGp();
  ASSERT_FALSE(stored.name().empty());
  v1::Referral out;
  ExpectInvalidField(Withdraw(*gp_, stored.name(), "", std::string(501, 'x'), &out), "reason");
  const testing::Refusal stale =
      ExpectRefusal(Withdraw(*gp_, stored.name(), "\"not-the-etag\"", "sent in error", &out),
                    grpc::StatusCode::ABORTED);
  EXPECT_EQ(ReasonOf(stale), "ETAG_MISMATCH");
  ExpectRefusal(Withdraw(*police_, stored.name(), "", "not ours", &out),
                grpc::StatusCode::NOT_FOUND);

  v1::Referral withdrawn;
  ASSERT_TRUE(Withdraw(*gp_, stored.name(), stored.etag(), "sent in error", &withdrawn).ok());
  EXPECT_EQ(withdrawn.name(), stored.name());
  EXPECT_EQ(withdrawn.state(), v1::REFERRAL_STATE_WITHDRAWN);
  EXPECT_TRUE(withdrawn.has_end_time());
  EXPECT_NE(withdrawn.etag(), stored.etag()) << "a change makes a new etag";
  EXPECT_TRUE(withdrawn.route().link_worker().empty());

  // A referral that has ended cannot be withdrawn again.
  ExpectRefusal(Withdraw(*gp_, stored.name(), "", "again", &out),
                grpc::StatusCode::FAILED_PRECONDITION);
  v1::Referral got;
  ASSERT_TRUE(Get(*gp_, stored.name(), &got).ok());
  EXPECT_EQ(got.state(), v1::REFERRAL_STATE_WITHDRAWN);
}

// WatchReferral: "the current state first, then each change"; events carry
// an increasing sequence to resume after; another organisation's referral is
// NOT_FOUND; after_sequence must not be negative.
TEST_F(ReferralServiceContractTest, WatchStreamsTheHistoryAndResumes) {
  const v1::Referral stored = SubmitGp();
  ASSERT_FALSE(stored.name().empty());
  v1::Referral out;
  ASSERT_TRUE(Withdraw(*gp_, stored.name(), "", "sent in error", &out).ok());

  const std::vector<v1::ReferralEvent> events = WatchEvents(*gp_, stored.name(), 0, 2);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].referral(), stored.name());
  EXPECT_EQ(events[0].state(), v1::REFERRAL_STATE_QUEUED);
  EXPECT_EQ(events[0].action(), "SubmitReferral");
  EXPECT_TRUE(events[0].has_event_time());
  EXPECT_EQ(events[1].state(), v1::REFERRAL_STATE_WITHDRAWN);
  EXPECT_EQ(events[1].action(), "WithdrawReferral");
  EXPECT_GT(events[0].sequence(), 0);
  EXPECT_GT(events[1].sequence(), events[0].sequence());

  const std::vector<v1::ReferralEvent> resumed =
      WatchEvents(*gp_, stored.name(), events[0].sequence(), 1);
  ASSERT_EQ(resumed.size(), 1u);
  EXPECT_EQ(resumed[0].sequence(), events[1].sequence());

  grpc::Status refused;
  EXPECT_THAT(WatchEvents(*police_, stored.name(), 0, 1, &refused), IsEmpty());
  ExpectRefusal(refused, grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(WatchEvents(*gp_, stored.name(), -1, 1, &refused), IsEmpty());
  ExpectInvalidField(refused, "after_sequence");
  EXPECT_THAT(WatchEvents(*gp_, "referrals/", 0, 1, &refused), IsEmpty());
  ExpectInvalidField(refused, "name");
}

}  // namespace
}  // namespace sprout::referral_contract
