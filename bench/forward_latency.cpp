// Forward latency of one model on one image through the public API:
//   etvision_forward_latency MODEL IMAGE [--runs N] [--segment] [--resize]
// MODEL is a built-in name or a .pte path (custom: no normalisation, default
// labels). Prints load time, then min / median / max of N timed forwards
// after two warm-up runs (end to end: file -> decoded image -> result).
#include <etvision/etvision.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

double millisecondsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s MODEL IMAGE [--runs N] [--segment] [--resize]\n", argv[0]);
    return 2;
  }
  int runs = 20;
  bool segment = false;
  bool resize = false;
  for (int i = 3; i < argc; ++i) {
    if (std::strcmp(argv[i], "--runs") == 0 && i + 1 < argc) runs = std::atoi(argv[++i]);
    if (std::strcmp(argv[i], "--segment") == 0) segment = true;
    if (std::strcmp(argv[i], "--resize") == 0) resize = true;
  }
  etvision::ModelDescriptor model;
  if (const auto* builtin = etvision::findModel(argv[1])) {
    model = *builtin;
  } else {
    model.name = argv[1];
    model.modelSource = argv[1];
    if (segment) model.normalization = etvision::kImageNetNormalization;
  }
  const std::string image = argv[2];
  try {
    etvision::ClassificationModule classifier;
    etvision::ImageSegmentationModule segmenter;
    auto start = Clock::now();
    if (segment) {
      segmenter.load(model);
    } else {
      classifier.load(model);
    }
    const double loadMs = millisecondsSince(start);
    std::vector<double> times;
    for (int i = 0; i < runs + 2; ++i) {
      start = Clock::now();
      if (segment) {
        segmenter.forward(image, {}, resize);
      } else {
        classifier.forward(image);
      }
      if (i >= 2) times.push_back(millisecondsSince(start));
    }
    std::sort(times.begin(), times.end());
    std::printf(
        "%s on %s%s: load %.1f ms; forward min %.1f ms, median %.1f ms, max %.1f ms (%d runs)\n",
        model.name.c_str(), image.c_str(), resize ? " (resize)" : "", loadMs, times.front(),
        times[times.size() / 2], times.back(), runs);
  } catch (const etvision::Error& e) {
    std::fprintf(stderr, "error %d: %s\n", static_cast<int>(e.code()), e.what());
    return 1;
  }
  return 0;
}
