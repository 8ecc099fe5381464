// Numerically stable softmax, as the reference computes it (float32,
// max-subtracted).
#pragma once

#include <span>

namespace etvision::detail {

/// Replaces `values` with their softmax. Empty input is left alone.
void softmaxInPlace(std::span<float> values) noexcept;

}  // namespace etvision::detail
