"""Convert MediaPipe's selfie segmentation TFLite model to an ExecuTorch .pte.

    .venv/bin/python python/selfie/convert_selfie.py \
        --out models/selfie_segmentation/selfie_segmentation_xnnpack_fp32.pte

Pipeline: flatbuffer -> SelfieSegmentation (python/selfie/selfie_model.py,
weights read from the .tflite) -> torch.export -> to_edge_transform_and_lower
with the XNNPACK partitioner -> to_executorch -> .pte (fp32). The final
transposed convolution (kernel = stride = 2) is exported as the same
arithmetic in a form XNNPACK runs 20x faster: a 1x1 convolution and a
depth-to-space shuffle (selfie_model.use_subpixel_transpose_convs).

Program interface: input ``[1, 3, H, W]`` float32 RGB in [0, 1]; output
``[1, 1, H, W]`` float32 person probability (sigmoid inside).  H x W is the
TFLite model's input size (256 x 256 for the general model).

After writing, the .pte is loaded with ExecuTorch's Python runtime and run on a
random input; the max |diff| vs the eager module is printed (the real check on
photos against the TFLite original is verify_selfie.py).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import etv_common as C  # noqa: E402
from selfie_model import DEFAULT_TFLITE, build_selfie, use_subpixel_transpose_convs  # noqa: E402


def export_pte(model: torch.nn.Module, example: torch.Tensor) -> tuple[bytes, dict]:
    # [0, 1] input (no normalisation outside); one channel = person
    # probability, so the library's two classes are background and person.
    metadata = C.model_metadata("segmentation", "mediapipe_selfie", False, ["BACKGROUND", "PERSON"])
    return C.export_xnnpack(model, (example,), metadata)


def run_pte(path: Path, x: torch.Tensor) -> torch.Tensor:
    from executorch.runtime import Runtime

    program = Runtime.get().load_program(path)
    method = program.load_method("forward")
    return method.execute([x])[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tflite", type=Path, default=DEFAULT_TFLITE)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()

    model = build_selfie(args.tflite)
    h, w = model.input_hw
    example = torch.rand(1, 3, h, w, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        as_tflite = model(example)
    subpixel = use_subpixel_transpose_convs(model)
    with torch.no_grad():
        subpixel_diff = float((model(example) - as_tflite).abs().max())
    buf, summary = export_pte(model, example)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(buf)

    with torch.no_grad():
        ref = model(example)
    got = run_pte(args.out, example)
    info = {
        "tflite": str(args.tflite),
        "tflite_sha256": model.graph_sha256,
        "out": str(args.out),
        "bytes": len(buf),
        "sha256": hashlib.sha256(buf).hexdigest(),
        "input": [1, 3, h, w],
        "output": list(got.shape),
        "delegation": summary,
        "random_input_max_abs_diff_vs_eager": float((got - ref).abs().max()),
        "transpose_convs_as_subpixel": subpixel,
        "subpixel_vs_transpose_conv_eager_max_abs_diff": subpixel_diff,
        "torch": torch.__version__,
    }
    try:
        from importlib.metadata import version

        info["executorch"] = version("executorch")
    except Exception:  # pragma: no cover
        pass
    print(json.dumps(info, indent=2))
    if list(got.shape) != list(model.output_shape):
        sys.exit(f"unexpected output shape {list(got.shape)}")


if __name__ == "__main__":
    main()
