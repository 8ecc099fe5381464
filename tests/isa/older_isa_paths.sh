#!/usr/bin/env bash
# etvision's answers on the code paths older CPUs take through everything it
# runs (XNNPACK, OpenCV, libjpeg-turbo, its own target_clones pixel loops),
# checked on this machine: every unit test and the reference-parity and
# same-answer integration tests run again under bench/isa_mask.cpp (LD_AUDIT,
# CPUID faulting), once per class it can show: avx2 (no AVX-512) and
# avx512-skx (AVX-512 without VNNI). A class this CPU is older than is
# skipped with a message (no mask can add features); on an AVX-512 CPU that
# cannot fault on CPUID ctest marks the whole test skipped (exit 77).
#   tests/isa/older_isa_paths.sh ISA_MASK_LIBRARY ETVISION_CLI UNIT_TESTS INTEGRATION_TESTS
set -euo pipefail
mask="$1" cli="$2" unit_tests="$3" integration_tests="$4"

if grep -qw avx512f /proc/cpuinfo && ! grep -qw cpuid_fault /proc/cpuinfo; then
  echo "SKIPPED: this AVX-512 CPU cannot fault on CPUID (no cpuid_fault flag), so no newer feature can be hidden"
  exit 77
fi

# A class the mask does not know stops the process (status 3) with a message,
# rather than showing the host's features under another name.
status=0
message="$(ETVISION_ISA_MASK=avx3 LD_AUDIT="$mask" /bin/true 2>&1)" || status=$?
if [[ "$status" != 3 || "$message" != *"must be avx2 or avx512-skx"* ]]; then
  echo "FAILED: an unknown ETVISION_ISA_MASK ended with status $status ('$message'), not 3"
  exit 1
fi

# The mask takes only CPUID's faults: a crash, or a SIGSEGV sent with kill,
# still ends the process with SIGSEGV's status (128 + 11).
for crash in "kill -SEGV \$\$" "python3 -c 'import ctypes; ctypes.string_at(0)'"; do
  status=0
  ETVISION_ISA_MASK=avx2 LD_AUDIT="$mask" bash -c "ulimit -c 0; $crash" 2>/dev/null || status=$?
  if [[ "$status" != 139 ]]; then
    echo "FAILED: '$crash' under the mask ended with status $status, not 139 (SIGSEGV)"
    exit 1
  fi
done

for class in avx2 avx512-skx; do
  case "$class" in
    avx2) expected="AVX2" ;;
    avx512-skx) expected="AVX-512" ;;
  esac
  if [[ "$class" == avx512-skx ]] && ! grep -qw avx512f /proc/cpuinfo; then
    echo "== $class: not checked, this CPU has no AVX-512 to show"
    continue
  fi
  # etvision::vectorIsa() reads the features libetvision's ifunc resolvers
  # chose from, resolved before any constructor: the expected class here
  # means the mask was in place from the start.
  isa="$(ETVISION_ISA_MASK="$class" LD_AUDIT="$mask" "$cli" --version |
    sed -n 's/^vector ISA: \(.*\) (XNNPACK.*/\1/p')"
  echo "== $class: the process sees vector ISA '$isa'"
  if [[ "$isa" != "$expected" ]]; then
    echo "FAILED: expected '$expected' with $mask loaded"
    exit 1
  fi
  ETVISION_ISA_MASK="$class" LD_AUDIT="$mask" "$unit_tests" --gtest_brief=1
  ETVISION_ISA_MASK="$class" LD_AUDIT="$mask" "$integration_tests" --gtest_brief=1 \
    --gtest_filter='*Parity*:*Match*:*Agree*:*Same*:FastDecode.*:BundledSelfie.*:BundledMobileNet.*'
done
