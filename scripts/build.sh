#!/usr/bin/env bash
# Configures and builds etvision (library, CLI, tests) into build/ (or $1).
# Usage: scripts/build.sh [BUILD_DIR] [extra cmake -D options...]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
build_dir="${1:-build}"
shift || true
# The executorch wheel's imported targets need CMake >= 3.28: use the one in
# .venv (from PyPI), not Debian's 3.25.
cmake=".venv/bin/cmake"
"$cmake" -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="${CMAKE_BUILD_TYPE:-Release}" "$@" >/dev/null
"$cmake" --build "$build_dir" -j "$(nproc)"
