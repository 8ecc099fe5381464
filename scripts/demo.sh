#!/usr/bin/env bash
# The main job, offline: installs what is missing, builds, then classifies
# bundled photos with the bundled MobileNetV2.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
scripts/setup.sh
scripts/build.sh build
echo
echo "== etvision classify (bundled MobileNetV2, bundled photos) =="
build/tools/etvision classify --model mobilenet_v2 --top 3 \
  data/photos/skimage_chelsea.png data/photos/skimage_coffee.png \
  data/photos/wonnx_pelican.jpeg data/photos/mpl_grace_hopper.jpg
