// File: server/audit/audit_anchor_keeper.h
//
// Keeps the audit anchor file (audit_anchor.h) up with the trail: a thread
// that rewrites it once the chain has grown by `every_records` records, or
// after `max_age` with any growth, and a last time at Stop(). It only moves
// the anchor forward, and only while the stored chain still holds the anchored
// record with the anchored hash: a trail cut short or rewritten freezes the
// anchor (logged once) so the evidence is kept for VerifyAuditLog.
#ifndef SPROUT_SERVER_AUDIT_AUDIT_ANCHOR_KEEPER_H_
#define SPROUT_SERVER_AUDIT_AUDIT_ANCHOR_KEEPER_H_

#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/audit/audit_anchor.h"
#include "server/common/keyed_hash.h"
#include "server/store/store.h"

namespace sprout::audit {

class AuditAnchorKeeper {
 public:
  struct Options {
    std::string path;                            // the anchor file
    int64_t every_records = 100;                 // rewrite after this much growth
    absl::Duration max_age = absl::Seconds(30);  // or this long after any growth
    absl::Duration poll = absl::Seconds(1);      // how often the head is read
  };

  // Reads the anchor file (DATA_LOSS if it does not verify: start-up stops),
  // checks it against the stored chain (a trail that does not reach it is
  // logged as an error and freezes the anchor), and starts the thread.
  // REQUIRES: `store` and `key` outlive the keeper.
  static absl::StatusOr<std::unique_ptr<AuditAnchorKeeper>> Start(store::Store* store,
                                                                  const KeyedHasher* key,
                                                                  Options options);
  ~AuditAnchorKeeper();

  // Writes the anchor for the chain as it is now (unless frozen) and stops
  // the thread. Call after the last audit record is committed. Idempotent.
  void Stop();

 private:
  AuditAnchorKeeper(store::Store* store, const KeyedHasher* key, Options options,
                    std::optional<AuditAnchor> anchor);
  void Run();
  // Moves the anchor to the chain head when due (or `now_anyway`).
  void Advance(bool now_anyway) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  store::Store* const store_;
  const KeyedHasher* const key_;
  const Options options_;
  absl::Mutex mu_;
  std::optional<AuditAnchor> anchor_ ABSL_GUARDED_BY(mu_);
  absl::Time written_ ABSL_GUARDED_BY(mu_);
  bool frozen_ ABSL_GUARDED_BY(mu_) = false;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace sprout::audit

#endif  // SPROUT_SERVER_AUDIT_AUDIT_ANCHOR_KEEPER_H_
