// Load / forward / unload cycles of both task modules must not leak.
//
// Under AddressSanitizer (scripts/test.sh runs the integration tests with
// detect_leaks=1) LeakSanitizer reports any allocation left unreachable at
// exit, which fails the test process. Without a sanitizer, the resident set
// is measured: after some warm-up cycles (one-time runtime and thread-pool
// setup) it must stay flat, so a model, its weights or a per-forward buffer
// kept alive by each cycle would show as growth. Sanitizer builds skip the
// RSS checks: their allocators quarantine freed memory on purpose.
#include <gtest/gtest.h>
#include <malloc.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <string>

#include "etvision/etvision.h"
#include "support/test_paths.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define ETVISION_TEST_UNDER_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
#define ETVISION_TEST_UNDER_SANITIZER 1
#endif
#endif
#ifndef ETVISION_TEST_UNDER_SANITIZER
#define ETVISION_TEST_UNDER_SANITIZER 0
#endif

namespace etvision {
namespace {

using test::photosDir;

// VmRSS in MiB after glibc has returned its free heap pages to the OS
// (malloc_trim), so freed-but-cached memory does not count as held.
double residentMibAfterTrim() {
  malloc_trim(0);
  std::ifstream status("/proc/self/status");
  std::string key;
  while (status >> key) {
    if (key == "VmRSS:") {
      double kib = 0;
      status >> kib;
      return kib / 1024.0;
    }
    status.ignore(1 << 16, '\n');
  }
  ADD_FAILURE() << "no VmRSS in /proc/self/status";
  return 0.0;
}

// One cycle of each module: load, forward (checked), unload.
void runCycle(ClassificationModule& classifier, ImageSegmentationModule& segmenter) {
  classifier.load(MOBILENET_V2);
  const auto top =
      classifier.classify((photosDir() / "skimage_chelsea.png").string(), {.maxResults = 1});
  ASSERT_EQ(top.categories.size(), 1u);
  EXPECT_EQ(top.categories[0].label, "Egyptian cat");
  classifier.unload();

  segmenter.load(MEDIAPIPE_SELFIE);
  const Segmentation maps =
      segmenter.forward((photosDir() / "mpl_grace_hopper.jpg").string(), {DeeplabLabel::PERSON});
  EXPECT_GT(maps.classShares().at(1), 0.2);  // a portrait: a good share of person pixels
  segmenter.unload();
  EXPECT_FALSE(classifier.isLoaded());
  EXPECT_FALSE(segmenter.isLoaded());
}

TEST(Memory, LoadForwardUnloadCyclesReturnTheirMemory) {
  constexpr int kCycles = 20;
  constexpr int kWarmupCycles = 5;
  // Loaded, MobileNetV2 alone holds ~14 MiB of weights and the selfie model
  // a few MiB more; one of them kept per cycle would grow RSS by far more
  // than this over the 15 measured cycles.
  constexpr double kMaxGrowthAfterWarmupMib = 4.0;
  // One-time state stays after the first cycle: shared-library code paged in
  // by the first decode and forward (mostly libgdal, ~10 MiB, which OpenCV's
  // codec registry initialises on the first imdecode), ExecuTorch/XNNPACK
  // initialisation, thread pools. Measured: +12.4 MiB; a MobileNetV2 kept
  // loaded would add ~18 MiB more.
  constexpr double kMaxGrowthOverBaselineMib = 24.0;

  const double baseline = residentMibAfterTrim();
  double afterWarmup = 0.0;
  double peakAfterWarmup = 0.0;
  {
    ClassificationModule classifier;
    ImageSegmentationModule segmenter;
    for (int cycle = 1; cycle <= kCycles; ++cycle) {
      SCOPED_TRACE("cycle " + std::to_string(cycle));
      runCycle(classifier, segmenter);
      if (HasFatalFailure()) return;
      const double now = residentMibAfterTrim();
      if (cycle == kWarmupCycles) afterWarmup = now;
      if (cycle > kWarmupCycles) peakAfterWarmup = std::max(peakAfterWarmup, now);
    }
  }
  const double final = residentMibAfterTrim();
  std::printf(
      "[ figures  ] RSS MiB: baseline %.1f, after %d warm-up cycles %.1f, max over cycles "
      "%d..%d %.1f, after %d cycles %.1f%s\n",
      baseline, kWarmupCycles, afterWarmup, kWarmupCycles + 1, kCycles, peakAfterWarmup, kCycles,
      final, ETVISION_TEST_UNDER_SANITIZER ? " (sanitizer: not checked)" : "");
  if (ETVISION_TEST_UNDER_SANITIZER) return;  // leaks are LeakSanitizer's to find here
  EXPECT_LT(peakAfterWarmup - afterWarmup, kMaxGrowthAfterWarmupMib);
  EXPECT_LT(final - afterWarmup, kMaxGrowthAfterWarmupMib);
  EXPECT_LT(final - baseline, kMaxGrowthOverBaselineMib);
}

}  // namespace
}  // namespace etvision
