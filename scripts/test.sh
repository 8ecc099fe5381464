#!/usr/bin/env bash
# The whole test suite: installs what is missing (scripts/setup.sh --dev:
# the test and export tooling too), builds, generates the test
# models (python/make_fixtures.py, cached in build/fixtures), runs every test
# through ctest, builds and tests the Node.js package (bindings/node) and the
# Python package (bindings/python, with a local Ray cluster), tests the model
# export tooling (tests/python: python/conv_rewrites.py), then
# rebuilds with AddressSanitizer + UndefinedBehaviorSanitizer
# and runs the unit and integration tests again under them, runs the
# concurrency tests under ThreadSanitizer, and finally fuzzes every libFuzzer
# target for a bounded, repeatable number of inputs (scripts/test_fuzz.sh).
#
# scripts/test.sh --quick is the inner loop: format, the Release build and the
# unit, integration and CLI tests (ctest labels), nothing else.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
quick=0
case "${1:-}" in
  --quick) quick=1 ;;
  "") ;;
  *) echo "usage: scripts/test.sh [--quick]" >&2; exit 2 ;;
esac
scripts/setup.sh --dev
ctest=".venv/bin/ctest"

echo "== format =="
scripts/check_format.sh

echo "== build (Release) =="
scripts/build.sh build -DETVISION_BUILD_TESTS=ON -DETVISION_BUILD_BENCHMARKS=ON
echo "== tests (Release) =="
if ((quick)); then
  "$ctest" --test-dir build --output-on-failure -j 2 -L 'unit|integration|cli'
  exit 0
fi
"$ctest" --test-dir build --output-on-failure -j 2

echo "== Node.js package (bindings/node) =="
scripts/test_node.sh build

echo "== Python package (bindings/python) =="
scripts/test_python.sh build

echo "== export tooling (python/: tests/python) =="
.venv/bin/python -m pytest -p no:cacheprovider -q tests/python

echo "== build (ASan + UBSan) =="
scripts/build.sh build-asan -DCMAKE_BUILD_TYPE=Debug -DETVISION_SANITIZE=address,undefined \
  -DETVISION_FIXTURES_DIR="$root/build/fixtures"
echo "== tests (ASan + UBSan) =="
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  "$ctest" --test-dir build-asan --output-on-failure -j 2 -E "package\\.|Parity"

echo "== concurrency tests (ThreadSanitizer) =="
scripts/build.sh build-tsan -DCMAKE_BUILD_TYPE=Debug -DETVISION_SANITIZE=thread \
  -DETVISION_BUILD_BENCHMARKS=OFF -DETVISION_FIXTURES_DIR="$root/build/fixtures" \
  --target etvision_integration_tests
TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$root/tests/tsan.supp" build-tsan/tests/etvision_integration_tests \
  --gtest_filter='*Concurrent*:*Racing*:*WhileWaitingForAnotherDownload*:Video*'

echo "== fuzzing (libFuzzer, fixed seed, bounded) =="
scripts/test_fuzz.sh
