// etvision::setThreadCount / threadCount (include/etvision/runtime.h) on the
// real ExecuTorch thread pool: results do not depend on the thread count,
// and models loaded before a change keep working after it.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "etvision/etvision.h"
#include "support/test_helpers.h"
#include "support/test_paths.h"

namespace etvision {
namespace {

// Restores the default pool whatever a test did.
class ThreadCount : public ::testing::Test {
 protected:
  void TearDown() override { setThreadCount(0); }
};

std::string photo(const char* name) {
  return (test::photosDir() / name).string();
}

TEST_F(ThreadCount, SetAndReadBack) {
  const unsigned initial = threadCount();
  EXPECT_GE(initial, 1u);
  setThreadCount(1);
  EXPECT_EQ(threadCount(), 1u);
  setThreadCount(3);
  EXPECT_EQ(threadCount(), 3u);
  setThreadCount(0);
  EXPECT_EQ(threadCount(), initial);
}

TEST_F(ThreadCount, OneThreadGivesTheSameResultAsTwo) {
  ClassificationModule classifier;
  classifier.load(MOBILENET_V2);
  setThreadCount(1);
  const Classification one = classifier.classify(photo("skimage_chelsea.png"));
  setThreadCount(2);
  const Classification two = classifier.classify(photo("skimage_chelsea.png"));
  EXPECT_EQ(threadCount(), 2u);
  // XNNPACK splits work between threads by output tiles, never inside a
  // sum, so the logits are bit-identical.
  EXPECT_EQ(one.logits, two.logits);
  EXPECT_EQ(one.categories.at(0).label, "Egyptian cat");
}

TEST_F(ThreadCount, ModelsLoadedBeforeAChangeRunAfterIt) {
  // The change replaces the pool that both loaded models' delegates were
  // built on; each must rebuild for the new pool rather than use the old.
  ClassificationModule classifier;
  classifier.load(MOBILENET_V2);
  ImageSegmentationModule segmenter;
  segmenter.load(MEDIAPIPE_SELFIE);
  const Classification before = classifier.classify(photo("wonnx_pelican.jpeg"));
  const Segmentation maskBefore = segmenter.segment(photo("skimage_astronaut.png"));
  for (const unsigned count : {1u, 4u, 0u}) {
    setThreadCount(count);
    EXPECT_EQ(classifier.classify(photo("wonnx_pelican.jpeg")).logits, before.logits) << count;
    EXPECT_TRUE(segmenter.segment(photo("skimage_astronaut.png")).argmax == maskBefore.argmax)
        << count;
  }
}

TEST_F(ThreadCount, ChangesRacingInferencesNeverCrash) {
  ClassificationModule classifier;
  classifier.load(MOBILENET_V2);
  const std::vector<float> expected = classifier.classify(photo("skimage_coffee.png")).logits;
  std::vector<std::thread> workers;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 2; ++t) {
    workers.emplace_back([&] {
      for (int i = 0; i < 6; ++i) {
        if (classifier.classify(photo("skimage_coffee.png")).logits != expected) ++mismatches;
      }
    });
  }
  for (const unsigned count : {1u, 2u, 3u, 1u, 0u}) setThreadCount(count);
  for (auto& worker : workers) worker.join();
  EXPECT_EQ(mismatches.load(), 0);
}

// A 21-class segmenter asked for every map: its per-pixel softmax runs in
// chunks on the pool (parallelFor) while the pool is being replaced; every
// result must still be the single-caller one, bit for bit.
TEST_F(ThreadCount, ChangesRacingSegmentationsKeepEveryMap) {
  ModelDescriptor model;
  model.name = "lraspp";
  model.modelSource =
      (test::fixturesDir() / "lraspp_mobilenet_v3_large_seed0_224x224_fp32.pte").string();
  model.normalization = kImageNetNormalization;
  ImageSegmentationModule segmenter;
  segmenter.load(model);
  SegmentOptions options;
  options.allClasses = true;
  const Segmentation expected = segmenter.segment(photo("skimage_astronaut.png"), options);
  ASSERT_EQ(expected.probabilities.size(), 21u);
  std::vector<std::thread> workers;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 2; ++t) {
    workers.emplace_back([&] {
      for (int i = 0; i < 4; ++i) {
        const Segmentation got = segmenter.segment(photo("skimage_astronaut.png"), options);
        if (got.argmax != expected.argmax || got.probabilities != expected.probabilities) {
          ++mismatches;
        }
      }
    });
  }
  for (const unsigned count : {1u, 2u, 3u, 1u, 0u}) setThreadCount(count);
  for (auto& worker : workers) worker.join();
  EXPECT_EQ(mismatches.load(), 0);
}

TEST_F(ThreadCount, TooManyThreadsIsInvalidUserInput) {
  const unsigned before = threadCount();
  EXPECT_EQ(test::errorCodeOf([] { setThreadCount(257); }), ErrorCode::InvalidUserInput);
  EXPECT_EQ(threadCount(), before);
}

}  // namespace
}  // namespace etvision
