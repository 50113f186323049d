// A WatchQueue stream for integration tests, read on its own thread.
#ifndef SPROUT_TESTS_INTEGRATION_QUEUE_WATCH_CLIENT_H_
#define SPROUT_TESTS_INTEGRATION_QUEUE_WATCH_CLIENT_H_

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "sprout/v1/queue_service.grpc.pb.h"

namespace sprout::testing {

// A WatchQueue stream read on its own thread.
class Watch {
 public:
  Watch(const std::shared_ptr<grpc::Channel>& channel, const std::string& queue, int64_t after)
      : stub_(sprout::v1::QueueService::NewStub(channel)) {
    sprout::v1::WatchQueueRequest request;
    request.set_parent(queue);
    request.set_after_sequence(after);
    context_.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    reader_ = stub_->WatchQueue(&context_, request);
    thread_ = std::thread([this] {
      sprout::v1::QueueEvent event;
      while (reader_->Read(&event)) {
        std::lock_guard<std::mutex> lock(mu_);
        events_.push_back(event);
        cv_.notify_all();
      }
      grpc::Status status = reader_->Finish();
      std::lock_guard<std::mutex> lock(mu_);
      status_ = status;
      done_ = true;
      cv_.notify_all();
    });
  }
  ~Watch() {
    context_.TryCancel();
    thread_.join();
  }

  // Waits (at most 10 s) for an event matching `pred`; returns it, or an
  // empty event on timeout.
  template <typename Pred>
  sprout::v1::QueueEvent WaitFor(Pred pred) {
    std::unique_lock<std::mutex> lock(mu_);
    sprout::v1::QueueEvent found;
    cv_.wait_for(lock, std::chrono::seconds(10), [&] {
      for (const sprout::v1::QueueEvent& e : events_) {
        if (pred(e)) {
          found = e;
          return true;
        }
      }
      return done_;
    });
    return found;
  }

  // Waits for the stream to end and returns its status.
  grpc::Status Status() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(10), [&] { return done_; });
    return status_;
  }

  // Waits (at most `seconds`) until `pred(events so far)` holds; returns
  // whether it did.
  template <typename Pred>
  bool WaitUntil(Pred pred, int seconds) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(seconds), [&] {
      return pred(events_) || done_;
    }) && pred(events_);
  }

  std::vector<sprout::v1::QueueEvent> events() {
    std::lock_guard<std::mutex> lock(mu_);
    return events_;
  }

 private:
  std::unique_ptr<sprout::v1::QueueService::Stub> stub_;
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReader<sprout::v1::QueueEvent>> reader_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<sprout::v1::QueueEvent> events_;
  bool done_ = false;
  grpc::Status status_;
};

}  // namespace sprout::testing

#endif  // SPROUT_TESTS_INTEGRATION_QUEUE_WATCH_CLIENT_H_
