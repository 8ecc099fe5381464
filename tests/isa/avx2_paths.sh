#!/usr/bin/env bash
# etvision's answers on the AVX2 code paths of everything it runs (XNNPACK,
# OpenCV, libjpeg-turbo, its own target_clones pixel loops), checked on an
# AVX-512 machine: the reference-parity and same-answer integration tests run
# again, with every unit test, with AVX-512 hidden from the process by
# bench/hide_avx512.cpp (LD_AUDIT, CPUID faulting). On a CPU without AVX-512 they are the normal
# tests again. ctest marks the test skipped (exit 77) where the CPU cannot
# fault on CPUID, and says why.
#   tests/isa/avx2_paths.sh AUDIT_LIBRARY ETVISION_CLI UNIT_TESTS INTEGRATION_TESTS
set -euo pipefail
audit="$1" cli="$2" unit_tests="$3" integration_tests="$4"

if grep -qw avx512f /proc/cpuinfo && ! grep -qw cpuid_fault /proc/cpuinfo; then
  echo "SKIPPED: this AVX-512 CPU cannot fault on CPUID (no cpuid_fault flag), so AVX-512 cannot be hidden"
  exit 77
fi
# etvision::vectorIsa() reads the features libetvision's ifunc resolvers
# chose from, resolved before any constructor: AVX2 here means the hiding
# was in place from the start.
isa="$(LD_AUDIT="$audit" "$cli" --version | sed -n 's/^vector ISA: \([^ ]*\).*/\1/p')"
echo "vector ISA seen with AVX-512 hidden: $isa"
if [[ "$isa" != AVX2 ]]; then
  echo "FAILED: expected AVX2 with $audit loaded"
  exit 1
fi
LD_AUDIT="$audit" "$unit_tests" --gtest_brief=1
LD_AUDIT="$audit" exec "$integration_tests" \
  --gtest_filter='*Parity*:*Match*:*Agree*:*Same*:FastDecode.*:BundledSelfie.*:BundledMobileNet.*'
