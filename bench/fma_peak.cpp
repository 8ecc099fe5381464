// The machine's fp32 multiply-add peak, to put model GFLOP/s in proportion:
//   etvision_fma_peak [--seconds S] [--json]
// Prints GFLOP/s on one thread and on one thread per hardware thread
// (std::thread), counting a fused multiply-add as 2 FLOPs.
//
// Each thread runs kChains independent accumulator chains so that the FMA
// latency (4-5 cycles on current x86 cores, with two FMA pipes) is hidden:
// a single chain would measure latency, not throughput. The widest vector
// ISA the CPU has is measured: AVX-512F (16 floats per FMA) when present,
// else AVX2/FMA (8), else scalar; XNNPACK and ONNX Runtime pick their
// kernels the same way, so a "% of peak" against a narrower kernel would
// exceed 100%. Each kernel is compiled with a target attribute and chosen at
// run time, so the binary needs no global -mavx512f/-mavx2 and still runs
// elsewhere. The JSON says which kernel ran ("kernel").
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define ETVISION_FMA_PEAK_X86 1
#endif

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kChains = 12;
constexpr long kInnerIterations = 1 << 16;

/// Runs `blocks` x kInnerIterations x kChains vector FMAs; returns a value
/// that depends on every chain so the compiler cannot drop the work.
using Kernel = float (*)(long blocks);
struct KernelInfo {
  Kernel kernel;
  const char* name;
  int floatsPerFma;
};

#ifdef ETVISION_FMA_PEAK_X86
__attribute__((target("avx512f"))) float avx512FmaKernel(long blocks) {
  __m512 acc[kChains];
  for (int c = 0; c < kChains; ++c) acc[c] = _mm512_set1_ps(0.001f * static_cast<float>(c));
  const __m512 multiplier = _mm512_set1_ps(0.999999f);
  const __m512 addend = _mm512_set1_ps(1e-7f);
  for (long b = 0; b < blocks; ++b) {
    for (long i = 0; i < kInnerIterations; ++i) {
      for (int c = 0; c < kChains; ++c) acc[c] = _mm512_fmadd_ps(acc[c], multiplier, addend);
    }
  }
  __m512 sum = acc[0];
  for (int c = 1; c < kChains; ++c) sum = _mm512_add_ps(sum, acc[c]);
  // Stored and summed (GCC 12's _mm512_reduce_add_ps trips -Wuninitialized).
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, sum);
  float total = 0;
  for (float lane : lanes) total += lane;
  return total;
}

__attribute__((target("avx2,fma"))) float avx2FmaKernel(long blocks) {
  __m256 acc[kChains];
  for (int c = 0; c < kChains; ++c) acc[c] = _mm256_set1_ps(0.001f * static_cast<float>(c));
  const __m256 multiplier = _mm256_set1_ps(0.999999f);
  const __m256 addend = _mm256_set1_ps(1e-7f);
  for (long b = 0; b < blocks; ++b) {
    for (long i = 0; i < kInnerIterations; ++i) {
      for (int c = 0; c < kChains; ++c) acc[c] = _mm256_fmadd_ps(acc[c], multiplier, addend);
    }
  }
  __m256 sum = acc[0];
  for (int c = 1; c < kChains; ++c) sum = _mm256_add_ps(sum, acc[c]);
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, sum);
  float total = 0;
  for (float lane : lanes) total += lane;
  return total;
}
#endif

float scalarKernel(long blocks) {
  float acc[kChains];
  for (int c = 0; c < kChains; ++c) acc[c] = 0.001f * static_cast<float>(c);
  for (long b = 0; b < blocks; ++b) {
    for (long i = 0; i < kInnerIterations; ++i) {
      for (int c = 0; c < kChains; ++c) acc[c] = acc[c] * 0.999999f + 1e-7f;
    }
  }
  float total = 0;
  for (float a : acc) total += a;
  return total;
}

KernelInfo pickKernel() {
#ifdef ETVISION_FMA_PEAK_X86
  if (__builtin_cpu_supports("avx512f")) return {avx512FmaKernel, "avx512f_fma", 16};
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    return {avx2FmaKernel, "avx2_fma", 8};
  }
#endif
  return {scalarKernel, "scalar", 1};
}

double flopsPerBlock(const KernelInfo& info) {
  return 2.0 * kChains * static_cast<double>(kInnerIterations) * info.floatsPerFma;
}

/// Blocks one thread runs in about `seconds`.
long calibrateBlocks(const KernelInfo& info, double seconds) {
  long blocks = 1;
  for (;;) {
    const auto start = Clock::now();
    volatile float sink = info.kernel(blocks);
    (void)sink;
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    if (elapsed > 0.05) {
      return std::max(1L, static_cast<long>(static_cast<double>(blocks) * seconds / elapsed));
    }
    blocks *= 2;
  }
}

/// GFLOP/s of `threads` threads each running `blocks` blocks, started
/// together; the best of three attempts (the peak, not the average).
double measure(const KernelInfo& info, int threads, long blocks) {
  double best = 0;
  for (int attempt = 0; attempt < 3; ++attempt) {
    std::atomic<int> ready{0};
    std::atomic<bool> go{false};
    std::vector<std::thread> workers;
    std::vector<float> sinks(static_cast<std::size_t>(threads));
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back([&, t] {
        ready.fetch_add(1);
        while (!go.load()) std::this_thread::yield();
        sinks[static_cast<std::size_t>(t)] = info.kernel(blocks);
      });
    }
    while (ready.load() < threads) std::this_thread::yield();
    const auto start = Clock::now();
    go.store(true);
    for (auto& worker : workers) worker.join();
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    best =
        std::max(best, flopsPerBlock(info) * static_cast<double>(blocks) * threads / elapsed / 1e9);
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 0.5;
  bool json = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
      seconds = std::atof(argv[++i]);
    } else if (std::strcmp(argv[i], "--json") == 0) {
      json = true;
    } else {
      std::fprintf(stderr, "usage: %s [--seconds S] [--json]\n", argv[0]);
      return 2;
    }
  }
  if (seconds <= 0) seconds = 0.5;
  const KernelInfo info = pickKernel();
  const int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const long blocks = calibrateBlocks(info, seconds);
  const double single = measure(info, 1, blocks);
  const double all = measure(info, threads, blocks);
  if (json) {
    std::printf(
        "{\"kernel\": \"%s\", \"chains\": %d, \"threads\": %d, \"single_thread_gflops\": %.2f, "
        "\"all_threads_gflops\": %.2f}\n",
        info.name, kChains, threads, single, all);
  } else {
    std::printf(
        "fp32 FMA peak (%s kernel, %d chains): %.1f GFLOP/s on 1 thread, %.1f GFLOP/s on %d\n",
        info.name, kChains, single, all, threads);
  }
  return 0;
}
