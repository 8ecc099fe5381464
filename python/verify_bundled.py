#!/usr/bin/env python3
"""Check the bundled MobileNetV2 programs against the reference predictions.

For every photo listed under "rne_stretch" in reference_top5.json, the photo
is preprocessed the RNE way (PIL .convert("RGB"); uint8 bilinear stretch to
224x224 with OpenCV INTER_LINEAR semantics; /255; ImageNet mean/std), run
through the .pte files with ExecuTorch's Python runtime, and:

* fp32: the top-1 must equal the reference top-1 (the float PyTorch model,
  OpenCV 4.6.0 resize); the top-1 probability difference is reported;
* int8: top-1 agreement with fp32 is reported (int8 is expected to flip
  close calls, so this is informational unless --strict-int8).

  python/verify_bundled.py [--model-dir models/mobilenet_v2] [--resizer cv2]

Exit status 1 if any fp32 top-1 differs from the reference.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import torch

import etv_common as C

FP32 = "mobilenet_v2_xnnpack_fp32.pte"
INT8 = "mobilenet_v2_xnnpack_int8.pte"


def preprocess(path: Path, resizer: str) -> torch.Tensor:
    img = C.load_rgb(path)
    if resizer == "cv2":
        import cv2  # optional: opencv-python-headless, not in requirements.txt

        img = cv2.resize(img, (224, 224), interpolation=cv2.INTER_LINEAR)
    else:
        img = C.resize_bilinear_u8(img, 224, 224)
    return C.to_input_tensor(img, C.IMAGENET_MEAN, C.IMAGENET_STD)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model-dir", type=Path, default=C.REPO_ROOT / "models" / "mobilenet_v2")
    p.add_argument("--reference", type=Path, help="default: tests/data/mobilenet_v2_reference_top5.json")
    p.add_argument("--photos-dir", type=Path, default=None)
    p.add_argument("--labels", type=Path, default=C.default_labels_file())
    p.add_argument("--resizer", choices=("numpy", "cv2"), default="numpy",
                   help="numpy = etv_common.resize_bilinear_u8 (bit-exact OpenCV INTER_LINEAR port)")
    p.add_argument("--strict-int8", action="store_true", help="also fail on int8/fp32 top-1 disagreement")
    p.add_argument("--json", type=Path, help="write the per-photo results here")
    args = p.parse_args(argv)

    ref = json.loads((args.reference or Path(__file__).resolve().parent.parent / "tests" / "data" / "mobilenet_v2_reference_top5.json").read_text())["rne_stretch"]
    photos_dir = args.photos_dir or C.default_photos_dir()
    labels = args.labels.read_text().splitlines() if args.labels.is_file() else None
    name = (lambda i: labels[i]) if labels else str
    if args.resizer == "cv2":
        import cv2

        C.log(f"resizer: cv2 {cv2.__version__}")

    fp32 = C.load_pte(args.model_dir / FP32)
    int8_path = args.model_dir / INT8
    int8 = C.load_pte(int8_path) if int8_path.is_file() else None

    rows = []
    for photo, top5 in ref.items():
        path = Path(photos_dir) / photo
        if not path.is_file():
            C.log(f"skip {photo}: not in {photos_dir}")
            continue
        x = preprocess(path, args.resizer)
        prob = torch.softmax(fp32([x])[0][0], 0)
        row = {
            "photo": photo,
            "ref_top1": top5[0]["index"], "ref_prob": top5[0]["prob"],
            "fp32_top1": int(prob.argmax()), "fp32_prob": float(prob.max()),
            "fp32_prob_of_ref_top1": float(prob[top5[0]["index"]]),
            "fp32_top5_overlap": len(set(C.topk(prob)) & {t["index"] for t in top5}),
        }
        if int8 is not None:
            qprob = torch.softmax(int8([x])[0][0], 0)
            row.update({"int8_top1": int(qprob.argmax()), "int8_prob": float(qprob.max()),
                        "int8_top5_overlap_fp32": len(set(C.topk(qprob)) & set(C.topk(prob))),
                        "int8_max_abs_prob_diff": float((qprob - prob).abs().max())})
        rows.append(row)

    # Report.
    C.log(f"{'photo':30} {'reference top-1':28} {'fp32 top-1':28} {'|dprob|':>8}"
          + (f"  {'int8 top-1':28} agree" if int8 else ""))
    for r in rows:
        line = (f"{r['photo']:30} {name(r['ref_top1'])[:20]:20} {r['ref_prob']:.4f}  "
                f"{name(r['fp32_top1'])[:20]:20} {r['fp32_prob']:.4f}  "
                f"{abs(r['fp32_prob_of_ref_top1'] - r['ref_prob']):8.2e}"
                + ("" if r["fp32_top1"] == r["ref_top1"] else "  FP32 MISMATCH"))
        if int8:
            line += (f"  {name(r['int8_top1'])[:20]:20} {r['int8_prob']:.4f}  "
                     + ("yes" if r["int8_top1"] == r["fp32_top1"] else "NO"))
        C.log(line)

    n = len(rows)
    fp32_ok = sum(r["fp32_top1"] == r["ref_top1"] for r in rows)
    C.log(f"fp32 top-1 == reference: {fp32_ok}/{n}; max |prob - reference prob| of the reference top-1: "
          f"{max(abs(r['fp32_prob_of_ref_top1'] - r['ref_prob']) for r in rows):.2e}; "
          f"mean top-5 overlap {np.mean([r['fp32_top5_overlap'] for r in rows]):.2f}/5")
    int8_ok = n
    if int8:
        int8_ok = sum(r["int8_top1"] == r["fp32_top1"] for r in rows)
        C.log(f"int8 top-1 == fp32: {int8_ok}/{n}; mean int8/fp32 top-5 overlap "
              f"{np.mean([r['int8_top5_overlap_fp32'] for r in rows]):.2f}/5; max |prob diff| "
              f"{max(r['int8_max_abs_prob_diff'] for r in rows):.3f}")
    if args.json:
        C.write_json(args.json, {"resizer": args.resizer, "results": rows})
    if fp32_ok != n or (args.strict_int8 and int8_ok != n) or n == 0:
        C.log("FAILED")
        return 1
    C.log("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
