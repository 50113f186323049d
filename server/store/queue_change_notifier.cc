#include "server/store/queue_change_notifier.h"

#include <utility>

namespace sprout::store {

class QueueChangeNotifier::Subscription final : public QueueSubscription {
 public:
  Subscription(QueueChangeNotifier* notifier, int64_t id) : notifier_(notifier), id_(id) {}
  ~Subscription() override { notifier_->Unsubscribe(id_); }

 private:
  QueueChangeNotifier* const notifier_;
  const int64_t id_;
};

QueueChangeNotifier::~QueueChangeNotifier() = default;

std::unique_ptr<QueueSubscription> QueueChangeNotifier::Subscribe(std::function<void()> wake) {
  absl::MutexLock lock(&mu_);
  const int64_t id = next_id_++;
  wakes_.emplace(id, std::move(wake));
  return std::make_unique<Subscription>(this, id);
}

void QueueChangeNotifier::Notify() {
  absl::MutexLock lock(&mu_);
  for (auto& [id, wake] : wakes_) wake();
}

int QueueChangeNotifier::subscriber_count() const {
  absl::MutexLock lock(&mu_);
  return static_cast<int>(wakes_.size());
}

void QueueChangeNotifier::Unsubscribe(int64_t id) {
  absl::MutexLock lock(&mu_);
  wakes_.erase(id);
}

}  // namespace sprout::store
