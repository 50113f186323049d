#include "server/routing/routing_config.h"

#include <utility>

namespace sprout::routing {

absl::StatusOr<std::shared_ptr<const RoutingConfig>> MakeRoutingConfig(
    std::shared_ptr<const Directory> directory, std::shared_ptr<const RoutingPolicy> policy) {
  absl::StatusOr<std::unique_ptr<Router>> router = Router::CreateForDirectory(directory, policy);
  if (!router.ok()) return router.status();
  auto config = std::make_shared<RoutingConfig>();
  config->directory = std::move(directory);
  config->policy = std::move(policy);
  config->router = *std::move(router);
  return std::shared_ptr<const RoutingConfig>(std::move(config));
}

}  // namespace sprout::routing
