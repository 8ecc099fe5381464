// detail::parallelFor on the real ExecuTorch pool: every index runs once,
// on more than one thread when the pool has them, and a throwing call
// reaches the caller instead of terminating a pool thread.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "runtime/thread_pool_control.h"

namespace etvision::detail {
namespace {

// Restores the default pool whatever a test did.
class ParallelFor : public ::testing::Test {
 protected:
  void SetUp() override { resizeThreadPool(2); }
  void TearDown() override { resizeThreadPool(0); }
};

TEST_F(ParallelFor, RunsEveryIndexOnce) {
  std::vector<std::atomic<int>> calls(1000);
  parallelFor(calls.size(), [&](std::size_t i) { ++calls[i]; });
  for (std::size_t i = 0; i < calls.size(); ++i) EXPECT_EQ(calls[i].load(), 1) << i;
  parallelFor(0, [](std::size_t) { FAIL() << "called for an empty range"; });
}

TEST_F(ParallelFor, UsesThePoolsThreads) {
  std::mutex mutex;
  std::set<std::thread::id> threads;
  // Slow enough tasks that the second thread gets some whatever the start-up.
  parallelFor(64, [&](std::size_t) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    const std::lock_guard lock(mutex);
    threads.insert(std::this_thread::get_id());
  });
  EXPECT_EQ(threads.size(), 2u);
}

// Every call made on a pool thread (not the caller's) throws: unguarded,
// that would terminate the process.
TEST_F(ParallelFor, ExceptionsFromPoolThreadsReachTheCallerAfterTheOthersRan) {
  const std::thread::id caller = std::this_thread::get_id();
  std::atomic<int> ran{0};
  std::atomic<int> thrown{0};
  try {
    parallelFor(64, [&](std::size_t) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      ++ran;
      if (std::this_thread::get_id() != caller) {
        ++thrown;
        throw std::runtime_error("a pool thread's call failed");
      }
    });
    ADD_FAILURE() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "a pool thread's call failed");
  }
  EXPECT_EQ(ran.load(), 64);
  EXPECT_GT(thrown.load(), 0);
}

}  // namespace
}  // namespace etvision::detail
