#!/usr/bin/env bash
# etvision side by side with its peers, on the same models, weights and input
# sizes, on this machine, in one run:
#   1. etvision (C++): end to end through the public API (photo file ->
#      result) and the ExecuTorch forward alone (bench/forward_latency.cpp);
#   2. ExecuTorch's own Python runtime on the same .pte;
#   3. ONNX Runtime (CPU EP, intra-op threads = physical cores) on the same
#      module exported to ONNX (int8: static QDQ, per-channel, calibrated on
#      data/photos);
#   4. PyTorch eager (fp32 only).
# Models: EfficientNetV2-S (224, 384) and DeepLabV3-ResNet50 (224, 520) with
# the test fixtures' seeded weights, fp32 and int8; the bundled MobileNetV2
# (fp32, int8) and MediaPipe selfie segmentation (fp32, 256). Figures: load
# time, median / min latency, peak RSS (one process per configuration),
# GFLOP/s and share of the machine's fp32 FMA peak (bench/fma_peak.cpp),
# ratio to ONNX Runtime, numerics vs PyTorch eager fp32, and throughput over
# the photos in data/photos (etvision vs ONNX Runtime + PIL/NumPy).
#
# Usage: bench/run.sh [--quick] [--runs N] [--only PATTERN] [--out DIR]
#                     [--models-dir DIR] [--build-dir DIR] [--isa CLASS]
#   --quick           224 (selfie 256) sizes only, 5 runs, 1 throughput pass
#                     (a smoke test of the whole harness)
#   --runs N          timed runs per latency figure (default 20; 3 warm-ups)
#   --only PATTERN    regex over MODEL-SIZE-DTYPE/ENGINE, e.g.
#                     'efficientnet_v2_s-384', 'int8', '/onnxruntime$',
#                     'mobilenet|selfie'. Engines: etvision_e2e,
#                     etvision_inference, executorch_python, onnxruntime,
#                     torch_eager, etvision_folder, etvision_batch,
#                     onnxruntime_folder
#   --out DIR         results.json and results.md (default build/bench-results)
#   --models-dir DIR  exported models, reused while their generator inputs are
#                     unchanged (default build/bench-models)
#   --build-dir DIR   CMake build directory for the C++ benchmarks (default build)
#   --isa CLASS       measure every engine's kernels for an older CPU class
#                     than this one: avx2 (no AVX-512) or avx512-skx (AVX-512
#                     without VNNI). Each measured process loads
#                     bench/isa_mask.cpp (LD_AUDIT), which hides the newer
#                     features from CPUID (needs the cpuid_fault CPU flag;
#                     stops with an error without it). Same cores and caches:
#                     it compares the engines' paths for that class, it does
#                     not stand for a machine of that class.
#
# It runs scripts/setup.sh --dev (torch, for the export and the peers), builds
# etvision_forward_latency and etvision_fma_peak (scripts/build.sh),
# installs bench/requirements.txt into .venv when missing, exports the models
# (first run: minutes per model and size), then measures. Run it on a quiet
# machine: the figures are only as steady as the machine is idle.
# Example: nice bench/run.sh --quick; bench/run.sh --only 'mobilenet' --runs 50
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

quick=0
runs=""
only=""
out="build/bench-results"
models_dir="build/bench-models"
build_dir="build"
isa_class=""
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
while (($#)); do
  case "$1" in
    --quick) quick=1; shift ;;
    --runs) runs="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --models-dir) models_dir="$2"; shift 2 ;;
    --build-dir) build_dir="$2"; shift 2 ;;
    --isa) isa_class="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
  esac
done

# The peers and the model export need torch: the development environment.
scripts/setup.sh --dev
python=".venv/bin/python"
if ! "$python" - <<'PY' 2>/dev/null
import importlib.metadata as md, pathlib, re, sys
for line in pathlib.Path("bench/requirements.txt").read_text().splitlines():
    m = re.match(r"([A-Za-z0-9_.-]+)==(\S+)", line.strip())
    if m and md.version(m[1]) != m[2]:
        sys.exit(1)
PY
then
  echo "== installing bench/requirements.txt into .venv"
  "$python" -m pip install --quiet -r bench/requirements.txt
fi

echo "== building the C++ benchmarks in $build_dir"
scripts/build.sh "$build_dir" -DETVISION_BUILD_BENCHMARKS=ON \
  --target etvision_forward_latency --target etvision_fma_peak --target etvision_isa_mask

args=(--build-dir "$build_dir" --cache "$models_dir" --out "$out")
[[ -n "$isa_class" ]] && args+=(--isa "$isa_class" --isa-mask "$build_dir/bench/libetvision_isa_mask.so")
if ((quick)); then
  args+=(--quick --runs "${runs:-5}" --throughput-passes 1)
else
  args+=(--runs "${runs:-20}")
fi
[[ -n "$only" ]] && args+=("--only=$only")  # "=": a pattern may start with "-"
echo "== measuring"
PYTHONPATH="$root/bench:$root/python${PYTHONPATH:+:$PYTHONPATH}" exec "$python" -m peers.main "${args[@]}"
