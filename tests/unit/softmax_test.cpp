#include "tasks/softmax.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <vector>

namespace etvision::detail {
namespace {

TEST(Softmax, MatchesTheDefinition) {
  std::vector<float> values{1.0f, 2.0f, 3.0f};
  softmaxInPlace(values);
  const double denominator = std::exp(1.0) + std::exp(2.0) + std::exp(3.0);
  EXPECT_NEAR(values[0], std::exp(1.0) / denominator, 1e-7);
  EXPECT_NEAR(values[1], std::exp(2.0) / denominator, 1e-7);
  EXPECT_NEAR(values[2], std::exp(3.0) / denominator, 1e-7);
}

TEST(Softmax, IsStableForHugeLogits) {
  std::vector<float> values{1000.0f, 1000.0f, -1000.0f};
  softmaxInPlace(values);
  EXPECT_FLOAT_EQ(values[0], 0.5f);
  EXPECT_FLOAT_EQ(values[1], 0.5f);
  EXPECT_EQ(values[2], 0.0f);
}

TEST(Softmax, ThousandClassesSumToOne) {
  std::vector<float> values(1000);
  for (std::size_t i = 0; i < values.size(); ++i)
    values[i] = std::sin(static_cast<float>(i)) * 7.0f;
  softmaxInPlace(values);
  const double sum = std::accumulate(values.begin(), values.end(), 0.0);
  EXPECT_NEAR(sum, 1.0, 1e-5);
  for (float v : values) EXPECT_GT(v, 0.0f);
}

TEST(Softmax, EmptyInputIsLeftAlone) {
  std::vector<float> values;
  softmaxInPlace(values);
  EXPECT_TRUE(values.empty());
}

}  // namespace
}  // namespace etvision::detail
