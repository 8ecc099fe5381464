#include "tasks/pixel_classes.h"

#include "runtime/thread_pool_control.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

namespace etvision::detail {
namespace {

// Three classes over a 2x2 map, laid out [C][H][W].
const std::vector<float> kLogits = {
    // class 0      class 1      class 2
    1.0f, 0.0f, 5.0f, 2.0f,  //
    3.0f, 0.0f, 5.0f, 2.0f,  //
    2.0f, 0.0f, 1.0f, 2.0f,
};

TEST(PixelClasses, ArgmaxPicksTheHighestScoreAndTiesGoToTheLowestIndex) {
  const auto result = classifyPixels({kLogits, 3, 2, 2}, {});
  // pixel 0: 1,3,2 -> 1; pixel 1: all 0 -> 0; pixel 2: 5,5,1 -> 0; pixel 3: 2,2,2 -> 0
  EXPECT_EQ(result.argmax, (std::vector<std::int32_t>{1, 0, 0, 0}));
  EXPECT_TRUE(result.probabilities.empty());
}

TEST(PixelClasses, ProbabilitiesAreThePerPixelSoftmax) {
  const std::vector<int> wanted{2, 0};
  const auto result = classifyPixels({kLogits, 3, 2, 2}, wanted);
  ASSERT_EQ(result.probabilities.size(), 2u);
  const double e1 = std::exp(1.0), e2 = std::exp(2.0), e3 = std::exp(3.0);
  EXPECT_NEAR(result.probabilities[0][0], e2 / (e1 + e3 + e2), 1e-6);  // class 2, pixel 0
  EXPECT_NEAR(result.probabilities[1][0], e1 / (e1 + e3 + e2), 1e-6);  // class 0, pixel 0
  EXPECT_NEAR(result.probabilities[0][1], 1.0 / 3.0, 1e-6);
  const double e5 = std::exp(5.0);
  EXPECT_NEAR(result.probabilities[1][2], e5 / (e5 + e5 + e1), 1e-6);  // class 0, pixel 2
  EXPECT_NEAR(result.probabilities[0][3], 1.0 / 3.0, 1e-6);
}

TEST(PixelClasses, HugeLogitsStayFinite) {
  const std::vector<float> logits{1000.0f, -1000.0f, 999.0f, 1000.0f};  // 2 classes, 1x2
  const std::vector<int> wanted{0, 1};
  const auto result = classifyPixels({logits, 2, 1, 2}, wanted);
  EXPECT_EQ(result.argmax, (std::vector<std::int32_t>{0, 1}));
  EXPECT_NEAR(result.probabilities[0][0], 1.0 / (1.0 + std::exp(-1.0)), 1e-6);
  EXPECT_NEAR(result.probabilities[1][1], 1.0f, 1e-6);
}

TEST(PixelClasses, OneChannelIsAForegroundProbability) {
  const std::vector<float> p{0.2f, 0.5f, 0.51f, 0.9f};
  const std::vector<int> wanted{1, 0};
  const auto result = classifyPixels({p, 1, 2, 2}, wanted);
  EXPECT_EQ(result.argmax, (std::vector<std::int32_t>{0, 0, 1, 1}));  // 0.5 is a tie -> 0
  EXPECT_EQ(result.probabilities[0], p);
  EXPECT_FLOAT_EQ(result.probabilities[1][0], 0.8f);
  EXPECT_FLOAT_EQ(result.probabilities[1][3], 1.0f - 0.9f);
}

TEST(PixelClasses, ClassMapsResizeWithNearestNeighbour) {
  // 2x2 -> 4x2 (non-square): every source pixel becomes a 2x1 block.
  const std::vector<std::int32_t> map{1, 2, 3, 4};
  EXPECT_EQ(resizeClassMap(map, 2, 2, 4, 2), (std::vector<std::int32_t>{1, 1, 2, 2, 3, 3, 4, 4}));
  // Never invents classes when shrinking or growing by odd factors.
  const auto grown = resizeClassMap(map, 2, 2, 5, 3);
  ASSERT_EQ(grown.size(), 15u);
  for (auto c : grown) EXPECT_TRUE(c >= 1 && c <= 4);
}

TEST(PixelClasses, ProbabilityMapsResizeBilinearly) {
  const std::vector<float> map{0.0f, 1.0f};  // 2x1
  const auto resized = resizeProbabilityMap(map, 2, 1, 4, 1);
  // OpenCV INTER_LINEAR with half-pixel centres: 0, 0.25, 0.75, 1.
  ASSERT_EQ(resized.size(), 4u);
  EXPECT_FLOAT_EQ(resized[0], 0.0f);
  EXPECT_FLOAT_EQ(resized[1], 0.25f);
  EXPECT_FLOAT_EQ(resized[2], 0.75f);
  EXPECT_FLOAT_EQ(resized[3], 1.0f);
  EXPECT_EQ(resizeProbabilityMap(map, 2, 1, 3, 7).size(), 21u);
}

}  // namespace
}  // namespace etvision::detail

namespace etvision::detail {
namespace {

// The channel-major, vectorised passes (AVX-512 / AVX2 clones on this CPU),
// split into chunks on the thread pool, against a plain per-pixel softmax
// and argmax: the same float operations, so the same bits, on a size whose
// chunks and vector loops have tails, with ties, a class asked for twice and
// a NaN score, on one thread and on two.
TEST(PixelClasses, VectorisedPassesEqualAPerPixelReferenceBitForBit) {
  constexpr int kChannels = 5;
  constexpr int kWidth = 131;
  constexpr int kHeight = 97;  // 12707 pixels: three 4096-pixel chunks and a tail
  constexpr std::size_t kPixels = kWidth * kHeight;
  std::mt19937 rng(7);
  std::normal_distribution<float> normal(0.0f, 4.0f);
  std::vector<float> scores(kChannels * kPixels);
  for (float& s : scores) s = normal(rng);
  scores[2 * kPixels + 5] = scores[4 * kPixels + 5] = 100.0f;  // a tie: class 2 wins
  scores[3 * kPixels + 9] = std::numeric_limits<float>::quiet_NaN();
  const std::vector<int> wanted{4, 0, 2, 4};
  for (const unsigned threads : {1u, 2u}) {
    SCOPED_TRACE(threads);
    resizeThreadPool(threads);
    const PixelClasses result = classifyPixels({scores, kChannels, kHeight, kWidth}, wanted);
    resizeThreadPool(0);

    ASSERT_EQ(result.argmax.size(), kPixels);
    ASSERT_EQ(result.probabilities.size(), wanted.size());
    int mismatches = 0;
    for (std::size_t i = 0; i < kPixels && mismatches < 10; ++i) {
      float best = scores[i];
      std::int32_t arg = 0;
      for (int c = 1; c < kChannels; ++c) {
        if (scores[c * kPixels + i] > best) {
          best = scores[c * kPixels + i];
          arg = c;
        }
      }
      if (result.argmax[i] != arg) ++mismatches;
      EXPECT_EQ(result.argmax[i], arg) << "pixel " << i;
      float sum = 0.0f;
      for (int c = 0; c < kChannels; ++c) sum += std::exp(scores[c * kPixels + i] - best);
      for (std::size_t w = 0; w < wanted.size(); ++w) {
        const float expected = std::exp(scores[wanted[w] * kPixels + i] - best) / sum;
        const float got = result.probabilities[w][i];
        const bool same = std::isnan(expected) ? std::isnan(got) : got == expected;
        if (!same) ++mismatches;
        EXPECT_TRUE(same) << "pixel " << i << " class " << wanted[w] << ": " << got << " vs "
                          << expected;
      }
    }
    EXPECT_EQ(result.argmax[5], 2);
  }
}

}  // namespace
}  // namespace etvision::detail
