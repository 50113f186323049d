#include "tests/server/store/store_test_util.h"

#include <stdlib.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "server/store/data_keys.h"

namespace sprout::store::testing {
namespace {

google::protobuf::Timestamp ToProto(absl::Time t) {
  return google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(t));
}

}  // namespace

std::shared_ptr<BodyCipher> TestBodyCipher() {
  return BodyCipherWithKeys(
      "t1 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n");
}

std::shared_ptr<BodyCipher> BodyCipherWithKeys(const std::string& key_file_text) {
  absl::StatusOr<DataKeyRing> keys = DataKeyRing::Parse(key_file_text);
  if (!keys.ok()) {
    std::fprintf(stderr, "test key ring: %s\n", std::string(keys.status().message()).c_str());
    std::abort();
  }
  return std::make_shared<BodyCipher>(*std::move(keys));
}

TempDir::TempDir() {
  const char* base = std::getenv("TEST_TMPDIR");
  std::string pattern = absl::StrCat(base != nullptr ? base : "/tmp", "/sprout-store-XXXXXX");
  if (::mkdtemp(pattern.data()) == nullptr) std::abort();
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

Submission MakeSubmission(const SubmissionSpec& spec) {
  Submission s;
  s.request_id = absl::StrCat("req-", spec.id);
  s.request_hash = spec.request_hash.empty() ? absl::StrCat("hash-", spec.id) : spec.request_hash;
  s.organisation_code = spec.organisation;
  s.person_key = spec.person_key;

  const std::string pcn = "pcns/U12345";
  sprout::v1::Referral& r = s.referral;
  r.set_name(absl::StrCat("referrals/", spec.id));
  r.set_etag(absl::StrCat("\"", spec.id, "-1\""));
  r.set_state(static_cast<sprout::v1::ReferralState>(spec.state));
  r.set_priority(static_cast<sprout::v1::Priority>(spec.priority));
  r.mutable_referrer()->set_source_type(static_cast<sprout::v1::SourceType>(spec.source_type));
  r.mutable_referrer()->set_organisation_code(spec.organisation);
  *r.mutable_create_time() = ToProto(spec.time);
  *r.mutable_update_time() = ToProto(spec.time);
  r.set_episode(absl::StrCat("episodes/e-", spec.id));
  r.mutable_route()->set_pcn(pcn);
  const bool link_worker_queue = spec.queue.find("/linkWorkers/") != std::string::npos;
  if (link_worker_queue) r.mutable_route()->set_link_worker(spec.queue);
  r.mutable_route()->set_rule(spec.rule);
  r.mutable_route()->set_decision(absl::StrCat("routingDecisions/d-", spec.id));
  for (uint64_t reason : spec.reasons) {
    r.add_coded_reasons()->mutable_concept()->set_code(absl::StrCat(reason));
  }

  sprout::v1::RoutingDecision& d = s.decision;
  d.set_name(absl::StrCat("routingDecisions/d-", spec.id));
  d.set_referral(r.name());
  *d.mutable_decide_time() = ToProto(spec.time);
  *d.mutable_route() = r.route();
  d.set_outcome(static_cast<sprout::v1::RoutingOutcome>(spec.outcome));
  d.set_source_type(static_cast<sprout::v1::SourceType>(spec.source_type));
  d.set_practice_code(spec.practice_code);
  d.set_priority(r.priority());
  for (uint64_t reason : spec.reasons) d.add_reasons()->set_code(absl::StrCat(reason));

  sprout::v1::QueueItem& q = s.queue_item;
  q.set_name(absl::StrCat("queueItems/q-", spec.id));
  q.set_etag(absl::StrCat("\"q-", spec.id, "-1\""));
  q.set_referral(r.name());
  q.set_queue(spec.queue);
  q.set_priority(r.priority());
  q.set_state(sprout::v1::QUEUE_ITEM_STATE_WAITING);
  *q.mutable_enqueue_time() = ToProto(spec.time);
  q.set_source_type(r.referrer().source_type());

  s.audit = MakeAudit("SubmitReferral", r.name(), spec.time);
  return s;
}

AuditEvent MakeAudit(const std::string& action, const std::string& resource, absl::Time time) {
  AuditEvent e;
  e.actor_organisation = "A81001";
  e.actor_role = "referrer";
  e.action = action;
  e.resource = resource;
  e.outcome = "OK";
  e.time = time;
  return e;
}

}  // namespace sprout::store::testing
