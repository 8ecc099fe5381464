"""Prove the selfie segmentation conversion against the TFLite original.

    .venv/bin/python python/selfie/verify_selfie.py \
        [--pte models/selfie_segmentation/selfie_segmentation_xnnpack_fp32.pte] \
        [--photos /work/shared/photos] \
        [--json models/selfie_segmentation/reference_masks.json] [--viz-dir DIR]

For every photo, one preprocessed input (identical bytes for all three):
decode to 8-bit RGB (PIL; identical to cv::imdecode IMREAD_COLOR + BGR2RGB on
these photos, which is checked), stretch to the model's input size with
``cv2.resize(..., INTER_LINEAR)`` on the uint8 image, divide by 255 ([0, 1],
the range the TFLite model expects), then run

  (a) the TFLite original with ai-edge-litert's Interpreter (NHWC input);
  (b) the PyTorch module from selfie_model.py, eagerly (NCHW input);
  (c) the .pte through ExecuTorch's Python runtime.

Prints max |prob diff| of (b) and (c) vs (a), IoU of the 0.5-threshold masks
vs (a), and the person fraction of (a).  Fails (exit 1) if any photo with a
person has IoU < 0.98 (or any photo has an IoU < 0.98 where the mask is not
empty).  Writes the reference JSON for the C++ tests for the people photos.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from importlib.metadata import version
from pathlib import Path

import cv2
import numpy as np
import torch
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from selfie_model import DEFAULT_TFLITE, build_selfie  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
DEFAULT_PTE = REPO / "models/selfie_segmentation/selfie_segmentation_xnnpack_fp32.pte"
DEFAULT_JSON = REPO / "models/selfie_segmentation/reference_masks.json"
PEOPLE = ("skimage_astronaut.png", "mpl_grace_hopper.jpg", "opencv_messi5.jpg")
THRESHOLD = 0.5
MIN_IOU = 0.98
PHOTO_EXTS = (".png", ".jpg", ".jpeg")


# --------------------------------------------------------------------------
def decode_rgb(path: Path) -> np.ndarray:
    with Image.open(path) as im:
        rgb = np.asarray(im.convert("RGB"), dtype=np.uint8).copy()
    # The C++ side decodes with cv::imdecode(IMREAD_COLOR) then BGR->RGB.
    bgr = cv2.imdecode(np.fromfile(path, np.uint8), cv2.IMREAD_COLOR)
    cv_rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
    if cv_rgb.shape != rgb.shape or not np.array_equal(cv_rgb, rgb):
        raise SystemExit(f"{path.name}: PIL and OpenCV decode differently; pick one")
    return rgb


def preprocess(rgb: np.ndarray, h: int, w: int) -> np.ndarray:
    """-> HxWx3 float32 in [0, 1]."""
    resized = cv2.resize(rgb, (w, h), interpolation=cv2.INTER_LINEAR)
    return resized.astype(np.float32) / np.float32(255.0)


def rle_encode(mask: np.ndarray) -> list[int]:
    """Row-major run lengths, alternating, starting with a run of 0 (may be 0)."""
    flat = mask.reshape(-1).astype(np.uint8)
    change = np.flatnonzero(np.diff(flat)) + 1
    bounds = np.concatenate(([0], change, [flat.size]))
    runs = np.diff(bounds).tolist()
    if flat[0] == 1:
        runs = [0] + runs
    return [int(r) for r in runs]


def rle_decode(runs: list[int], h: int, w: int) -> np.ndarray:
    vals = np.arange(len(runs)) % 2
    return np.repeat(vals, runs).astype(bool).reshape(h, w)


def iou(a: np.ndarray, b: np.ndarray) -> float:
    union = np.logical_or(a, b).sum()
    if union == 0:
        return 1.0
    return float(np.logical_and(a, b).sum() / union)


def dumps_compact(obj) -> str:
    """Indented JSON with every list of numbers kept on one line."""
    text = json.dumps(obj, indent=1)
    return re.sub(r"\[\s*([-0-9.eE+,\s]*?)\s*\]",
                  lambda m: "[" + re.sub(r"\s*,\s*", ", ", m.group(1)) + "]", text)


def sha256_file(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


# --------------------------------------------------------------------------
class TfliteRunner:
    def __init__(self, path: Path):
        from ai_edge_litert.interpreter import Interpreter

        # Default op resolver: the built-in XNNPACK delegate is applied, and it
        # is what implements MediaPipe's Convolution2DTransposeBias custom op.
        self.it = Interpreter(model_path=str(path))
        self.it.allocate_tensors()
        self.inp = self.it.get_input_details()[0]
        self.out = self.it.get_output_details()[0]

    def __call__(self, x_hwc: np.ndarray) -> np.ndarray:
        self.it.set_tensor(self.inp["index"], x_hwc[None])
        self.it.invoke()
        return self.it.get_tensor(self.out["index"])[0, :, :, 0].copy()


class PteRunner:
    def __init__(self, path: Path):
        from executorch.runtime import Runtime

        self.program = Runtime.get().load_program(path)
        self.method = self.program.load_method("forward")

    def __call__(self, x_nchw: torch.Tensor) -> np.ndarray:
        return self.method.execute([x_nchw])[0][0, 0].numpy().copy()


def save_viz(path: Path, img: np.ndarray, probs: list[np.ndarray]) -> None:
    tiles = [img] + [np.repeat((p * 255).round().astype(np.uint8)[:, :, None], 3, 2) for p in probs]
    Image.fromarray(np.concatenate(tiles, axis=1)).save(path)


# --------------------------------------------------------------------------
def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tflite", type=Path, default=DEFAULT_TFLITE)
    ap.add_argument("--pte", type=Path, default=DEFAULT_PTE)
    ap.add_argument("--photos", type=Path, default=Path("/work/shared/photos"))
    ap.add_argument("--json", type=Path, default=DEFAULT_JSON, help="'' to skip writing")
    ap.add_argument("--viz-dir", type=Path, default=None,
                    help="write <photo>.viz.png: input | TFLite | PyTorch | .pte probabilities")
    args = ap.parse_args()

    tfl = TfliteRunner(args.tflite)
    model = build_selfie(args.tflite)
    pte = PteRunner(args.pte)
    h, w = model.input_hw
    if tuple(tfl.inp["shape"][1:3]) != (h, w):
        raise SystemExit("TFLite and PyTorch input sizes differ")

    photos = sorted(p for p in args.photos.iterdir() if p.suffix.lower() in PHOTO_EXTS)
    if args.viz_dir:
        args.viz_dir.mkdir(parents=True, exist_ok=True)
    rows, refs, failures = [], {}, []
    hdr = (f"{'photo':30s} {'person':>6s} {'maxd_pt':>9s} {'maxd_pte':>9s} {'meand_pte':>9s} "
           f"{'IoU_pt':>8s} {'IoU_pte':>8s} {'px!=pte':>7s}")
    print(hdr)
    for p in photos:
        rgb = decode_rgb(p)
        x = preprocess(rgb, h, w)
        x_nchw = torch.from_numpy(x).permute(2, 0, 1).unsqueeze(0).contiguous()
        p_tfl = tfl(x)
        with torch.no_grad():
            p_pt = model(x_nchw)[0, 0].numpy()
        p_pte = pte(x_nchw)
        m_tfl, m_pt, m_pte = (v > THRESHOLD for v in (p_tfl, p_pt, p_pte))
        r = {
            "photo": p.name,
            "person": p.name in PEOPLE,
            "person_fraction": float(m_tfl.mean()),
            "max_abs_diff_pytorch": float(np.abs(p_pt - p_tfl).max()),
            "max_abs_diff_pte": float(np.abs(p_pte - p_tfl).max()),
            "mean_abs_diff_pte": float(np.abs(p_pte - p_tfl).mean()),
            "max_abs_diff_pte_vs_pytorch": float(np.abs(p_pte - p_pt).max()),
            "iou_pytorch": iou(m_tfl, m_pt),
            "iou_pte": iou(m_tfl, m_pte),
            "mask_pixels_differing_pte": int((m_tfl != m_pte).sum()),
        }
        rows.append(r)
        print(f"{p.name:30s} {r['person_fraction']:6.3f} {r['max_abs_diff_pytorch']:9.2e} "
              f"{r['max_abs_diff_pte']:9.2e} {r['mean_abs_diff_pte']:9.2e} {r['iou_pytorch']:8.5f} "
              f"{r['iou_pte']:8.5f} {r['mask_pixels_differing_pte']:7d}")
        if min(r["iou_pytorch"], r["iou_pte"]) < MIN_IOU:
            failures.append(p.name)
        if args.viz_dir:
            save_viz(args.viz_dir / f"{p.stem}.viz.png",
                     cv2.resize(rgb, (w, h), interpolation=cv2.INTER_LINEAR), [p_tfl, p_pt, p_pte])
        if p.name in PEOPLE:
            runs = rle_encode(m_tfl)
            assert np.array_equal(rle_decode(runs, h, w), m_tfl)
            refs[p.name] = {
                "photo_sha256": sha256_file(p),
                "photo_size_wh": [int(rgb.shape[1]), int(rgb.shape[0])],
                "mask_size_hw": [h, w],
                "mask_rle": runs,
                "person_fraction": r["person_fraction"],
                "tflite_prob_mean": float(p_tfl.mean()),
                "max_abs_prob_diff_pytorch_vs_tflite": r["max_abs_diff_pytorch"],
                "max_abs_prob_diff_pte_vs_tflite": r["max_abs_diff_pte"],
                "iou_pte_vs_tflite": r["iou_pte"],
                # 16x16 grid of the TFLite probability map, each cell the mean
                # over a (h/16)x(w/16) block, for a softer check than the mask.
                "tflite_prob_grid_16x16": [
                    [round(float(v), 4) for v in row]
                    for row in p_tfl.astype(np.float64).reshape(16, h // 16, 16, w // 16).mean(axis=(1, 3))
                ],
            }

    people = [r for r in rows if r["person"]]
    print(f"\npeople photos: min IoU (pte) {min(r['iou_pte'] for r in people):.5f}, "
          f"max |prob diff| (pte) {max(r['max_abs_diff_pte'] for r in people):.2e}")
    print(f"all photos:    min IoU (pte) {min(r['iou_pte'] for r in rows):.5f}, "
          f"max |prob diff| (pte) {max(r['max_abs_diff_pte'] for r in rows):.2e}")

    if str(args.json) and refs:
        doc = {
            "model": {
                "pte": args.pte.name,
                "pte_sha256": sha256_file(args.pte),
                "tflite": args.tflite.name,
                "tflite_sha256": model.graph_sha256,
                "input": [1, 3, h, w],
                "output": [1, 1, h, w],
                "output_meaning": "person probability (sigmoid applied inside the program)",
            },
            "preprocessing": {
                "decode": "8-bit RGB: PIL Image.convert('RGB'); checked identical to "
                          "cv2.imdecode(IMREAD_COLOR) + cvtColor(BGR2RGB) for every photo",
                "cpp_equivalent": "cv::imdecode(IMREAD_COLOR) -> cvtColor(BGR2RGB) -> "
                                  f"cv::resize(Size({w}, {h}), INTER_LINEAR) -> /255 (etvision's "
                                  "stretch preprocessing; the 8-bit resized images were checked "
                                  "byte-identical with the system OpenCV 4.6.0 C++ library)",
                "resize": f"cv2.resize(rgb_uint8, ({w}, {h}), interpolation=cv2.INTER_LINEAR): "
                          "stretch, no aspect-ratio preservation, on the uint8 image",
                "scale": "float32(pixel) / 255 -> [0, 1]; no mean/std",
                "layout": "TFLite: NHWC [1,H,W,3]; PyTorch/.pte: NCHW [1,3,H,W]",
                "opencv_python_headless": version("opencv-python-headless"),
                "pillow": version("pillow"),
            },
            "reference": {
                "runtime": f"ai-edge-litert {version('ai-edge-litert')} Interpreter, default "
                           "op resolver (XNNPACK delegate), float32",
                "threshold": THRESHOLD,
                "mask_rle_format": "row-major over mask_size_hw, alternating run lengths of "
                                   "0 (background) and 1 (person, prob > threshold), starting "
                                   "with a background run (possibly 0); runs sum to H*W",
            },
            "photos": refs,
            "other_photos_person_fraction": {
                r["photo"]: round(r["person_fraction"], 4) for r in rows if not r["person"]
            },
            "note": "The model marks salient foreground as 'person' on photos without people "
                    "(e.g. the cat in skimage_chelsea.png: 0.9), so those photos are not "
                    "valid 'no person' negatives.",
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        text = dumps_compact(doc)
        assert json.loads(text) == json.loads(json.dumps(doc))
        args.json.write_text(text + "\n")
        print(f"wrote {args.json}")

    if failures:
        print(f"FAIL: IoU < {MIN_IOU} on {failures}")
        sys.exit(1)
    print("OK")


if __name__ == "__main__":
    main()
