#!/usr/bin/env bash
# Reproduces the bundled MobileNetV2 programs in models/mobilenet_v2/ from the
# float32 torchvision state_dict described in models/mobilenet_v2/PROVENANCE.md,
# then checks them against the reference predictions (python/verify_bundled.py).
#
#   python/export_bundled.sh [path/to/mobilenet_v2_imagenet_float.pth]
#
# Environment: PYTHON (default .venv/bin/python), ETV_PHOTOS_DIR (default
# data/photos: the int8 calibration set and the parity photo).
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-.venv/bin/python}
PTH=${1:-/work/shared/models/mobilenet_v2_imagenet/mobilenet_v2_imagenet_float.pth}
PTH_SHA256=f0aa164415ffbd4c53eea396e86dc98009c57f3cdc204ccaa50d4b1d0befbb39
OUT=models/mobilenet_v2

# ImageNet mean/std are applied by the caller (--normalize outside), as the
# model config shipped with the C++ library says.
for q in fp32 int8; do
  # The names of the built-in descriptors (include/etvision/models.h), which
  # the programs carry in their metadata.
  extra=(--name mobilenet_v2)
  # minmax: see "int8 calibration" in models/mobilenet_v2/PROVENANCE.md.
  [ "$q" = int8 ] && extra=(--name mobilenet_v2_quantized --quantize int8 --act-observer minmax)
  "$PY" python/export_classifier.py --arch mobilenet_v2 \
    --weights "$PTH" --weights-sha256 "$PTH_SHA256" \
    --input-size 224 224 --normalize outside "${extra[@]}" \
    --out "$OUT/mobilenet_v2_xnnpack_$q.pte" --reference-dir "$OUT/parity"
done

"$PY" python/verify_bundled.py --model-dir "$OUT"
