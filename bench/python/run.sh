#!/usr/bin/env bash
# Images/s of MobileNetV2 fp32 over data/photos, in one run: etvision's C++
# classifyBatch, etvision's Python classify_batch, ONNX Runtime in-process,
# and etvision / ONNX Runtime under Ray Data with 1 actor x 2 threads and
# 2 actors x 1 thread. Writes build/bench-results/python-ray.md and .json.
#
# Usage: bench/python/run.sh [--quick] [--passes N] [--ray-passes N]
#                            [--repeat N] [--cpus N] [--ray-timeout S] [--out DIR]
#   --quick          smoke test: 3 batch passes; Ray: 100 images, 1 warm pair
#   --passes N       timed passes of the batch calls / C++ repetitions (default 20)
#   --ray-passes N   warm pairs of Ray jobs (N and 2N images) after job 1 (default 2)
#   --repeat N       photos repeated N times per Ray job (default 20: 200 images)
#   --cpus N         in-process threads and Ray cluster CPUs (default 2)
#   --ray-timeout S  watchdog per Ray job (default 300 s)
#   --out DIR        report directory (default build/bench-results)
#
# It runs scripts/setup.sh --dev, builds the C++ micro benchmark
# (build/bench/micro/etvision_micro_benchmarks) and, when build/python-dist
# holds none, the etvision wheel; it creates or updates the torch-free
# venv build/bench-python-venv (etvision[ray] + onnxruntime) and exports the
# ONNX model once into build/bench-python/ with .venv's torch. Run it on an
# idle machine: the figures are only as steady as the machine is quiet.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

for arg in "$@"; do
  case "$arg" in
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
  esac
done

# Everything it needs, from the README's set-up: the development environment
# (torch, for the ONNX export), the C++ micro benchmark and the wheel.
scripts/setup.sh --dev
scripts/build.sh build -DETVISION_BUILD_BENCHMARKS=ON --target etvision_micro_benchmarks
if ! compgen -G "build/python-dist/etvision-*.whl" >/dev/null; then
  echo "== building the etvision wheel into build/python-dist"
  .venv/bin/python -m pip wheel -q --no-deps -w build/python-dist ./bindings/python
fi

venv="build/bench-python-venv"
onnx="build/bench-python/mobilenet_v2_fp32.onnx"
ort_pin="onnxruntime==$(sed -n 's/^onnxruntime==//p' bench/requirements.txt)"
shopt -s nullglob
wheels=(build/python-dist/etvision-*.whl)
shopt -u nullglob
if ((${#wheels[@]} != 1)); then
  echo "expected one wheel in build/python-dist, found ${#wheels[@]}" >&2
  exit 1
fi
wheel="${wheels[0]}"

# 1. The torch-free venv: reinstalled whenever the wheel changes.
if [[ ! -x "$venv/bin/python" ]]; then
  echo "== creating $venv"
  python3 -m venv "$venv"
fi
stamp="$venv/.etvision-wheel.sha256"
wheel_sum="$(sha256sum "$wheel" | cut -d' ' -f1)"
if [[ "$(cat "$stamp" 2>/dev/null)" != "$wheel_sum" ]]; then
  echo "== installing $wheel[ray] and $ort_pin into $venv"
  "$venv/bin/python" -m pip install --quiet --force-reinstall --no-deps "$wheel"
  "$venv/bin/python" -m pip install --quiet "$wheel[ray]" "$ort_pin"
  echo "$wheel_sum" >"$stamp"
fi
if "$venv/bin/python" -c 'import torch' 2>/dev/null; then
  echo "$venv has torch installed; the benchmark venv must stay torch-free" >&2
  exit 1
fi

# 2. The ONNX model, exported once with .venv's torch (cached).
if [[ ! -f "$onnx" || ! -f "${onnx%.onnx}.json" ]]; then
  # The exporter needs onnx + onnxscript from bench/requirements.txt (pip
  # installs only what is missing).
  .venv/bin/python -m pip install --quiet -r bench/requirements.txt
  echo "== exporting $onnx"
  .venv/bin/python bench/python/export_onnx.py --out "$onnx"
fi

# 3. Measure; every configuration runs in its own process.
# (throughput.py's default --onnx is "$onnx".)
exec "$venv/bin/python" bench/python/throughput.py "$@"
