#!/usr/bin/env python3
"""ONNX Runtime's int8 configurations side by side, to pick the peer's best
for bench/run.sh (bench/peers/export.py's quantize_onnx):

    .venv/bin/python bench/peers/ort_int8_configs.py ARCH [OUT_DIR]

ARCH: mobilenet_v2 (the bundled model's real weights) or efficientnet_v2_s
(the fixtures' seeded weights), at 224. Exports fp32 ONNX, runs
quant_pre_process, quantises S8S8 QDQ, U8S8 QDQ, U8S8 QOperator and U8S8
QDQ with 7-bit weights (reduce_range, recommended without VNNI) (per-channel
weights, MinMax on data/photos) and prints median and min
latency over 30 runs with 2 intra-op threads, fp32 included. Run it on a
quiet machine; record the CPU and its vector ISA with the figures. For an
older CPU class's kernels (bench/isa_mask.cpp):

    ETVISION_ISA_MASK=avx2 LD_AUDIT=build/bench/libetvision_isa_mask.so \
        .venv/bin/python bench/peers/ort_int8_configs.py ARCH
"""
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "python"))
sys.path.insert(0, str(ROOT / "bench"))
import numpy as np
import torch
import etv_common as C
from peers import export as E
import onnxruntime as ort
from onnxruntime.quantization import CalibrationMethod, QuantFormat, QuantType, quantize_static
from onnxruntime.quantization.shape_inference import quant_pre_process

out = Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT / "build" / "bench-ort-int8"
out.mkdir(parents=True, exist_ok=True)
photos = C.list_photos(C.default_photos_dir())
arch = sys.argv[1]
norm = torch.cat([C.stretch_input(p, 224, 224, normalize=True) for p in photos])
if arch == "mobilenet_v2":
    # The bundled model's weights (models/mobilenet_v2/PROVENANCE.md).
    weights = Path("/work/shared/models/mobilenet_v2_imagenet/mobilenet_v2_imagenet_float.pth")
    model, _ = C.build_model(arch, weights=weights)
else:
    model, _ = C.build_model(arch, seed=0, stats_inputs=norm)
fp32 = out / f"{arch}_fp32.onnx"
if not fp32.exists():
    E.export_onnx(model, norm[:1].clone(), fp32)
inputs = norm.numpy()
pre = out / f"{arch}_pre.onnx"
if not pre.exists():
    quant_pre_process(str(fp32), str(pre), skip_symbolic_shape=True)
variants = {
  "S8S8_QDQ": (QuantFormat.QDQ, QuantType.QInt8, QuantType.QInt8, {}),
  "U8S8_QDQ": (QuantFormat.QDQ, QuantType.QUInt8, QuantType.QInt8, {}),
  "U8S8_QOperator": (QuantFormat.QOperator, QuantType.QUInt8, QuantType.QInt8, {}),
  # What quantize_static's documentation recommends on x86 without VNNI.
  "U8S8_QDQ_reduce_range": (QuantFormat.QDQ, QuantType.QUInt8, QuantType.QInt8, {"reduce_range": True}),
}
def lat(path):
    so = ort.SessionOptions(); so.intra_op_num_threads = 2
    s = ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])
    x = inputs[:1]
    for _ in range(5): s.run(None, {"input": x})
    t = []
    for _ in range(30):
        a = time.perf_counter(); s.run(None, {"input": x}); t.append(time.perf_counter() - a)
    return 1000 * float(np.median(t)), 1000 * float(np.min(t))
res = {"fp32": lat(fp32)}
class R:
    def __init__(s): s.it = iter([{"input": inputs[i:i+1]} for i in range(len(inputs))])
    def get_next(s): return next(s.it, None)
for name, (fmt, act, wt, extra) in variants.items():
    q = out / f"{arch}_{name}.onnx"
    if not q.exists():
        quantize_static(str(pre), str(q), R(), quant_format=fmt, per_channel=True, activation_type=act, weight_type=wt, calibrate_method=CalibrationMethod.MinMax, **extra)
    res[name] = lat(q)
print(json.dumps({"arch": arch, "ms_median_min": res}))
