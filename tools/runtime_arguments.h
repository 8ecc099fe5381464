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

}  // namespace etvision::cli
