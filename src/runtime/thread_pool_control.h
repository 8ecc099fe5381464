// Control of ExecuTorch's process-wide thread pool, on which the XNNPACK
// delegate and the optimized kernels parallelise every model in the process.
//
// The pool can only be resized by replacing it, and an XNNPACK runtime keeps
// the pool it was created with (the delegate passes the pool pointer to
// xnn_create_runtime_v4 when a method loads). So:
//   - every model load, run and destruction holds the pool lock shared
//     (PoolUse), so the pool never changes under them;
//   - a thread-count change takes it exclusively, replaces the pool and bumps
//     a generation number;
//   - a model whose method was loaded under an older generation reloads it
//     before its next run (ExecutorchModel::run), so no runtime ever invokes
//     a destroyed pool.
// This is process-wide state because the pool it guards is; it lives in one
// function-local static in the .cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <shared_mutex>

namespace etvision::detail {

/// Creates the pool on first use and applies ETVISION_NUM_THREADS then (a
/// positive integer; anything else throws Error(InvalidUserInput) naming the
/// variable). Cheap after the first call.
void initializeThreadPool();

/// A shared hold on the pool: while alive, the pool is not replaced.
class PoolUse {
 public:
  PoolUse();
  /// The pool's generation, bumped on every replacement.
  std::uint64_t generation() const noexcept { return generation_; }

 private:
  std::shared_lock<std::shared_mutex> lock_;
  std::uint64_t generation_ = 0;
};

/// Calls task(i) for every i in [0, count) on the pool (the threads XNNPACK
/// runs on, so ETVISION_NUM_THREADS and setThreadCount bound this work too),
/// the calling thread taking part; returns when every call has returned.
/// For work between inferences, when the pool is idle: calls from several
/// threads take turns. Holds a PoolUse meanwhile, so the caller must not
/// hold one (a pool replacement waiting in between would deadlock). If calls
/// throw, the others still run and the first exception is rethrown here.
void parallelFor(std::size_t count, const std::function<void(std::size_t)>& task);

/// Threads in the pool now.
unsigned currentThreadCount();

/// Replaces the pool by one of `count` threads (0: the count ExecuTorch chose
/// at first use), waiting for running loads and runs. Throws
/// Error(InvalidUserInput) for more than kMaxThreads.
void resizeThreadPool(unsigned count);

inline constexpr unsigned kMaxThreads = 256;

}  // namespace etvision::detail
