#!/usr/bin/env bash
# Builds and tests the Node.js package (bindings/node): npm ci (builds the
# Node-API addon with cmake-js against the C++ library installed from the
# build dir, and compiles the TypeScript), npm test (node:test suites,
# including the README's TypeScript/JavaScript examples), then npm run
# test:install (installs the package from other folders, as a folder and as
# a packed tarball, and runs a consumer in each).
# Needs: scripts/setup.sh (it provides a Node.js >= 20.17: the system's, else
# .tools/node) and the C++ build (scripts/build.sh build) first. Never skips:
# no suitable Node.js is a failure.
# Usage: scripts/test_node.sh [BUILD_DIR]   (default: build; or $ETVISION_BUILD_DIR)
# Network: only the npm registry (or npm's cache; Node-API headers come from
# the node-api-headers npm package, not nodejs.org).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${1:-${ETVISION_BUILD_DIR:-build}}"
case "$build_dir" in /*) ;; *) build_dir="$root/$build_dir" ;; esac
if [ ! -e "$build_dir/libetvision.so" ]; then
  echo "test_node: $build_dir/libetvision.so not found; run scripts/build.sh first" >&2
  exit 1
fi
. "$root/scripts/node_env.sh"
etvision_use_node "$root" || { echo "test_node: failed (see above)" >&2; exit 1; }
echo "test_node: node $(node --version) ($(command -v node)), npm $(npm --version)"
cd "$root/bindings/node"
export ETVISION_BUILD_DIR="$build_dir"
npm ci --no-audit --no-fund
npm test
npm run test:install
