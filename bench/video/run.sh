#!/usr/bin/env bash
# Video segmentation + background blur, etvision against MediaPipe, side by
# side in one run on the same clips (issue 12's benchmark):
#   - etvision end to end: `etvision segment CLIP --model mediapipe_selfie
#     --effect blur --output OUT.mp4` (decode, infer, effect, H.264 encode;
#     three threads overlapping; the CLI's video thread default: inference
#     gets the cores the reader and writer leave);
#   - etvision without encoding (--effect none: decode + inference only);
#   - etvision's inference alone (bench/forward_latency --inference-only,
#     the selfie model at 256x256);
#   - MediaPipe's Python ImageSegmenter (Tasks API, VIDEO mode) with the same
#     selfie model (the TFLite original the bundled .pte was converted from)
#     doing the same blur (bench/video/mediapipe_blur.py), with and without
#     encoding.
# Clips: 720p and 1080p, 300 frames at 30 fps, H.264 (as cameras record),
# generated from data/photos/skimage_astronaut.png (a person) panning.
# Figures: frames per second over the whole run (median of --runs runs) and
# CPU seconds per frame (user + sys from /usr/bin/time), per configuration,
# plus the machine's CPU and vector ISA.
#
# Usage: bench/video/run.sh [--runs N] [--tflite PATH] [--out DIR]
#   --runs N      runs per configuration (default 3; the median is reported)
#   --tflite PATH the MediaPipe selfie model (default
#                 /work/shared/models/selfie_segmentation/selfie_segmentation.tflite)
#   --out DIR     clips, outputs, results.json and results.md (default build/bench-video)
# It builds the CLI and the clip writer (scripts/build.sh), makes two
# virtual environments under build/ (mediapipe 1.2.3; tflite-support 0.4.4 to
# add the input metadata MediaPipe Tasks requires), and needs a quiet
# machine: the figures are only as steady as the machine is idle.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

runs=3
tflite=/work/shared/models/selfie_segmentation/selfie_segmentation.tflite
out=build/bench-video
while (($#)); do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --tflite) tflite="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -f "$tflite" ] || { echo "no TFLite selfie model at $tflite (--tflite PATH)" >&2; exit 1; }

scripts/build.sh build --target etvision_cli --target etvision_make_test_video \
  --target etvision_forward_latency >/dev/null
etvision=build/tools/etvision
make_clip=build/tests/cli/etvision_make_test_video

venv=build/bench-video-venv
meta_venv=build/bench-video-meta-venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import mediapipe" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q -r bench/video/requirements.txt
fi
if [ ! -x "$meta_venv/bin/python" ] || ! "$meta_venv/bin/python" -c "import tflite_support" 2>/dev/null; then
  python3 -m venv "$meta_venv"
  "$meta_venv/bin/pip" install -q -r bench/video/requirements-metadata.txt
fi

mkdir -p "$out"
model_with_metadata="$out/selfie_segmentation_with_metadata.tflite"
"$meta_venv/bin/python" bench/video/add_tflite_metadata.py "$tflite" "$model_with_metadata" >/dev/null

for size in 720:1280x720 1080:1920x1080; do
  name="${size%%:*}"; dims="${size#*:}"
  clip="$out/clip_${name}p.mp4"
  [ -f "$clip" ] || "$make_clip" "$clip" "${dims%x*}" "${dims#*x}" 300 30 \
    data/photos/skimage_astronaut.png avc1
done

# run LABEL COMMAND...: one timed run; appends {"label", "cpu_seconds", ...the
# command's JSON line} to $out/runs.jsonl.
run() {
  local label="$1"; shift
  local timing="$out/.time"
  local line
  line="$(/usr/bin/time -f '%U %S' -o "$timing" "$@" 2>/dev/null | tail -n 1)"
  local cpu
  cpu="$(awk '{print $1 + $2}' "$timing")"
  python3 -c 'import json,sys; d=json.loads(sys.argv[1]); d["label"]=sys.argv[2]; d["cpu_seconds"]=float(sys.argv[3]); print(json.dumps(d))' \
    "$line" "$label" "$cpu" >> "$out/runs.jsonl"
}

rm -f "$out/runs.jsonl"
for name in 720 1080; do
  clip="$out/clip_${name}p.mp4"
  for ((i = 0; i < runs; ++i)); do
    # Alternating engines spreads any drift of the machine over both.
    run "${name}p etvision blur+encode" "$etvision" segment "$clip" --model mediapipe_selfie \
      --effect blur --output "$out/etvision_${name}p.mp4" --json
    run "${name}p mediapipe blur+encode" "$venv/bin/python" bench/video/mediapipe_blur.py "$clip" \
      --model "$model_with_metadata" --out "$out/mediapipe_${name}p.mp4" --stages
    run "${name}p etvision decode+infer" "$etvision" segment "$clip" --model mediapipe_selfie \
      --effect none --json
    run "${name}p mediapipe blur, no encode" "$venv/bin/python" bench/video/mediapipe_blur.py \
      "$clip" --model "$model_with_metadata" --out "$out/mediapipe_${name}p.mp4" --no-encode --stages
  done
done
build/bench/etvision_forward_latency mediapipe_selfie --inference-only --runs 200 --json \
  > "$out/inference.json"

python3 bench/video/report.py "$out" > "$out/results.md"
cat "$out/results.md"
