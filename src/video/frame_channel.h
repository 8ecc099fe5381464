// A small queue between two pipeline threads (video_pipeline.cpp): reader ->
// inference and inference -> writer. One producer, one consumer.
//
// Two policies, because files and live sources want opposite things:
//  - Blocking (files): push waits for room, so every frame is processed, in
//    order, and memory stays bounded (a few decoded frames).
//  - LatestWins (live sources): push never waits; when the pending slot is
//    taken, the new item replaces it and the replaced one counts as dropped.
//    A camera cannot be paused, so waiting would only make every processed
//    frame older; replacing keeps the latency at one frame.
//
// Either side can end the exchange: the producer with close() (optionally
// handing over the error that ended it, delivered after the items already
// queued), the consumer with cancel() (a blocked push returns false, so the
// producer stops instead of waiting forever).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <utility>

namespace etvision::detail {

enum class ChannelPolicy { Blocking, LatestWins };

template <typename T>
class FrameChannel {
 public:
  /// `capacity` items may wait (LatestWins keeps one whatever it says).
  FrameChannel(std::size_t capacity, ChannelPolicy policy)
      : capacity_(policy == ChannelPolicy::LatestWins || capacity == 0 ? 1 : capacity),
        policy_(policy) {}

  FrameChannel(const FrameChannel&) = delete;
  FrameChannel& operator=(const FrameChannel&) = delete;

  /// Producer: hands `item` over. Blocking waits for room; LatestWins
  /// replaces a pending item. False when the consumer cancelled (the item is
  /// dropped and the producer should stop).
  bool push(T item) {
    std::unique_lock lock(mutex_);
    if (policy_ == ChannelPolicy::Blocking) {
      changed_.wait(lock, [&] { return cancelled_ || items_.size() < capacity_; });
    }
    if (cancelled_) return false;
    if (items_.size() >= capacity_) {
      items_.pop_front();
      ++dropped_;
    }
    items_.push_back(std::move(item));
    lock.unlock();
    changed_.notify_all();
    return true;
  }

  /// Producer: nothing more will come. `error`, when set, is what ended the
  /// producer; the consumer gets it from error() once the queue is drained.
  void close(std::exception_ptr error = nullptr) {
    {
      std::lock_guard lock(mutex_);
      closed_ = true;
      error_ = std::move(error);
    }
    changed_.notify_all();
  }

  /// Consumer: the next item; nullopt once the producer closed and the
  /// queue is empty, or after cancel().
  std::optional<T> pop() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return cancelled_ || closed_ || !items_.empty(); });
    if (cancelled_ || items_.empty()) return std::nullopt;
    std::optional<T> item(std::move(items_.front()));
    items_.pop_front();
    lock.unlock();
    changed_.notify_all();
    return item;
  }

  /// Consumer (or anyone tearing the pipeline down): stop the exchange;
  /// wakes a producer blocked in push() and a consumer blocked in pop().
  void cancel() {
    {
      std::lock_guard lock(mutex_);
      cancelled_ = true;
      items_.clear();
    }
    changed_.notify_all();
  }

  /// The producer's error handed over by close(), if any.
  std::exception_ptr error() const {
    std::lock_guard lock(mutex_);
    return error_;
  }

  /// Items LatestWins replaced before the consumer took them.
  std::int64_t dropped() const {
    std::lock_guard lock(mutex_);
    return dropped_;
  }

 private:
  const std::size_t capacity_;
  const ChannelPolicy policy_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<T> items_;
  bool closed_ = false;
  bool cancelled_ = false;
  std::exception_ptr error_;
  std::int64_t dropped_ = 0;
};

}  // namespace etvision::detail
