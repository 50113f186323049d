// File: bench/store/bench_submission.cc
#include "bench/store/bench_submission.h"

#include <cstdint>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace sprout::store {

google::protobuf::Timestamp BenchNow() {
  google::protobuf::Timestamp t;
  const int64_t us = absl::ToUnixMicros(absl::Now());
  t.set_seconds(us / 1000000);
  t.set_nanos(static_cast<int32_t>(us % 1000000) * 1000);
  return t;
}

Submission MakeBenchSubmission(const std::string& id) {
  Submission s;
  s.request_id = "req-" + id;
  s.request_hash = std::string(64, 'a');
  s.organisation_code = "A81001";
  s.person_key = std::string(60, 'k') + id;
  sprout::v1::Referral& r = s.referral;
  r.set_name("referrals/" + id);
  r.set_state(sprout::v1::REFERRAL_STATE_QUEUED);
  r.set_priority(sprout::v1::PRIORITY_ROUTINE);
  r.mutable_referrer()->set_source_type(sprout::v1::SOURCE_TYPE_GP_PRACTICE);
  r.mutable_referrer()->set_organisation_code("A81001");
  *r.mutable_create_time() = BenchNow();
  r.set_what_matters_to_me(std::string(600, 'w'));
  r.mutable_supporting_information()->set_notes(std::string(500, 'n'));
  r.set_episode("episodes/e-" + id);
  r.mutable_route()->set_pcn("pcns/U12345");
  r.mutable_route()->set_link_worker("pcns/U12345/linkWorkers/lw-1");
  r.add_coded_reasons()->mutable_concept()->set_code("267076002");
  s.decision.set_name("routingDecisions/d-" + id);
  s.decision.set_referral(r.name());
  *s.decision.mutable_decide_time() = r.create_time();
  *s.decision.mutable_route() = r.route();
  s.decision.set_outcome(sprout::v1::ROUTING_OUTCOME_LINK_WORKER);
  s.decision.add_reasons()->set_code("267076002");
  s.decision.mutable_explanation()->set_summary(std::string(120, 'e'));
  s.queue_item.set_name("queueItems/q-" + id);
  s.queue_item.set_referral(r.name());
  s.queue_item.set_queue(r.route().link_worker());
  s.queue_item.set_priority(r.priority());
  s.queue_item.set_state(sprout::v1::QUEUE_ITEM_STATE_WAITING);
  s.audit.actor_organisation = "A81001";
  s.audit.actor_role = "referrer";
  s.audit.action = "SubmitReferral";
  s.audit.resource = r.name();
  s.audit.outcome = "OK";
  s.audit.time = absl::Now();
  return s;
}

}  // namespace sprout::store
