// Throughput over the bundled photos: classifyBatch / segmentBatch (decode
// of the next image overlapping the current inference) against a loop of
// single-image calls. items_per_second is images per second.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "etvision/etvision.h"

namespace etvision::bench {
namespace {

const std::vector<ImageSource>& photos() {
  static const std::vector<ImageSource> sources = [] {
    std::vector<std::string> paths;
    for (const auto& entry : std::filesystem::directory_iterator(ETVISION_BENCH_PHOTOS_DIR)) {
      if (entry.path().extension() != ".md") paths.push_back(entry.path().string());
    }
    std::sort(paths.begin(), paths.end());
    return std::vector<ImageSource>(paths.begin(), paths.end());
  }();
  return sources;
}

ClassificationModule& mobileNet() {
  static ClassificationModule* classifier = [] {
    auto* module = new ClassificationModule();
    module->load(MOBILENET_V2);
    return module;
  }();
  return *classifier;
}

ImageSegmentationModule& selfie() {
  static ImageSegmentationModule* segmenter = [] {
    auto* module = new ImageSegmentationModule();
    module->load(MEDIAPIPE_SELFIE);
    return module;
  }();
  return *segmenter;
}

void BM_ClassifyPhotos_Sequential(benchmark::State& state) {
  for (auto _ : state) {
    for (const ImageSource& photo : photos()) {
      benchmark::DoNotOptimize(mobileNet().classify(photo, {.maxResults = 5}));
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(photos().size()));
}

void BM_ClassifyPhotos_Batch(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(mobileNet().classifyBatch(photos(), {.maxResults = 5}));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(photos().size()));
}

SegmentOptions selfieOptions() {
  SegmentOptions options;
  options.classesOfInterest = {"PERSON"};
  options.resize = true;
  return options;
}

void BM_SegmentPhotos_Sequential(benchmark::State& state) {
  const SegmentOptions options = selfieOptions();
  for (auto _ : state) {
    for (const ImageSource& photo : photos()) {
      benchmark::DoNotOptimize(selfie().segment(photo, options));
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(photos().size()));
}

void BM_SegmentPhotos_Batch(benchmark::State& state) {
  const SegmentOptions options = selfieOptions();
  for (auto _ : state) {
    benchmark::DoNotOptimize(selfie().segmentBatch(photos(), options));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(photos().size()));
}

BENCHMARK(BM_ClassifyPhotos_Sequential)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ClassifyPhotos_Batch)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_SegmentPhotos_Sequential)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_SegmentPhotos_Batch)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace etvision::bench
