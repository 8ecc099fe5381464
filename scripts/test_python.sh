#!/usr/bin/env bash
# Builds and tests the Python package (bindings/python):
#   1. builds the wheel (pip wheel; scikit-build-core compiles the C++ library
#      from this tree, reusing build/python/ between runs);
#   2. installs it with its [ray,test] extras into a fresh, torch-free virtual
#      environment (build/python-venv), checks that no torch / CUDA package
#      came along and prints the install sizes;
#   3. runs the pytest suite there (everything but the executorch-marked
#      tests), Ray tests included (a local Ray cluster started by the tests);
#   4. installs the same wheel into .venv, which has the executorch wheel and
#      torch, and runs the tests that need ExecuTorch's Python runtime in the
#      same process (-m executorch).
# Needs: scripts/setup.sh and the C++ build (the tests compare with the CLI).
# Usage: scripts/test_python.sh [BUILD_DIR]   (default: build)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
build_dir="${1:-build}"
case "$build_dir" in /*) ;; *) build_dir="$root/$build_dir" ;; esac
if [ ! -x "$build_dir/tools/etvision" ]; then
  echo "test_python: $build_dir/tools/etvision not found; run scripts/build.sh first" >&2
  exit 1
fi

dist="$build_dir/python-dist"
venv="$build_dir/python-venv"
rm -rf "$dist" "$venv"
echo "== Python: wheel =="
.venv/bin/python -m pip wheel -q --no-deps -w "$dist" ./bindings/python
wheel="$(ls "$dist"/etvision-*.whl)"
echo "wheel: $(basename "$wheel") $(du -h "$wheel" | cut -f1)"

echo "== Python: install into a fresh environment =="
python3 -m venv "$venv"
"$venv/bin/python" -m pip install -q --upgrade pip
"$venv/bin/python" -m pip install -q "$wheel"
site="$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
echo "installed (etvision + numpy): $(du -sh "$site" | cut -f1) site-packages," \
  "etvision $(du -sh "$site/etvision" | cut -f1)"
"$venv/bin/python" -m pip install -q "$wheel[ray,test]"
echo "with [ray,test]: $(du -sh "$site" | cut -f1) site-packages"
heavy="$("$venv/bin/python" -m pip list --format=freeze | grep -iE '^(torch|torchvision|torchaudio|triton|nvidia-|cuda-)' || true)"
if [ -n "$heavy" ]; then
  echo "test_python: installing etvision pulled in packages it must not:" >&2
  echo "$heavy" >&2
  exit 1
fi
echo "no torch, torchvision or CUDA packages installed"

# From the repository root, so that bindings/python/etvision (the sources)
# cannot shadow the installed package.
echo "== Python: pytest (fresh environment) =="
ETVISION_BUILD_DIR="$build_dir" "$venv/bin/python" -m pytest -p no:cacheprovider \
  -m "not executorch" bindings/python/tests

echo "== Python: pytest (with ExecuTorch's Python runtime in the same process) =="
cd "$root"
.venv/bin/python -m pip install -q --force-reinstall --no-deps "$wheel"
.venv/bin/python -m pip install -q pytest==9.2.0
ETVISION_BUILD_DIR="$build_dir" .venv/bin/python -m pytest -p no:cacheprovider -m executorch \
  bindings/python/tests/test_executorch_coexistence.py
