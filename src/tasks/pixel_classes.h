// Per-pixel class scores -> argmax map and per-class probability maps.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace etvision::detail {

/// Scores laid out [channels][height][width], as a [1, C, H, W] output.
struct ScoreMaps {
  std::span<const float> values;
  int channels = 0;
  int height = 0;
  int width = 0;
};

struct PixelClasses {
  /// Class index per pixel, row-major.
  std::vector<std::int32_t> argmax;
  /// probabilities[i] is the map of class wanted[i].
  std::vector<std::vector<float>> probabilities;
};

/// With C > 1 channels the scores are logits: softmax over C per pixel
/// (float32, max-subtracted, as the reference), argmax with ties going to the
/// lowest index. With C = 1 the score is the probability of class 1 and class
/// 0 is its complement (argmax is 1 only where p > 0.5). `wanted` holds
/// class indices in [0, max(C, 2)).
PixelClasses classifyPixels(const ScoreMaps& scores, std::span<const int> wanted);

/// Nearest-neighbour resize of a class map (cv::INTER_NEAREST semantics).
std::vector<std::int32_t> resizeClassMap(const std::vector<std::int32_t>& map, int width,
                                         int height, int newWidth, int newHeight);

/// Bilinear resize of a probability map (cv::INTER_LINEAR semantics).
std::vector<float> resizeProbabilityMap(const std::vector<float>& map, int width, int height,
                                        int newWidth, int newHeight);

}  // namespace etvision::detail
