// The part of ExecuTorch's process-wide thread pool that etvision calls.
//
// Why declared here: the executorch 1.5.1 wheel ships
// libexecutorch_threadpool.so but not its header
// (extension/threadpool/threadpool.h in pytorch/executorch). These
// declarations match that header's (same namespace, class name and member
// signatures), so calls link against the library's symbols; only what
// src/runtime/thread_pool_control.cpp calls is declared. The class is never
// constructed, copied or destroyed here (its data members are the library's
// business): only reached through the pointer get_threadpool() returns.
// tests/package/check_threadpool_abi.cmake fails when the wheel's version
// changes or these symbols are no longer exported, so a new wheel is checked
// against its header before it is used.
#pragma once

#include <cstddef>
#include <cstdint>

#include <executorch/runtime/core/function_ref.h>

namespace executorch::extension::threadpool {

class ThreadPool final {
 public:
  ThreadPool() = delete;
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  /// Threads in the pool.
  std::size_t get_thread_count() const;

  /// Replaces the pool by one of `num_threads` threads (0 or the current
  /// count: no-op). "Unsafe": the old pool is destroyed, so nothing may be
  /// running on it, and XNNPACK runtimes created before keep a pointer to it
  /// (see thread_pool_control.h).
  bool _unsafe_reset_threadpool(std::uint32_t num_threads);

  /// Calls fn(i) for every i in [0, range) on the pool's threads, the caller
  /// being one of them; returns when all calls have returned. Calls from
  /// different threads are serialised. fn must not throw (a worker thread
  /// has nowhere to send an exception).
  void run(::executorch::runtime::FunctionRef<void(std::size_t)> fn, std::size_t range);
};

/// The process-wide pool, created on first call (threads: the performant
/// cores as the wheel's build decides); nullptr when cpuinfo cannot start.
ThreadPool* get_threadpool();

}  // namespace executorch::extension::threadpool
