// What follows inference: softmax over ImageNet's 1000 logits, the per-pixel
// argmax over DeepLabV3's 21 x 520 x 520 scores, and resizing the maps to the
// photo's size (src/tasks/softmax.h, src/tasks/pixel_classes.h).
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "tasks/pixel_classes.h"
#include "tasks/softmax.h"

namespace etvision::bench {
namespace {

std::vector<float> randomScores(std::size_t count, float spread) {
  std::mt19937 rng(42);
  std::normal_distribution<float> normal(0.0f, spread);
  std::vector<float> values(count);
  for (float& v : values) v = normal(rng);
  return values;
}

void BM_Softmax1000(benchmark::State& state) {
  const std::vector<float> logits = randomScores(1000, 4.0f);
  std::vector<float> values;
  for (auto _ : state) {
    values = logits;
    detail::softmaxInPlace(values);
    benchmark::DoNotOptimize(values.data());
  }
}

constexpr int kClasses = 21;
constexpr int kSide = 520;

const std::vector<float>& vocScores() {
  static const std::vector<float> scores =
      randomScores(static_cast<std::size_t>(kClasses) * kSide * kSide, 3.0f);
  return scores;
}

/// Argmax only (state.range(0) == 0), with one class's probability map
/// (1: PERSON, as `segment --classes PERSON` computes) or with every class's
/// (2: as `segment --overlay` computes).
void BM_ArgmaxVoc21x520x520(benchmark::State& state) {
  std::vector<int> wanted;
  if (state.range(0) == 1) wanted = {15};
  if (state.range(0) == 2) {
    for (int c = 0; c < kClasses; ++c) wanted.push_back(c);
  }
  for (auto _ : state) {
    detail::PixelClasses classes =
        detail::classifyPixels({vocScores(), kClasses, kSide, kSide}, wanted);
    benchmark::DoNotOptimize(classes.argmax.data());
  }
}

/// One 520x520 probability map (bilinear) and the argmax map (nearest) to
/// a photo's size: state.range(0) x state.range(1).
void BM_ResizeProbabilityMap520(benchmark::State& state) {
  const std::vector<float> map = randomScores(static_cast<std::size_t>(kSide) * kSide, 1.0f);
  const int width = static_cast<int>(state.range(0));
  const int height = static_cast<int>(state.range(1));
  for (auto _ : state) {
    std::vector<float> resized = detail::resizeProbabilityMap(map, kSide, kSide, width, height);
    benchmark::DoNotOptimize(resized.data());
  }
}

void BM_ResizeArgmaxMap520(benchmark::State& state) {
  const std::vector<std::int32_t> map(static_cast<std::size_t>(kSide) * kSide, 7);
  const int width = static_cast<int>(state.range(0));
  const int height = static_cast<int>(state.range(1));
  for (auto _ : state) {
    std::vector<std::int32_t> resized = detail::resizeClassMap(map, kSide, kSide, width, height);
    benchmark::DoNotOptimize(resized.data());
  }
}

BENCHMARK(BM_Softmax1000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ArgmaxVoc21x520x520)->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ResizeProbabilityMap520)
    ->Args({548, 342})
    ->Args({4032, 3024})
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ResizeArgmaxMap520)
    ->Args({548, 342})
    ->Args({4032, 3024})
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace etvision::bench
