// PrefetchPipeline (src/tasks/prefetch_pipeline.h): order, the depth bound,
// failures and shutdown, without any timing.
#include "tasks/prefetch_pipeline.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <thread>

namespace etvision::detail {
namespace {

TEST(PrefetchPipeline, DeliversEveryItemInOrder) {
  PrefetchPipeline<std::string> pipeline(50, 2, [](std::size_t i) { return std::to_string(i); });
  for (std::size_t i = 0; i < 50; ++i) EXPECT_EQ(pipeline.next(), std::to_string(i));
}

TEST(PrefetchPipeline, NeverPreparesMoreThanDepthAhead) {
  constexpr std::size_t kDepth = 3;
  std::atomic<std::size_t> consumed{0};
  std::atomic<std::size_t> violations{0};
  std::atomic<std::size_t> prepared{0};
  PrefetchPipeline<std::size_t> pipeline(40, kDepth, [&](std::size_t i) {
    // The worker may start item i only when fewer than kDepth items wait:
    // at most kDepth beyond what the consumer has taken (which it counts
    // just after next() returns).
    if (i > consumed.load() + kDepth) ++violations;
    ++prepared;
    return i;
  });
  // Let the worker fill the queue before anything is taken.
  while (prepared.load() < kDepth) std::this_thread::yield();
  for (std::size_t i = 0; i < 40; ++i) {
    EXPECT_EQ(pipeline.next(), i);
    ++consumed;
  }
  EXPECT_EQ(violations.load(), 0u);
}

TEST(PrefetchPipeline, DepthZeroMeansOneAhead) {
  PrefetchPipeline<int> pipeline(3, 0, [](std::size_t i) { return static_cast<int>(i) * 2; });
  EXPECT_EQ(pipeline.next(), 0);
  EXPECT_EQ(pipeline.next(), 2);
  EXPECT_EQ(pipeline.next(), 4);
}

TEST(PrefetchPipeline, AnEscapingExceptionReachesTheNextOfThatItem) {
  PrefetchPipeline<int> pipeline(10, 4, [](std::size_t i) {
    if (i == 3) throw std::runtime_error("item 3 failed");
    return static_cast<int>(i);
  });
  EXPECT_EQ(pipeline.next(), 0);
  EXPECT_EQ(pipeline.next(), 1);
  EXPECT_EQ(pipeline.next(), 2);
  try {
    pipeline.next();
    FAIL() << "item 3 did not rethrow";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "item 3 failed");
  }
}

TEST(PrefetchPipeline, DestroyingItMidwayStopsAWorkerWaitingForRoom) {
  std::atomic<std::size_t> prepared{0};
  {
    PrefetchPipeline<std::size_t> pipeline(1000, 2, [&](std::size_t i) {
      ++prepared;
      return i;
    });
    EXPECT_EQ(pipeline.next(), 0u);
    // The worker fills the queue again and waits for room.
    while (prepared.load() < 3) std::this_thread::yield();
  }  // must return (a hang fails the test at its ctest timeout)
  EXPECT_LT(prepared.load(), 1000u);
}

}  // namespace
}  // namespace etvision::detail
