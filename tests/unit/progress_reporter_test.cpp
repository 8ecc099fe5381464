// ProgressReporter (src/fetch/progress_reporter.h): the guarantees fetch.h
// promises, value by value.
#include "fetch/progress_reporter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace etvision::detail {
namespace {

class ProgressReporterTest : public ::testing::Test {
 protected:
  std::vector<double> seen_;
  ProgressCallback callback_ = [this](double p) { seen_.push_back(p); };
};

TEST_F(ProgressReporterTest, ByteWeightedMonotonicAndOneFinalOne) {
  ProgressReporter reporter(callback_);
  const auto small = reporter.addFile(100);
  const auto large = reporter.addFile(900);
  reporter.start();
  reporter.setDone(small, 100);  // 10%
  reporter.setDone(large, 450);  // 55%
  reporter.setDone(large, 300);  // a restart: never reported as a step back
  reporter.setDone(large, 900);  // complete bytes: capped below 1
  reporter.complete(small);
  reporter.complete(large);
  reporter.finish();
  ASSERT_GE(seen_.size(), 4u);
  EXPECT_EQ(seen_.front(), 0.0);
  EXPECT_DOUBLE_EQ(seen_[1], 0.1);
  EXPECT_DOUBLE_EQ(seen_[2], 0.55);
  for (std::size_t i = 1; i < seen_.size(); ++i) EXPECT_GE(seen_[i], seen_[i - 1]);
  EXPECT_EQ(seen_.back(), 1.0);
  EXPECT_EQ(std::count(seen_.begin(), seen_.end(), 1.0), 1);
  EXPECT_LT(seen_[seen_.size() - 2], 1.0);
}

TEST_F(ProgressReporterTest, ZeroWhileAnySizeIsUnknown) {
  ProgressReporter reporter(callback_);
  const auto known = reporter.addFile(100);
  const auto unknown = reporter.addFile(std::nullopt);
  reporter.start();
  reporter.setDone(known, 100);
  reporter.setDone(unknown, 5000);
  EXPECT_EQ(seen_, std::vector<double>{0.0});
  reporter.setTotal(unknown, 10000);
  reporter.setDone(unknown, 5000);  // (100 + 5000) / 10100
  ASSERT_EQ(seen_.size(), 2u);
  EXPECT_NEAR(seen_[1], 5100.0 / 10100.0, 1e-12);
}

TEST_F(ProgressReporterTest, SmallStepsAreThrottled) {
  ProgressReporter reporter(callback_);
  const auto file = reporter.addFile(1'000'000);
  reporter.start();
  // 1000 steps of 0.1%: far fewer reports than steps (at most one per 1%
  // step, plus at most one per 100 ms however slow this machine is).
  for (std::uint64_t done = 1000; done <= 999'000; done += 1000) reporter.setDone(file, done);
  EXPECT_LT(seen_.size(), 1000u);
  EXPECT_GE(seen_.size(), 90u);
}

TEST_F(ProgressReporterTest, StartReportsFilesAlreadyPresent) {
  ProgressReporter reporter(callback_);
  const auto cached = reporter.addFile(300);
  reporter.addFile(100);
  reporter.complete(cached);
  reporter.start();
  reporter.start();  // once only
  ASSERT_EQ(seen_.size(), 1u);
  EXPECT_DOUBLE_EQ(seen_[0], 0.75);
}

TEST(ProgressReporter, AnEmptyCallbackReportsNothingAndDoesNotCrash) {
  const ProgressCallback none;
  ProgressReporter reporter(none);
  const auto file = reporter.addFile(10);
  reporter.start();
  reporter.setDone(file, 10);
  reporter.complete(file);
  reporter.finish();
}

}  // namespace
}  // namespace etvision::detail
