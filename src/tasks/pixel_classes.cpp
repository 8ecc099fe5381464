#include "tasks/pixel_classes.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <array>
#include <cmath>

#include "runtime/thread_pool_control.h"

namespace etvision::detail {

namespace {

PixelClasses classifySigmoidOutput(const ScoreMaps& scores, std::span<const int> wanted) {
  const std::size_t pixels = scores.values.size();
  PixelClasses result;
  result.argmax.resize(pixels);  // zeros: class 0 until a higher score
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

// The library is built for baseline x86-64, where these loops get SSE2
// only; GCC compiles them also for AVX2 and AVX-512 and picks one when the
// library loads (an ifunc), so they use the machine's widest vectors.
// (Measured in bench/micro/postprocess_benchmarks.cpp.)
// Not under ThreadSanitizer: the clones are chosen by an ifunc resolver,
// which runs during relocation, before TSan's runtime is set up, and
// crashes the program at start.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_THREAD__)
#define ETVISION_VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define ETVISION_VECTOR_CLONES
#endif

// Where `plane` beats the running maximum, takes its score and class `c`.
// Branch-free so it vectorises; strictly greater, so ties keep the lower
// index (and NaN never wins).
ETVISION_VECTOR_CLONES void keepMaximum(const float* plane, float* maxScore, std::int32_t* argmax,
                                        std::size_t pixels, std::int32_t c) {
  for (std::size_t i = 0; i < pixels; ++i) {
    const bool greater = plane[i] > maxScore[i];
    maxScore[i] = greater ? plane[i] : maxScore[i];
    argmax[i] = greater ? c : argmax[i];
  }
}

// exp(plane - max) per pixel, added to `sum` (when given) and stored in
// `out` (when given).
ETVISION_VECTOR_CLONES void addExponentials(const float* plane, const float* maxScore, float* sum,
                                            float* out, std::size_t pixels) {
  for (std::size_t i = 0; i < pixels; ++i) {
    const float e = std::exp(plane[i] - maxScore[i]);
    if (sum != nullptr) sum[i] += e;
    if (out != nullptr) out[i] = e;
  }
}

ETVISION_VECTOR_CLONES void divideBy(float* values, const float* divisors, std::size_t pixels) {
  for (std::size_t i = 0; i < pixels; ++i) values[i] /= divisors[i];
}

// Pixels per task: one task's passes stay in L2 (21 classes read 21 x 16 KiB
// of scores), and a 520x520 map makes 66 tasks to share out.
constexpr std::size_t kPixelsPerTask = 4096;

// classifyPixels for pixels [begin, begin + count) of every plane. Channel-
// major passes keep each inner loop a contiguous sweep over one plane, which
// the compiler vectorises; a per-pixel loop over channels would stride
// through memory instead.
void classifyChunk(const ScoreMaps& scores, std::span<const int> wanted,
                   std::span<const int> firstWanted, std::size_t begin, std::size_t count,
                   PixelClasses& result) {
  const std::size_t pixels = static_cast<std::size_t>(scores.height) * scores.width;
  auto channel = [&](int c) { return scores.values.data() + c * pixels + begin; };
  std::int32_t* argmax = result.argmax.data() + begin;
  std::array<float, kPixelsPerTask> maxScore;
  std::copy_n(channel(0), count, maxScore.data());  // argmax arrives zeroed: class 0
  for (int c = 1; c < scores.channels; ++c) {
    keepMaximum(channel(c), maxScore.data(), argmax, count, c);
  }
  if (wanted.empty()) return;

  // Each class's exp(score - max) is computed once: summed for every class,
  // kept in the first map that wants it (a class asked for twice gets a
  // copy, the same values, so the same probabilities).
  std::array<float, kPixelsPerTask> sum;
  std::fill_n(sum.data(), count, 0.0f);
  auto map = [&](std::size_t w) { return result.probabilities[w].data() + begin; };
  for (int c = 0; c < scores.channels; ++c) {
    const int first = firstWanted[static_cast<std::size_t>(c)];
    addExponentials(channel(c), maxScore.data(), sum.data(),
                    first < 0 ? nullptr : map(static_cast<std::size_t>(first)), count);
  }
  for (std::size_t w = 0; w < wanted.size(); ++w) {
    const auto first = static_cast<std::size_t>(firstWanted[static_cast<std::size_t>(wanted[w])]);
    if (first != w) std::copy_n(map(first), count, map(w));
  }
  for (std::size_t w = 0; w < wanted.size(); ++w) divideBy(map(w), sum.data(), count);
}

}  // namespace

PixelClasses classifyPixels(const ScoreMaps& scores, std::span<const int> wanted) {
  if (scores.channels == 1) return classifySigmoidOutput(scores, wanted);

  const std::size_t pixels = static_cast<std::size_t>(scores.height) * scores.width;
  PixelClasses result;
  result.argmax.resize(pixels);
  // Fresh maps cost a page fault per 4 KiB: taken on the pool's threads too.
  result.probabilities.resize(wanted.size());
  parallelFor(wanted.size(), [&](std::size_t w) { result.probabilities[w].resize(pixels); });
  std::vector<int> firstWanted(static_cast<std::size_t>(scores.channels), -1);
  for (std::size_t w = wanted.size(); w-- > 0;) {
    firstWanted[static_cast<std::size_t>(wanted[w])] = static_cast<int>(w);
  }
  // Pixels are independent: the chunks run on the pool's threads, which
  // are idle between inferences.
  parallelFor((pixels + kPixelsPerTask - 1) / kPixelsPerTask, [&](std::size_t task) {
    const std::size_t begin = task * kPixelsPerTask;
    classifyChunk(scores, wanted, firstWanted, begin, std::min(kPixelsPerTask, pixels - begin),
                  result);
  });
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
