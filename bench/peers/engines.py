"""The Python peers: load one program, return a forward function.

Each loader returns (forward, info): forward takes one float32 [1, 3, H, W]
NumPy array and returns output 0 as a NumPy array; info records the
engine's settings (threads, providers). Imports are local so that a
measurement process loads only its own engine (an ONNX Runtime process
never imports torch, so its peak RSS is ONNX Runtime's own).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np

from . import machine
from .models import Variant

Forward = Callable[[np.ndarray], np.ndarray]

# Python engines, in table order (etvision's C++ figures come from bench/forward_latency).
PYTHON_ENGINES = ("executorch_python", "onnxruntime", "torch_eager")
INT8_NOT_APPLICABLE = {
    "torch_eager": "PyTorch eager has no int8 XNNPACK-style kernels for these graphs: the PT2E-converted "
                   "model runs quantize/dequantize around float32 ops (a simulation, not an int8 engine)",
}


def load(engine: str, variant: Variant, dtype: str, cache: Path) -> tuple[Forward, dict]:
    if engine == "executorch_python":
        return _executorch(variant.pte(cache, dtype))
    if engine == "onnxruntime":
        return onnxruntime_session(variant.onnx(cache, dtype))
    if engine == "torch_eager":
        if dtype != "fp32":
            raise ValueError(INT8_NOT_APPLICABLE["torch_eager"])
        return _torch_eager(variant, cache)
    raise ValueError(f"unknown engine {engine!r}")


def _executorch(pte: Path) -> tuple[Forward, dict]:
    import torch
    from executorch.runtime import Runtime

    program = Runtime.get().load_program(pte)
    method = program.load_method("forward")

    def forward(x: np.ndarray) -> np.ndarray:
        _ = program  # the method needs its program alive
        return method.execute([torch.from_numpy(x)])[0].numpy()

    return forward, {"runtime": "executorch.runtime.Runtime (pybindings, XNNPACK)",
                     "threads": "ExecuTorch default threadpool"}


def onnxruntime_session(onnx: Path) -> tuple[Forward, dict]:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = machine.physical_cores()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = ort.InferenceSession(str(onnx), options, providers=["CPUExecutionProvider"])
    input_name = session.get_inputs()[0].name

    def forward(x: np.ndarray) -> np.ndarray:
        return session.run(None, {input_name: x})[0]

    return forward, {"runtime": f"onnxruntime {ort.__version__} CPUExecutionProvider",
                     "intra_op_threads": options.intra_op_num_threads,
                     "graph_optimization_level": "ORT_ENABLE_ALL"}


def _torch_eager(variant: Variant, cache: Path) -> tuple[Forward, dict]:
    import torch

    from .export import load_eager

    model = load_eager(variant, cache)

    def forward(x: np.ndarray) -> np.ndarray:
        with torch.inference_mode():
            return model(torch.from_numpy(x)).numpy()

    return forward, {"runtime": f"torch {torch.__version__} eager, inference_mode",
                     "threads": torch.get_num_threads()}


def preprocess_with_pil(path: Path, size: int, normalize: str) -> np.ndarray:
    """What a Python service would do before ONNX Runtime: PIL decode, RGB,
    bilinear stretch to size x size (PIL's, which filters when shrinking,
    unlike OpenCV's INTER_LINEAR: the same cost class, not bit-identical),
    [0, 1], ImageNet mean/std when the program expects it outside, NCHW."""
    from PIL import Image

    import etv_util as U

    with Image.open(path) as im:
        rgb = im.convert("RGB").resize((size, size), Image.BILINEAR)
    x = np.asarray(rgb, dtype=np.float32) * (1.0 / 255.0)
    if normalize == "outside":
        x = (x - np.asarray(U.IMAGENET_MEAN, np.float32)) / np.asarray(U.IMAGENET_STD, np.float32)
    return np.ascontiguousarray(x.transpose(2, 0, 1)[None])
