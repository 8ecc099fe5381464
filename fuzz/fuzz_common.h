// Shared helpers for the libFuzzer targets in fuzz/.
//
// Contract of every target: bad input may only ever surface as an
// etvision::Error. Any other exception escapes LLVMFuzzerTestOneInput, which
// libFuzzer reports as a crash ("uncaught exception" -> abort -> deadly
// signal); sanitizer reports, signals and timeouts are crashes too, and a
// broken invariant calls fuzzCheckFailed (abort with a message).
#pragma once

#include <cstdio>
#include <cstdlib>

#include "etvision/error.h"

namespace etvision::fuzz {

[[noreturn]] inline void fuzzCheckFailed(const char* what, const char* file, int line) {
  std::fprintf(stderr, "\n*** fuzz invariant failed at %s:%d: %s\n", file, line, what);
  std::fflush(stderr);
  std::abort();
}

}  // namespace etvision::fuzz

#define FUZZ_CHECK(cond) \
  ((cond) ? static_cast<void>(0) : ::etvision::fuzz::fuzzCheckFailed(#cond, __FILE__, __LINE__))

// Runs `body`; an etvision::Error is the expected outcome for bad input and
// is swallowed. Anything else propagates (and is reported as a crash).
#define FUZZ_EXPECT_ONLY_ETVISION_ERRORS(body) \
  try {                                        \
    body;                                      \
  } catch (const ::etvision::Error&) {         \
  }
