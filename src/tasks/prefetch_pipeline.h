// Runs a preparation step for items 0..count-1 on a worker thread, at most
// `depth` items ahead of the consumer, and hands them over in order: the
// batch calls decode and preprocess image i+1 while image i is inferred.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>

namespace etvision::detail {

template <typename Prepared>
class PrefetchPipeline {
 public:
  /// Starts the worker. `prepare(i)` runs on it, in order of i; it should
  /// report expected failures inside Prepared. An exception escaping it
  /// stops the worker and is rethrown by the next() that would have
  /// returned that item. `prepare` must stay callable until destruction.
  PrefetchPipeline(std::size_t count, std::size_t depth,
                   std::function<Prepared(std::size_t)> prepare)
      : count_(count), depth_(depth == 0 ? 1 : depth), prepare_(std::move(prepare)) {
    worker_ = std::jthread([this](std::stop_token stop) { work(stop); });
  }

  /// Stops the worker (an item being prepared is finished and dropped).
  ~PrefetchPipeline() {
    worker_.request_stop();
    {
      std::lock_guard lock(mutex_);
      // Wakes a worker waiting for room.
    }
    changed_.notify_all();
  }

  PrefetchPipeline(const PrefetchPipeline&) = delete;
  PrefetchPipeline& operator=(const PrefetchPipeline&) = delete;

  /// The next item, in order; blocks until the worker has prepared it. Call
  /// at most `count` times.
  Prepared next() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return !ready_.empty() || failure_; });
    if (ready_.empty()) std::rethrow_exception(failure_);
    Prepared item = std::move(ready_.front());
    ready_.pop_front();
    lock.unlock();
    changed_.notify_all();
    return item;
  }

 private:
  void work(const std::stop_token& stop) {
    for (std::size_t i = 0; i < count_; ++i) {
      {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return ready_.size() < depth_ || stop.stop_requested(); });
        if (stop.stop_requested()) return;
      }
      try {
        Prepared item = prepare_(i);
        std::lock_guard lock(mutex_);
        ready_.push_back(std::move(item));
      } catch (...) {
        std::lock_guard lock(mutex_);
        failure_ = std::current_exception();
      }
      changed_.notify_all();
      if (failure_) return;  // only this thread writes it
    }
  }

  const std::size_t count_;
  const std::size_t depth_;
  std::function<Prepared(std::size_t)> prepare_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Prepared> ready_;
  std::exception_ptr failure_;
  // Last member: started after, and joined before, everything it uses.
  std::jthread worker_;
};

}  // namespace etvision::detail
