#!/usr/bin/env bash
# Builds and tests the Node.js package (bindings/node): npm install (builds the
# Node-API addon with cmake-js against the C++ library installed from the
# build dir, and compiles the TypeScript), then npm test (node:test suites).
# Needs: scripts/setup.sh and the C++ build (scripts/build.sh build) first.
# Usage: scripts/test_node.sh [BUILD_DIR]   (default: build; or $ETVISION_BUILD_DIR)
# Network: only the npm registry (Node-API headers come from the
# node-api-headers npm package, not nodejs.org).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${1:-${ETVISION_BUILD_DIR:-build}}"
case "$build_dir" in /*) ;; *) build_dir="$root/$build_dir" ;; esac
if [ ! -e "$build_dir/libetvision.so" ]; then
  echo "test_node: $build_dir/libetvision.so not found; run scripts/build.sh first" >&2
  exit 1
fi
if ! command -v npm >/dev/null; then
  echo "test_node: node and npm (Node.js >= 20.17) are required" >&2
  exit 1
fi
node_major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$node_major" -lt 20 ]; then
  # In CI a skipped suite would hide a broken package: fail instead.
  if [ "${CI:-}" = "true" ]; then
    echo "test_node: Node.js $(node --version) is too old for the Node package (needs >= 20.17)" >&2
    exit 1
  fi
  echo "test_node: Node.js $(node --version) is too old for the Node package (needs >= 20.17); skipped" >&2
  exit 0
fi
cd "$root/bindings/node"
export ETVISION_BUILD_DIR="$build_dir"
npm ci --no-audit --no-fund
npm test
