#include "tasks/pixel_classes.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace etvision::detail {

namespace {

PixelClasses classifySigmoidOutput(const ScoreMaps& scores, std::span<const int> wanted) {
  const std::size_t pixels = scores.values.size();
  PixelClasses result;
  result.argmax.resize(pixels);
  for (std::size_t i = 0; i < pixels; ++i) result.argmax[i] = scores.values[i] > 0.5f ? 1 : 0;
  for (const int cls : wanted) {
    std::vector<float> map(scores.values.begin(), scores.values.end());
    if (cls == 0) {
      for (float& p : map) p = 1.0f - p;
    }
    result.probabilities.push_back(std::move(map));
  }
  return result;
}

}  // namespace

PixelClasses classifyPixels(const ScoreMaps& scores, std::span<const int> wanted) {
  if (scores.channels == 1) return classifySigmoidOutput(scores, wanted);

  const std::size_t pixels = static_cast<std::size_t>(scores.height) * scores.width;
  auto channel = [&](int c) { return scores.values.subspan(c * pixels, pixels); };

  // Channel-major passes keep every inner loop a contiguous sweep over one
  // plane, which the compiler vectorises; a per-pixel loop over channels
  // would stride through memory instead.
  PixelClasses result;
  result.argmax.assign(pixels, 0);
  std::vector<float> maxScore(channel(0).begin(), channel(0).end());
  for (int c = 1; c < scores.channels; ++c) {
    const auto plane = channel(c);
    for (std::size_t i = 0; i < pixels; ++i) {
      if (plane[i] > maxScore[i]) {  // strictly greater: ties keep the lower index
        maxScore[i] = plane[i];
        result.argmax[i] = c;
      }
    }
  }
  if (wanted.empty()) return result;

  std::vector<float> sum(pixels, 0.0f);
  for (int c = 0; c < scores.channels; ++c) {
    const auto plane = channel(c);
    for (std::size_t i = 0; i < pixels; ++i) sum[i] += std::exp(plane[i] - maxScore[i]);
  }
  for (const int cls : wanted) {
    const auto plane = channel(cls);
    std::vector<float> probability(pixels);
    for (std::size_t i = 0; i < pixels; ++i) {
      probability[i] = std::exp(plane[i] - maxScore[i]) / sum[i];
    }
    result.probabilities.push_back(std::move(probability));
  }
  return result;
}

std::vector<std::int32_t> resizeClassMap(const std::vector<std::int32_t>& map, int width,
                                         int height, int newWidth, int newHeight) {
  const cv::Mat source(height, width, CV_32SC1, const_cast<std::int32_t*>(map.data()));
  std::vector<std::int32_t> resized(static_cast<std::size_t>(newWidth) * newHeight);
  cv::Mat target(newHeight, newWidth, CV_32SC1, resized.data());
  cv::resize(source, target, target.size(), 0, 0, cv::INTER_NEAREST);
  return resized;
}

std::vector<float> resizeProbabilityMap(const std::vector<float>& map, int width, int height,
                                        int newWidth, int newHeight) {
  const cv::Mat source(height, width, CV_32FC1, const_cast<float*>(map.data()));
  std::vector<float> resized(static_cast<std::size_t>(newWidth) * newHeight);
  cv::Mat target(newHeight, newWidth, CV_32FC1, resized.data());
  cv::resize(source, target, target.size(), 0, 0, cv::INTER_LINEAR);
  return resized;
}

}  // namespace etvision::detail
