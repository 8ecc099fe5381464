// Process-wide runtime settings: the inference thread count.
//
// Every model in the process runs on ExecuTorch's one shared thread pool
// (the XNNPACK delegate and the optimized kernels split each inference
// across it), so its size is a process-wide setting, not a module's.
// Segmentation's per-pixel softmax and argmax run on the same pool. OpenCV,
// which decodes and resizes the images and maps, keeps its own threads
// (cv::setNumThreads).
//
//   etvision::setThreadCount(1);   // e.g. a server running one model per core
//   unsigned n = etvision::threadCount();
//
// Default: what ExecuTorch picks at first use (one thread per performant
// core), unless the environment variable ETVISION_NUM_THREADS (1 to 256) is
// set when etvision first loads a model or calls one of these functions.
//
// Threading: both functions are thread-safe. setThreadCount() waits for
// running inferences and model loads to finish, replaces the pool, and lets
// the next ones proceed; models already loaded rebuild their delegate state
// for the new pool on their next inference (a one-off cost of about a model
// load's preparation step). Results do not depend on the thread count.
//
// Errors: setThreadCount() throws Error(InvalidUserInput) for more than 256
// threads; both throw Error(InvalidUserInput) when ETVISION_NUM_THREADS is
// set to anything but an integer from 1 to 256, and Error(Internal) when
// ExecuTorch cannot create its pool.
#pragma once

#include "etvision/export.h"

namespace etvision {

/// Sets the number of inference threads for the whole process; 0 restores
/// the default (ExecuTorch's choice, not ETVISION_NUM_THREADS).
ETVISION_API void setThreadCount(unsigned count);

/// The number of inference threads now.
ETVISION_API unsigned threadCount();

/// The widest x86 vector extensions this CPU has, which decide the kernels
/// XNNPACK dispatches to at run time: "AVX-512 with VNNI", "AVX-512",
/// "AVX2 with VNNI", "AVX2", "SSE4.1" or "baseline"; what other
/// architectures have is not detected ("not x86"). Figures depend on it, so
/// benchmarks and --version print it.
ETVISION_API const char* vectorIsa() noexcept;

}  // namespace etvision
