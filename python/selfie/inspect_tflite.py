"""Print the op list and I/O tensors of a TFLite flatbuffer.

    .venv/bin/python python/selfie/inspect_tflite.py \
        /work/shared/models/selfie_segmentation/selfie_segmentation.tflite [--weights]

Prints, per op: index, op name (custom ops marked), input/output tensors with
shapes (constants marked with 'c'), the builtin options and custom option bytes.
Then an op histogram, the graph inputs/outputs, and the metadata entries.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from tflite_graph import load_tflite  # noqa: E402

DEFAULT = "/work/shared/models/selfie_segmentation/selfie_segmentation.tflite"

# Option fields worth printing (others are defaults / irrelevant for floats).
_KEEP = (
    "Padding", "StrideH", "StrideW", "FusedActivationFunction", "DepthMultiplier",
    "DilationHFactor", "DilationWFactor", "FilterHeight", "FilterWidth",
    "AlignCorners", "HalfPixelCenters", "NewShape", "Axis", "KeepDims",
)
_PADDING = {0: "SAME", 1: "VALID"}
_ACT = {0: "NONE", 1: "RELU", 2: "RELU_N1_TO_1", 3: "RELU6", 4: "TANH", 5: "SIGN_BIT"}


def _fmt_opts(opts: dict) -> str:
    parts = []
    for k in _KEEP:
        if k in opts:
            v = opts[k]
            if k == "Padding":
                v = _PADDING.get(v, v)
            elif k == "FusedActivationFunction":
                v = _ACT.get(v, v)
                if v == "NONE":
                    continue
            parts.append(f"{k}={v}")
    return " ".join(parts)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("tflite", nargs="?", default=DEFAULT)
    ap.add_argument("--weights", action="store_true", help="print weight statistics")
    args = ap.parse_args()

    g = load_tflite(args.tflite)
    print(f"file: {g.path}\nsha256: {g.sha256}\nschema version: {g.version}")
    print(f"description: {g.description!r}")
    print(f"tensors: {len(g.tensors)}  ops: {len(g.ops)}")
    nparams = sum(t.data.size for t in g.tensors if t.data is not None)
    print(f"constant parameters: {nparams}")

    def tdesc(i: int) -> str:
        if i < 0:
            return "-"
        t = g.tensors[i]
        c = "c" if t.data is not None else ""
        return f"{c}#{i}{list(t.shape)}"

    print("\nops:")
    for op in g.ops:
        name = f"CUSTOM:{op.opcode}" if op.is_custom else op.opcode
        ins = " ".join(tdesc(i) for i in op.inputs)
        outs = " ".join(tdesc(i) for i in op.outputs)
        extra = _fmt_opts(op.options)
        if op.custom_options:
            extra += f" custom_options={op.custom_options.hex()}"
        print(f"{op.index:3d} {name:28s} {ins} -> {outs}  {extra}")
        if args.weights:
            for i in op.inputs:
                if i >= 0 and g.tensors[i].data is not None:
                    d = g.tensors[i].data
                    print(f"      #{i} {g.tensors[i].name}: min {d.min():.4g} max {d.max():.4g}")

    print("\nop histogram:")
    for name, n in Counter(
        (f"CUSTOM:{o.opcode}" if o.is_custom else o.opcode) for o in g.ops
    ).most_common():
        print(f"  {n:3d} {name}")

    print("\ngraph inputs:")
    for i in g.inputs:
        t = g.tensors[i]
        print(f"  #{i} {t.name!r} shape={list(t.shape)} dtype={t.dtype}")
    print("graph outputs:")
    for i in g.outputs:
        t = g.tensors[i]
        producer = [o for o in g.ops if i in o.outputs]
        pname = producer[0].opcode if producer else "?"
        print(f"  #{i} {t.name!r} shape={list(t.shape)} dtype={t.dtype} (produced by {pname})")


if __name__ == "__main__":
    main()
