#!/usr/bin/env bash
# Configures and builds etvision (library, CLI, tests) into build/ (or $1).
# Usage: scripts/build.sh [BUILD_DIR] [extra cmake -D options...] [--target T...]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
build_dir="${1:-build}"
shift || true
# The executorch wheel's imported targets need CMake >= 3.28: use the one in
# .venv (from PyPI), not Debian's 3.25.
cmake=".venv/bin/cmake"
configure_args=()
build_args=()
while (($#)); do
  case "$1" in
    --target) build_args+=(--target "$2"); shift 2 ;;
    *) configure_args+=("$1"); shift ;;
  esac
done
"$cmake" -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="${CMAKE_BUILD_TYPE:-Release}" \
  "${configure_args[@]}" >/dev/null
"$cmake" --build "$build_dir" -j "$(nproc)" "${build_args[@]}"
