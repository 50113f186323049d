// File: bench/store/bench_submission.h
//
// The submission every store benchmark writes, so that figures for SQLite and
// PostgreSQL measure the same rows and bytes.
#ifndef SPROUT_BENCH_STORE_BENCH_SUBMISSION_H_
#define SPROUT_BENCH_STORE_BENCH_SUBMISSION_H_

#include <string>

#include "google/protobuf/timestamp.pb.h"
#include "server/store/store.h"

namespace sprout::store {

// The current time as a protobuf Timestamp, microsecond precision.
google::protobuf::Timestamp BenchNow();

// A referral-shaped submission of about 1.5 KB, with synthetic filler text
// (no patient data): referral, episode, decision, reason, queue item and audit
// event, all named after `id`.
Submission MakeBenchSubmission(const std::string& id);

}  // namespace sprout::store

#endif  // SPROUT_BENCH_STORE_BENCH_SUBMISSION_H_
