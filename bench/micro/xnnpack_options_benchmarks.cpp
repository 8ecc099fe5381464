// The XNNPACK delegate's load-time options on the bundled MobileNetV2: load
// time and resident memory of four copies of one model (counter
// rss_added_mib), and forward latency, for the backend
// defaults, "weight_cache_enabled" and "workspace_sharing_mode".
#include <benchmark/benchmark.h>

#include <unistd.h>

#include <cstdio>
#include <memory>
#include <vector>

#include "etvision/models.h"
#include "runtime/executorch_model.h"

namespace etvision::bench {
namespace {

double residentMiB() {
  long pages = 0;
  long resident = 0;
  if (std::FILE* statm = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(statm, "%ld %ld", &pages, &resident) != 2) resident = 0;
    std::fclose(statm);
  }
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) /
         (1024.0 * 1024.0);
}

// Argument: 0 backend defaults, 1 weight cache on, 2 workspace sharing per
// model, 3 global workspace sharing.
detail::XnnpackOptions optionsFor(std::int64_t variant) {
  switch (variant) {
    case 1: return {.weightCache = true};
    case 2: return {.workspaceSharing = 1};
    case 3: return {.workspaceSharing = 2};
    default: return {};
  }
}

/// Loads four copies of the model (as four modules would) and keeps them
/// alive: time per iteration, and the resident memory they add, measured in
/// the first iteration only. The allocator reuses freed memory, so for a
/// true rss_added_mib run one variant per process
/// (--benchmark_filter='XnnpackFourCopies/1$').
void BM_XnnpackFourCopies(benchmark::State& state) {
  const detail::XnnpackOptions options = optionsFor(state.range(0));
  // Google Benchmark calls this function several times (to size the
  // iteration count); only the process's first iteration sees fresh memory.
  static double added = -1.0;
  for (auto _ : state) {
    const double before = residentMiB();
    std::vector<std::unique_ptr<detail::ExecutorchModel>> copies;
    for (int i = 0; i < 4; ++i) {
      copies.push_back(detail::openModel(MOBILENET_V2, {}, options));
      copies.back()->run();
    }
    state.PauseTiming();
    if (added < 0.0) added = residentMiB() - before;
    copies.clear();
    state.ResumeTiming();
  }
  state.counters["rss_added_mib"] = added;
}

void BM_XnnpackForward(benchmark::State& state) {
  const auto model = detail::openModel(MOBILENET_V2, {}, optionsFor(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(model->run());
}

BENCHMARK(BM_XnnpackFourCopies)->DenseRange(0, 3)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_XnnpackForward)->DenseRange(0, 3)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace etvision::bench
