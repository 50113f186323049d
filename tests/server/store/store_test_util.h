// Test helpers for the Store suites: temporary directories and synthetic
// submissions. Submissions carry no patient data: ids, codes and org codes only.
#ifndef SPROUT_TESTS_SERVER_STORE_STORE_TEST_UTIL_H_
#define SPROUT_TESTS_SERVER_STORE_STORE_TEST_UTIL_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "server/store/body_cipher.h"
#include "server/store/store.h"

namespace sprout::store::testing {

// SNOMED CT reason concepts from DOMAIN.md.
inline constexpr uint64_t kFeelingLonely = 267076002;
inline constexpr uint64_t kSocialIsolation = 422650009;
inline constexpr uint64_t kHousingProblems = 81877007;

// The body cipher test stores seal with: one fixed key "t1", so a store
// reopened in the same test (or by another helper) opens what it sealed.
std::shared_ptr<BodyCipher> TestBodyCipher();

// A cipher whose ring is `key_file_text` (DataKeyRing::Parse syntax), for
// rotation tests. Aborts the test binary on a malformed ring.
std::shared_ptr<BodyCipher> BodyCipherWithKeys(const std::string& key_file_text);

// A fresh directory under $TEST_TMPDIR or /tmp, removed with its contents
// when destroyed.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// What varies between test submissions; everything else is fixed. Built
// fluently: Spec("r1").PersonKey("pk-1").Priority(2).
struct SubmissionSpec {
  explicit SubmissionSpec(std::string referral_id) : id(std::move(referral_id)) {}

  SubmissionSpec& Organisation(std::string v) {
    organisation = std::move(v);
    return *this;
  }
  SubmissionSpec& PersonKey(std::string v) {
    person_key = std::move(v);
    return *this;
  }
  SubmissionSpec& Queue(std::string v) {
    queue = std::move(v);
    return *this;
  }
  SubmissionSpec& Priority(int v) {
    priority = v;
    return *this;
  }
  SubmissionSpec& State(int v) {
    state = v;
    return *this;
  }
  SubmissionSpec& Time(absl::Time v) {
    time = v;
    return *this;
  }
  SubmissionSpec& Reasons(std::vector<uint64_t> v) {
    reasons = std::move(v);
    return *this;
  }
  SubmissionSpec& SourceType(int v) {
    source_type = v;
    return *this;
  }
  SubmissionSpec& Outcome(int v) {
    outcome = v;
    return *this;
  }
  SubmissionSpec& Rule(std::string v) {
    rule = std::move(v);
    return *this;
  }
  SubmissionSpec& PracticeCode(std::string v) {
    practice_code = std::move(v);
    return *this;
  }
  SubmissionSpec& RequestHash(std::string v) {
    request_hash = std::move(v);
    return *this;
  }

  std::string id;                                       // referral id; other ids derive from it
  std::string organisation = "A81001";                  // submitting organisation
  std::string person_key;                               // empty: no episode linking
  std::string queue = "pcns/U12345/linkWorkers/lw-1";   // queue item's queue
  int priority = 1;                                     // sprout::v1::Priority (ROUTINE)
  int state = 2;                                        // sprout::v1::ReferralState (QUEUED)
  absl::Time time = absl::FromUnixSeconds(1767225600);  // 2026-01-01T00:00:00Z
  std::vector<uint64_t> reasons = {kFeelingLonely};
  int source_type = 1;  // sprout::v1::SourceType (GP practice)
  int outcome = 1;      // sprout::v1::RoutingOutcome (link worker)
  std::string rule;
  std::string practice_code = "A81001";
  std::string request_hash;  // default: derived from id
};

inline SubmissionSpec Spec(std::string referral_id) {
  return SubmissionSpec(std::move(referral_id));
}

// A complete submission: referral "referrals/{id}", decision
// "routingDecisions/d-{id}", queue item "queueItems/q-{id}", proposed episode
// "episodes/e-{id}", request_id "req-{id}".
Submission MakeSubmission(const SubmissionSpec& spec);

// An audit event with the given action and resource.
AuditEvent MakeAudit(const std::string& action, const std::string& resource, absl::Time time);

}  // namespace sprout::store::testing

#endif  // SPROUT_TESTS_SERVER_STORE_STORE_TEST_UTIL_H_
