#include "tasks/softmax.h"

#include <algorithm>
#include <cmath>

namespace etvision::detail {

void softmaxInPlace(std::span<float> values) noexcept {
  if (values.empty()) return;
  const float maxValue = *std::max_element(values.begin(), values.end());
  // Summed in double: with 1000 classes a float sum drifts by a few ulps,
  // enough to make probabilities visibly miss 1.0 in a total.
  double sum = 0.0;
  for (float& v : values) {
    v = std::exp(v - maxValue);
    sum += v;
  }
  const float scale = static_cast<float>(1.0 / sum);
  for (float& v : values) v *= scale;
}

}  // namespace etvision::detail
