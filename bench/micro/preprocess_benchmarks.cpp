// Resize + normalise into the model's input tensor (src/image/preprocess.h),
// from a large photo, at the input sizes of the built-in models: 224
// (MobileNetV2, EfficientNetV2-S at 384 too) and 520 (DeepLabV3).
#include <benchmark/benchmark.h>

#include <vector>

#include <opencv2/imgproc.hpp>

#include "bench_photos.h"
#include "etvision/model.h"
#include "image/preprocess.h"

namespace etvision::bench {
namespace {

void preprocess(benchmark::State& state, const cv::Mat& image, detail::ChannelOrder order) {
  const int side = static_cast<int>(state.range(0));
  std::vector<float> tensor(static_cast<std::size_t>(3 * side * side));
  const std::optional<Normalization> norm = kImageNetNormalization;
  for (auto _ : state) {
    detail::preprocessToNchw(image, order, side, side, norm, tensor.data());
    benchmark::DoNotOptimize(tensor.data());
    benchmark::ClobberMemory();
  }
}

void BM_Preprocess_Large4032x3024_Rgb(benchmark::State& state) {
  preprocess(state, largeRgbImage(), detail::ChannelOrder::RGB);
}

/// The decoder's BGR output read directly (no conversion pass before it).
void BM_Preprocess_Large4032x3024_Bgr(benchmark::State& state) {
  static const cv::Mat bgr = [] {
    cv::Mat converted;
    cv::cvtColor(largeRgbImage(), converted, cv::COLOR_RGB2BGR);
    return converted;
  }();
  preprocess(state, bgr, detail::ChannelOrder::BGR);
}

/// The full-size BGR -> RGB pass that the BGR path removes.
void BM_ConvertBgrToRgb_Large4032x3024(benchmark::State& state) {
  cv::Mat image = largeRgbImage().clone();
  for (auto _ : state) {
    cv::cvtColor(image, image, cv::COLOR_BGR2RGB);
    benchmark::DoNotOptimize(image.data);
  }
}

BENCHMARK(BM_Preprocess_Large4032x3024_Rgb)
    ->Arg(224)
    ->Arg(384)
    ->Arg(520)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Preprocess_Large4032x3024_Bgr)
    ->Arg(224)
    ->Arg(384)
    ->Arg(520)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ConvertBgrToRgb_Large4032x3024)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace etvision::bench
