"""Exports the bundled MobileNetV2's float weights to ONNX for the ONNX Runtime
rows of throughput.py.

Runs in the repository's torch venv (.venv), never in the torch-free bench
venv. The module is built exactly as the repository builds it for the bundled
.pte and for bench/peers (python/etv_common.build_model with the shared
torchvision-layout state_dict, normalisation outside the graph), and exported
with bench/peers' exporter, so the ONNX graph and etvision's .pte share
weights and input convention (ImageNet-normalised RGB NCHW, batch 1).

Usage: .venv/bin/python bench/python/export_onnx.py --out build/bench-python/mobilenet_v2_fp32.onnx
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
# etv_common lives in python/, the exporter in bench/peers (imported, not copied).
sys.path[:0] = [str(REPO_ROOT / "python"), str(REPO_ROOT / "bench")]

import numpy as np  # noqa: E402
import torch  # noqa: E402

import etv_common as C  # noqa: E402
from peers.export import ONNX_OPSET, export_onnx  # noqa: E402
from peers.models import MOBILENET_V2_WEIGHTS, MOBILENET_V2_WEIGHTS_SHA256  # noqa: E402

INPUT_SIZE = 224


def build_module() -> torch.nn.Module:
    """torchvision mobilenet_v2 with the bundled model's float weights."""
    actual = C.sha256_file(MOBILENET_V2_WEIGHTS)
    if actual != MOBILENET_V2_WEIGHTS_SHA256:
        raise SystemExit(f"{MOBILENET_V2_WEIGHTS}: sha256 {actual}, expected {MOBILENET_V2_WEIGHTS_SHA256}")
    return C.build_model("mobilenet_v2", weights=MOBILENET_V2_WEIGHTS, normalize="outside")[0]


def check_against_eager(model: torch.nn.Module, example: torch.Tensor, onnx_path: Path) -> float:
    """Max |logit difference| between the exported graph and eager on one photo,
    so a broken export fails here rather than as a fast-but-wrong benchmark row."""
    import onnxruntime as ort

    session = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    (got,) = session.run(None, {session.get_inputs()[0].name: example.numpy()})
    with torch.no_grad():
        want = model(example).numpy()
    return float(np.abs(got - want).max())


def top1_with_etvision_preprocessing(onnx_path: Path, photos: list[Path]) -> dict[str, int]:
    """ORT top-1 on each photo preprocessed exactly as etvision does (the
    repository's RNE stretch: OpenCV-style bilinear on 8-bit pixels, no
    antialiasing). Not timed: it tells the model apart from the PIL resize
    when throughput.py reports top-1 agreement."""
    import onnxruntime as ort

    session = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    out = {}
    for photo in photos:
        feed = C.stretch_input(photo, INPUT_SIZE, INPUT_SIZE, normalize=True).numpy()
        (logits,) = session.run(None, {name: feed})
        out[photo.name] = int(np.argmax(logits[0]))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="the .onnx to write (a .json beside it)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    torch.set_num_threads(1)  # the export is not timed; keep the shared machine responsive
    model = build_module()
    photos = C.list_photos(C.default_photos_dir())
    photo = photos[0]
    example = C.stretch_input(photo, INPUT_SIZE, INPUT_SIZE, normalize=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    export_onnx(model, example, args.out)
    max_diff = check_against_eager(model, example, args.out)
    if max_diff > 1e-3:
        args.out.unlink()
        raise SystemExit(f"exported ONNX differs from eager by {max_diff:g} in the logits")
    meta = {
        "model": "mobilenet_v2",
        "weights": str(MOBILENET_V2_WEIGHTS),
        "weights_sha256": MOBILENET_V2_WEIGHTS_SHA256,
        "input": [1, 3, INPUT_SIZE, INPUT_SIZE],
        "input_convention": "RGB, [0,1] then ImageNet mean/std (normalisation outside the graph)",
        "exporter": "bench/peers/export.export_onnx (torch.onnx.export, dynamo=True)",
        "opset": ONNX_OPSET,
        "torch": torch.__version__,
        "check_photo": photo.name,
        "max_abs_logit_diff_vs_eager": max_diff,
        "top1_with_etvision_preprocessing": top1_with_etvision_preprocessing(args.out, photos),
        "export_s": round(time.perf_counter() - started, 1),
    }
    args.out.with_suffix(".json").write_text(json.dumps(meta, indent=1) + "\n")
    print(f"exported {args.out} ({meta['export_s']} s, max |logit diff| vs eager {max_diff:.2e})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
