#!/usr/bin/env bash
# The main job, offline: installs what is missing, builds, then classifies
# bundled photos with the bundled MobileNetV2 and segments one with the
# bundled MediaPipe selfie model, writing an overlay picture.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# The runtime set-up only (no torch) and only what the demo runs: the
# library and the CLI.
scripts/setup.sh
scripts/build.sh build -DETVISION_BUILD_TESTS=OFF -DETVISION_BUILD_BENCHMARKS=OFF
echo
echo "== etvision classify (bundled MobileNetV2, bundled photos) =="
build/tools/etvision classify --model mobilenet_v2 --top 3 \
  data/photos/skimage_chelsea.png data/photos/skimage_coffee.png \
  data/photos/wonnx_pelican.jpeg data/photos/mpl_grace_hopper.jpg

echo
echo "== etvision segment (bundled MediaPipe selfie model, bundled photo) =="
mkdir -p out
build/tools/etvision segment --model mediapipe_selfie --resize \
  data/photos/skimage_astronaut.png --overlay out/astronaut_overlay.png
echo
echo "Overlay written to $root/out/astronaut_overlay.png"
