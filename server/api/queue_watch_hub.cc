#include "server/api/queue_watch_hub.h"

namespace sprout::api {

QueueWatchHub::QueueWatchHub(store::Store* store) : store_(store) {
  thread_ = std::thread([this] { Run(); });
  subscription_ = store_->SubscribeQueueChanges([this] { OnStoreChange(); });
}

QueueWatchHub::~QueueWatchHub() {
  subscription_.reset();  // no wake runs after this
  {
    absl::MutexLock lock(&wake_mu_);
    stopping_ = true;
  }
  thread_.join();
}

void QueueWatchHub::Add(QueueWatcher* watcher) {
  {
    absl::MutexLock lock(&round_mu_);
    watchers_.insert(watcher);
  }
  Poke();
}

void QueueWatchHub::Remove(QueueWatcher* watcher) {
  absl::MutexLock lock(&round_mu_);
  watchers_.erase(watcher);
}

void QueueWatchHub::CloseAll(const absl::Status& status) {
  absl::MutexLock lock(&round_mu_);
  for (QueueWatcher* watcher : watchers_) watcher->Close(status);
}

void QueueWatchHub::Poke() {
  absl::MutexLock lock(&wake_mu_);
  round_wanted_ = true;
}

void QueueWatchHub::OnStoreChange() {
  absl::MutexLock lock(&wake_mu_);
  ++generation_;
  round_wanted_ = true;
}

int QueueWatchHub::watcher_count() const {
  absl::MutexLock lock(&round_mu_);
  return static_cast<int>(watchers_.size());
}

void QueueWatchHub::Run() {
  while (true) {
    int64_t generation;
    {
      absl::MutexLock lock(&wake_mu_);
      wake_mu_.Await(absl::Condition(
          +[](QueueWatchHub* self) ABSL_EXCLUSIVE_LOCKS_REQUIRED(self->wake_mu_) {
            return self->round_wanted_ || self->stopping_;
          },
          this));
      if (stopping_) return;
      round_wanted_ = false;
      generation = generation_;
    }
    absl::MutexLock lock(&round_mu_);
    for (QueueWatcher* watcher : watchers_) watcher->Pump(generation);
  }
}

}  // namespace sprout::api
