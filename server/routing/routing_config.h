// File: server/routing/routing_config.h
//
// The routing configuration in force: a directory and a router whose policy
// was validated against that directory. The two are only ever replaced
// together, so no decision can pair a new policy with an old directory.
//
//   SPROUT_ASSIGN_OR_RETURN(auto config, MakeRoutingConfig(directory, policy));
//   RoutingConfigHolder holder(config);
//   std::shared_ptr<const RoutingConfig> in_force = holder.Get();  // once per request
//   in_force->router->Route(request, caseload);
//   holder.Replace(next_config);  // on reload; `in_force` is unaffected
#ifndef SPROUT_SERVER_ROUTING_ROUTING_CONFIG_H_
#define SPROUT_SERVER_ROUTING_ROUTING_CONFIG_H_

#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "server/routing/directory.h"
#include "server/routing/router.h"
#include "server/routing/routing_policy.h"

namespace sprout::routing {

// Immutable once made; share it as std::shared_ptr<const RoutingConfig>.
struct RoutingConfig {
  std::shared_ptr<const Directory> directory;
  std::shared_ptr<const RoutingPolicy> policy;
  // Routes with `directory` and `policy` only (Router::CreateForDirectory).
  std::shared_ptr<const Router> router;
};

// MakeRoutingConfig()
//
// Checks `policy` against `directory` (RoutingPolicy::ValidateAgainst:
// INVALID_ARGUMENT naming the rule and position) and binds a router to them.
// INVALID_ARGUMENT if either is null.
absl::StatusOr<std::shared_ptr<const RoutingConfig>> MakeRoutingConfig(
    std::shared_ptr<const Directory> directory, std::shared_ptr<const RoutingPolicy> policy);

// Holds the configuration in force. Thread-safe. Readers take a snapshot with
// Get() once per request and use only it, so a request in flight finishes
// with the configuration it started with while the next one sees a
// replacement. Replace() does no validation: callers build the next config
// with MakeRoutingConfig() first.
class RoutingConfigHolder {
 public:
  // REQUIRES: `initial` is not null.
  explicit RoutingConfigHolder(std::shared_ptr<const RoutingConfig> initial)
      : current_(std::move(initial)) {}

  // The configuration in force. Never null.
  std::shared_ptr<const RoutingConfig> Get() const {
    absl::MutexLock lock(&mu_);
    return current_;
  }

  // Makes `next` current and returns the one it replaces. The old one lives
  // on for as long as any snapshot of it does. REQUIRES: `next` is not null.
  std::shared_ptr<const RoutingConfig> Replace(std::shared_ptr<const RoutingConfig> next) {
    absl::MutexLock lock(&mu_);
    current_.swap(next);
    return next;
  }

 private:
  mutable absl::Mutex mu_;
  std::shared_ptr<const RoutingConfig> current_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sprout::routing

#endif  // SPROUT_SERVER_ROUTING_ROUTING_CONFIG_H_
