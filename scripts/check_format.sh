#!/usr/bin/env bash
# Fails when a C++ file under include/, src/, tools/, tests/ or bench/ is not
# clang-formatted (.clang-format). Run with --fix to reformat in place.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mapfile -t files < <(git ls-files -- 'include/*.h' 'src/*.h' 'src/*.cpp' 'tools/*.h' 'tools/*.cpp' \
  'tests/*.h' 'tests/*.cpp' 'bench/*.cpp' 'bench/*.h' 'bindings/*.cpp' 'bindings/*.cc' 'bindings/*.h')
if [ "${1:-}" = "--fix" ]; then
  clang-format -i "${files[@]}"
else
  clang-format --dry-run -Werror "${files[@]}"
  echo "format: ${#files[@]} files ok"
fi
