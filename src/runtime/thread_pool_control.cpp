#include "runtime/thread_pool_control.h"

#include <cerrno>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <string>

#include "etvision/error.h"
#include "runtime/executorch_threadpool.h"
#include "runtime/runtime_logging.h"

#if defined(__SANITIZE_THREAD__)
#include <sanitizer/tsan_interface.h>
#endif

namespace etvision::detail {
namespace {

namespace et_pool = ::executorch::extension::threadpool;

struct PoolState {
  std::once_flag initialized;
  /// Shared: a model load, run or destruction. Exclusive: a pool replacement.
  std::shared_mutex mutex;
  /// Written only with `mutex` held exclusively.
  std::uint64_t generation = 0;
  /// The count ExecuTorch chose; what setThreadCount(0) restores.
  unsigned defaultCount = 0;
};

PoolState& poolState() {
  static PoolState state;
  return state;
}

et_pool::ThreadPool& pool() {
  et_pool::ThreadPool* pool = et_pool::get_threadpool();
  if (pool == nullptr) {
    throw Error(ErrorCode::Internal,
                "ExecuTorch could not create its thread pool (cpuinfo failed to read this "
                "machine's CPUs).");
  }
  return *pool;
}

unsigned checkedCount(unsigned count, const std::string& what) {
  if (count > kMaxThreads) {
    throw Error(ErrorCode::InvalidUserInput, what + " is " + std::to_string(count) + "; at most " +
                                                 std::to_string(kMaxThreads) +
                                                 " threads are allowed (0 means the default).");
  }
  return count;
}

// ETVISION_NUM_THREADS: unset or empty means the default.
unsigned threadCountFromEnvironment() {
  const char* text = std::getenv("ETVISION_NUM_THREADS");
  if (text == nullptr || *text == '\0') return 0;
  errno = 0;
  char* end = nullptr;
  const unsigned long value = std::strtoul(text, &end, 10);
  if (errno != 0 || *end != '\0' || text[0] == '-' || text[0] == '+' || value == 0 ||
      value > kMaxThreads) {
    throw Error(ErrorCode::InvalidUserInput, "ETVISION_NUM_THREADS is '" + std::string(text) +
                                                 "'; set it to a thread count "
                                                 "from 1 to " +
                                                 std::to_string(kMaxThreads) +
                                                 ", or unset it for the default.");
  }
  return static_cast<unsigned>(value);
}

void replacePool(PoolState& state, unsigned count) {
  // Caller holds state.mutex exclusively.
  if (count == pool().get_thread_count()) return;
  pool()._unsafe_reset_threadpool(count);
  ++state.generation;
}

}  // namespace

void initializeThreadPool() {
  PoolState& state = poolState();
  std::call_once(state.initialized, [&] {
    // Creating the pool logs cpuinfo chatter at Info level; keep it quiet
    // as a model load does.
    installRuntimeLogFilter();
    const unsigned requested = threadCountFromEnvironment();
    std::unique_lock lock(state.mutex);
    state.defaultCount = static_cast<unsigned>(pool().get_thread_count());
    if (requested != 0) replacePool(state, requested);
  });
}

namespace {
std::shared_mutex& initializedPoolMutex() {
  initializeThreadPool();
  return poolState().mutex;
}
}  // namespace

PoolUse::PoolUse() : lock_(initializedPoolMutex()) {
  generation_ = poolState().generation;
}

unsigned currentThreadCount() {
  initializeThreadPool();
  std::shared_lock lock(poolState().mutex);
  return static_cast<unsigned>(pool().get_thread_count());
}

#if defined(__SANITIZE_THREAD__)
// The pool's threads start and finish a run through pthreadpool's own atomics
// and futexes, inside an uninstrumented library, so TSan would see no order
// between the caller and the tasks. This wrapper tells it about the two real
// hand-overs: the caller's writes before the run reach every task (acquire
// at the object's address, the first thing a task does: `this` needs no
// memory read), every task's writes reach the caller after it (release one
// byte further on); no order is invented between tasks.
template <typename Task>
struct TsanAnnotated {
  const Task* task;
  void operator()(std::size_t i) const {
    __tsan_acquire(const_cast<TsanAnnotated*>(this));
    (*task)(i);
    __tsan_release(reinterpret_cast<char*>(const_cast<TsanAnnotated*>(this)) + 1);
  }
};
#endif

void parallelFor(std::size_t count, const std::function<void(std::size_t)>& task) {
  if (count == 0) return;
  // An exception must not leave a pool thread (that would terminate the
  // process): the first one is kept and rethrown here once every call is
  // done.
  std::mutex failureMutex;
  std::exception_ptr failure;
  const auto guarded = [&](std::size_t i) {
    try {
      task(i);
    } catch (...) {
      const std::lock_guard lock(failureMutex);
      if (!failure) failure = std::current_exception();
    }
  };
  {
    const PoolUse use;
#if defined(__SANITIZE_THREAD__)
    TsanAnnotated<decltype(guarded)> annotated{&guarded};
    __tsan_release(&annotated);
    pool().run(annotated, count);
    __tsan_acquire(reinterpret_cast<char*>(&annotated) + 1);
#else
    pool().run(guarded, count);
#endif
  }
  if (failure) std::rethrow_exception(failure);
}

void resizeThreadPool(unsigned count) {
  checkedCount(count, "The thread count");
  initializeThreadPool();
  PoolState& state = poolState();
  std::unique_lock lock(state.mutex);
  replacePool(state, count == 0 ? state.defaultCount : count);
}

}  // namespace etvision::detail
