#!/usr/bin/env python3
"""The peer of `etvision segment VIDEO --effect blur`: MediaPipe's Python
ImageSegmenter (Tasks API, VIDEO running mode) with the same selfie model
(the TFLite original the bundled .pte was converted from), doing the same
background blur, on the same clip.

    mediapipe_blur.py CLIP --model selfie_with_metadata.tflite --out OUT.mp4 [--stages]

The effect matches etvision's (src/render/effects.cpp): the person
probability is feathered with a smoothstep from 0.25 to 0.75, the background
is the frame blurred with sigma 12 (computed at a quarter of the size, as
etvision does, so both do the same work), and out = a * frame + (1 - a) * bg.
Temporal smoothing 0.5 between frames, as the CLI's default. Frames are
decoded and encoded with opencv-python's FFmpeg (its wheel has no H.264
encoder: MPEG-4 part 2, 'mp4v'). Prints one JSON line: frames, seconds, fps,
and with --stages the seconds spent per stage (decode, segment, effect,
encode), measured on this one thread.

MediaPipe Tasks needs input-normalisation metadata in the model; the
original has none, so bench/video/run.sh gives this script a copy with it
(add_tflite_metadata.py: mean 0, std 255, i.e. [0, 1] input as the model was
trained). MediaPipe's XNNPACK thread count is not settable from its Python
API; it keeps its default.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import cv2
import numpy as np


def blur_background(frame: np.ndarray, sigma: float) -> np.ndarray:
    h, w = frame.shape[:2]
    small = cv2.resize(frame, (w // 4, h // 4), interpolation=cv2.INTER_LINEAR)
    small = cv2.GaussianBlur(small, (0, 0), sigma / 4)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("clip", type=Path)
    ap.add_argument("--model", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--no-encode", action="store_true", help="skip writing the video")
    ap.add_argument("--stages", action="store_true")
    args = ap.parse_args()

    import mediapipe as mp
    from mediapipe.tasks.python import BaseOptions
    from mediapipe.tasks.python.vision import ImageSegmenter, ImageSegmenterOptions, RunningMode

    args.out.parent.mkdir(parents=True, exist_ok=True)
    options = ImageSegmenterOptions(
        base_options=BaseOptions(model_asset_path=str(args.model)),
        running_mode=RunningMode.VIDEO, output_confidence_masks=True,
        output_category_mask=False)

    cap = cv2.VideoCapture(str(args.clip))
    if not cap.isOpened():
        raise SystemExit(f"cannot open {args.clip}")
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    width = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH))
    height = int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
    writer = None
    if not args.no_encode:
        writer = cv2.VideoWriter(str(args.out), cv2.VideoWriter_fourcc(*"mp4v"), fps,
                                 (width, height))
    stage = {"decode": 0.0, "segment": 0.0, "effect": 0.0, "encode": 0.0}
    previous = None
    frames = 0
    start = time.perf_counter()
    with ImageSegmenter.create_from_options(options) as segmenter:
        while True:
            t0 = time.perf_counter()
            ok, bgr = cap.read()
            if not ok:
                break
            rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
            t1 = time.perf_counter()
            result = segmenter.segment_for_video(
                mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb), int(frames * 1000 / fps))
            # Copied: the view dies with the result, and the smoothing keeps it.
            person = np.array(result.confidence_masks[-1].numpy_view()[..., 0])  # frame size
            t2 = time.perf_counter()
            # OpenCV's vectorised routines, not NumPy temporaries: MediaPipe's
            # best showing for the same arithmetic.
            probability = person if previous is None else cv2.addWeighted(
                person, 0.5, previous, 0.5, 0.0)
            previous = probability
            t = cv2.min(cv2.max((probability - 0.25) * 2.0, 0.0), 1.0)
            alpha = cv2.multiply(cv2.multiply(t, t), 3.0 - 2.0 * t)
            background = blur_background(bgr, 12.0)
            out = cv2.blendLinear(bgr, background, alpha, 1.0 - alpha)
            t3 = time.perf_counter()
            if writer is not None:
                writer.write(out)
            t4 = time.perf_counter()
            stage["decode"] += t1 - t0
            stage["segment"] += t2 - t1
            stage["effect"] += t3 - t2
            stage["encode"] += t4 - t3
            frames += 1
    if writer is not None:
        writer.release()
    seconds = time.perf_counter() - start
    line = {"engine": "mediapipe", "mediapipe": mp.__version__, "opencv": cv2.__version__,
            "frames": frames, "width": width, "height": height, "seconds": seconds,
            "fps": frames / seconds if seconds > 0 else 0.0,
            "codec": "mp4v" if writer is not None else ""}
    if args.stages:
        line["stages_seconds"] = stage
    print(json.dumps(line))


if __name__ == "__main__":
    main()
