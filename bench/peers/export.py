"""Builds one variant's artefacts (see models.py for the list): the eager
module, the ExecuTorch programs (through python/export_classifier.py and
export_segmenter.py, so the weights are exactly the fixtures' and the bundled
models'), the ONNX models, the preprocessed photos and the eager reference
outputs, and counts the FLOPs."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import torch

import etv_common as C

from .models import FLOP_COUNT_NOTE, MOBILENET_V2_WEIGHTS, MOBILENET_V2_WEIGHTS_SHA256, PYTHON_DIR, Variant

ONNX_OPSET = 18



def build_eager(variant: Variant, photos: list[Path]) -> torch.nn.Module:
    """The float32 eval-mode module with the exported programs' weights."""
    m, size = variant.model, variant.size
    if m.arch == "selfie":
        sys.path.insert(0, str(PYTHON_DIR / "selfie"))
        from selfie_model import build_selfie

        return build_selfie().eval()
    if m.bundled:
        return C.build_model(m.arch, weights=MOBILENET_V2_WEIGHTS, normalize=m.normalize)[0]
    # Seeded: the same call, on the same photos, as the export scripts make.
    normalized = torch.cat([C.stretch_input(p, size, size, normalize=True) for p in photos])
    if m.task == "segment":
        import export_segmenter

        return export_segmenter.build_seg_model(m.arch, seed=m.seed, normalize=m.normalize,
                                                stats_inputs=normalized)[0]
    return C.build_model(m.arch, seed=m.seed, normalize=m.normalize, stats_inputs=normalized)[0]


def load_eager(variant: Variant, cache: Path) -> torch.nn.Module:
    if variant.model.arch == "selfie":
        return build_eager(variant, [])
    return torch.load(variant.eager(cache), weights_only=False).eval()


def export_pte(variant: Variant, cache: Path, dtype: str) -> None:
    m, size = variant.model, variant.size
    argv = ["--arch", m.arch, "--seed", str(m.seed), "--input-size", str(size), str(size),
            "--normalize", m.normalize, "--out", str(variant.pte(cache, dtype))]
    if dtype == "int8":
        argv += ["--quantize", "int8"]
    if m.task == "segment":
        import export_segmenter

        export_segmenter.main(argv)
    else:
        import export_classifier

        export_classifier.main(argv)


def export_onnx(model: torch.nn.Module, example: torch.Tensor, path: Path) -> None:
    tmp = path.with_suffix(".tmp.onnx")
    with torch.no_grad():
        torch.onnx.export(model, (example,), str(tmp), dynamo=True, opset_version=ONNX_OPSET,
                          input_names=["input"], output_names=["output"], external_data=False)
    tmp.replace(path)


class _Calibration:
    """onnxruntime.quantization CalibrationDataReader over the photos."""

    def __init__(self, inputs: np.ndarray, input_name: str):
        self._feeds = iter([{input_name: inputs[i : i + 1]} for i in range(len(inputs))])

    def get_next(self):
        return next(self._feeds, None)


def quantize_onnx(fp32: Path, out: Path, inputs: np.ndarray) -> dict:
    """Static int8, QDQ, per-channel symmetric int8 weights, uint8
    activations (U8S8) calibrated (MinMax) on the photos, after
    quant_pre_process: ONNX Runtime's fastest configuration on x86, hence
    the peer's best. Its x86 integer GEMMs (MLAS, with VNNI kernels) take
    uint8 activations; int8 activations (S8S8, closer to XNNPACK's qs8)
    run a much slower path there. Measured 2026-11-29 (2-core Xeon, AVX-512
    + VNNI, onnxruntime 1.30.0, 2 intra-op threads, median of 30):
    EfficientNetV2-S 224 S8S8 QDQ 55.7 ms, U8S8 QDQ 15.8 ms, U8S8
    QOperator 15.3 ms, fp32 24.7 ms; MobileNetV2 S8S8 4.06 ms, U8S8 QDQ
    1.98 ms, U8S8 QOperator 1.98 ms, fp32 3.17 ms. QDQ is kept (as fast,
    and the format ONNX Runtime recommends)."""
    from onnxruntime.quantization import CalibrationMethod, QuantFormat, QuantType, quantize_static
    from onnxruntime.quantization.shape_inference import quant_pre_process

    pre = out.with_suffix(".pre.onnx")
    try:
        quant_pre_process(str(fp32), str(pre), skip_symbolic_shape=True)
        source, preprocessed = pre, True
    except Exception as e:  # quantisation still works on the plain model
        C.log(f"quant_pre_process failed ({e!r}); quantising the model as exported")
        source, preprocessed = fp32, False
    settings = {"quant_format": "QDQ", "per_channel": True, "activation_type": "QUInt8",
                "weight_type": "QInt8", "calibrate_method": "MinMax", "calibration_photos": len(inputs),
                "quant_pre_process": preprocessed}
    quantize_static(str(source), str(out), _Calibration(inputs, "input"), quant_format=QuantFormat.QDQ,
                    per_channel=True, activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
                    calibrate_method=CalibrationMethod.MinMax)
    pre.unlink(missing_ok=True)
    return settings


def count_flops(model: torch.nn.Module, example: torch.Tensor) -> int:
    from torch.utils.flop_counter import FlopCounterMode

    counter = FlopCounterMode(display=False)
    with torch.no_grad(), counter:
        model(example)
    return int(counter.get_total_flops())


def export_variant(variant: Variant, cache: Path) -> None:
    m, size = variant.model, variant.size
    photos = C.list_photos(C.default_photos_dir())
    timer = C.Timer()
    model = build_eager(variant, photos)
    if m.arch != "selfie":
        torch.save(model, variant.eager(cache))

    # The photos as each program takes them (stretched, [0, 1], mean/std if outside).
    feed = torch.cat([C.stretch_input(p, size, size, normalize=m.normalize == "outside") for p in photos])
    feed.numpy().astype("<f4").tofile(variant.inputs(cache))
    with torch.no_grad():
        reference = torch.cat([model(feed[i : i + 1]) for i in range(len(photos))])
    np.save(variant.reference(cache), reference.numpy().astype(np.float32))
    example = feed[:1].clone()
    flops = count_flops(model, example)
    C.log(f"[{variant.id}] eager model, inputs, reference outputs {list(reference.shape)}, "
          f"{flops / 1e9:.2f} GFLOP: {timer():.0f}s")

    for dtype in m.dtypes:
        if not m.bundled:
            export_pte(variant, cache, dtype)
    export_onnx(model, example, variant.onnx(cache, "fp32"))
    C.log(f"[{variant.id}] ONNX fp32: {timer():.0f}s")
    quantization = None
    if "int8" in m.dtypes:
        quantization = quantize_onnx(variant.onnx(cache, "fp32"), variant.onnx(cache, "int8"), feed.numpy())
        C.log(f"[{variant.id}] ONNX int8: {timer():.0f}s")

    C.write_json(variant.meta(cache), {
        "variant": variant.id,
        "task": m.task,
        "input_shape": list(example.shape),
        "output_shape": [1] + list(reference.shape[1:]),
        "normalize": m.normalize,
        "photos": [p.name for p in photos],
        "flops": flops,
        "flop_count": FLOP_COUNT_NOTE,
        "weights": ("bundled .pte; ONNX/PyTorch from " + (
            f"{MOBILENET_V2_WEIGHTS.name} (sha256 {MOBILENET_V2_WEIGHTS_SHA256})" if m.arch == "mobilenet_v2"
            else "python/selfie/selfie_model.py (the TFLite weights the .pte was converted from)"))
        if m.bundled else f"seeded (seed {m.seed}) as python/export_{'segmenter' if m.task == 'segment' else 'classifier'}.py",
        "onnx": {"exporter": "torch.onnx.export(dynamo=True)", "opset": ONNX_OPSET},
        "onnx_int8": quantization,
        "export_s": round(timer(), 1),
    })
