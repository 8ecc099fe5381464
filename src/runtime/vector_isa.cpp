#include "etvision/runtime.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

namespace etvision {

namespace {

#if defined(__x86_64__) || defined(__i386__)
// AVX-VNNI (the VEX-encoded VNNI of AVX2 CPUs): CPUID leaf 7, sub-leaf 1,
// EAX bit 4. Read directly, since older compilers' __builtin_cpu_supports
// does not know the name.
bool hasAvxVnni() {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (__get_cpuid_count(7, 1, &eax, &ebx, &ecx, &edx) == 0) return false;
  return (eax & (1u << 4)) != 0;
}
#endif

}  // namespace

const char* vectorIsa() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  // The same CPUID features XNNPACK's dispatch (through cpuinfo) keys on.
  __builtin_cpu_init();
  const bool vnni = __builtin_cpu_supports("avx512vnni");
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512vl")) {
    return vnni ? "AVX-512 with VNNI" : "AVX-512";
  }
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    return hasAvxVnni() ? "AVX2 with VNNI" : "AVX2";
  }
  if (__builtin_cpu_supports("sse4.1")) return "SSE4.1";
  return "baseline";
#else
  return "not x86";
#endif
}

}  // namespace etvision
