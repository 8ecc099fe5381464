// The options every inference command shares about how it runs (not what):
// --threads and --fast-decode.
#pragma once

#include <CLI/CLI.hpp>

namespace etvision::cli {

struct RuntimeArguments {
  /// Inference threads; 0 leaves ETVISION_NUM_THREADS or the default.
  unsigned threads = 0;
  /// Reduced-resolution JPEG decode for large photos (ClassifyOptions::fastDecode).
  bool fastDecode = false;
};

void addRuntimeOptions(CLI::App& command, RuntimeArguments& arguments);

/// Applies --threads (etvision::setThreadCount); call before loading.
void applyRuntimeArguments(const RuntimeArguments& arguments);

/// For videos: without --threads or ETVISION_NUM_THREADS, inference gets
/// the cores the reader and writer threads leave (hardware threads - 2, at
/// least 1). Measured on 2 cores (720p selfie blur, H.264): 1 inference
/// thread 90.8 fps, 2 threads 81.4 fps, the stages contending for cores.
void applyVideoThreadDefault(const RuntimeArguments& arguments);

}  // namespace etvision::cli
