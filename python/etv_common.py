"""Shared helpers for the etvision model export and fixture scripts.

Everything here follows the react-native-executorch (RNE) classification
conventions that the C++ library implements:

* model input: one float32 tensor ``[1, 3, H, W]``, RGB, NCHW, values in [0, 1]
  or ImageNet-normalised ((x - mean) / std), depending on where the
  normalisation lives (inside the exported graph, or applied by the caller);
* preprocessing: decode -> RGB -> stretch the whole image to HxW with a
  bilinear resize done on the 8-bit image (OpenCV ``INTER_LINEAR`` semantics)
  -> /255 -> optional mean/std;
* output: 1000 logits (the softmax is done by the caller).
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import torch
from PIL import Image
from torch import nn

# Re-exported so the scripts can use one namespace (etv_common as C).
from etv_util import (  # noqa: F401
    IMAGE_SUFFIXES,
    IMAGENET_MEAN,
    IMAGENET_STD,
    REPO_ROOT,
    Timer,
    default_labels_file,
    default_photos_dir,
    list_photos,
    log,
    package_versions,
    sha256_file,
    write_bytes_atomic,
    write_json,
)

# Classification architectures the scripts accept: "tiny" (defined below) and
# these torchvision constructors (always built with weights=None: pretrained
# weight downloads are never used).
TORCHVISION_ARCHS = ("mobilenet_v2", "efficientnet_v2_s")
ARCHS = ("tiny",) + TORCHVISION_ARCHS


# --------------------------------------------------------------------------
# Image preprocessing
# --------------------------------------------------------------------------


def load_rgb(path: Path) -> np.ndarray:
    """Decode to HxWx3 uint8 RGB (RGBA: alpha dropped; L: grey replicated)."""
    with Image.open(path) as im:
        return np.asarray(im.convert("RGB"), dtype=np.uint8).copy()


# OpenCV's fixed-point bilinear resize of 8-bit images uses 11-bit weights.
_COEF_BITS = 11
_COEF_ONE = 1 << _COEF_BITS


def _linear_taps(src_len: int, dst_len: int, clamp_weights: bool):
    """Source indices and 11-bit weights for one axis, half-pixel centres.

    Mirrors OpenCV's INTER_LINEAR set-up: the position is computed in double
    and rounded to float32, the fraction is taken in float32, and each weight
    is rounded to the nearest integer (ties to even) after scaling by 2048.
    ``clamp_weights``: OpenCV zeroes the fraction for out-of-range taps along
    x, but along y it keeps the fraction and clamps only the row index.
    """
    scale = 1.0 / (dst_len / src_len)  # OpenCV stores 1/inv_scale, not src/dst
    pos = ((np.arange(dst_len, dtype=np.float64) + 0.5) * scale - 0.5).astype(np.float32)
    i0 = np.floor(pos).astype(np.int64)
    frac = pos - i0.astype(np.float32)
    if clamp_weights:
        low = i0 < 0
        high = i0 >= src_len - 1
        frac[low | high] = 0.0
        i0[low] = 0
        i0[high] = src_len - 1
    i1 = np.clip(i0 + 1, 0, src_len - 1)
    i0 = np.clip(i0, 0, src_len - 1)
    w0 = np.rint((np.float32(1.0) - frac) * np.float32(_COEF_ONE)).astype(np.int64)
    w1 = np.rint(frac * np.float32(_COEF_ONE)).astype(np.int64)
    return i0, i1, w0, w1


def resize_bilinear_u8(img: np.ndarray, out_h: int, out_w: int) -> np.ndarray:
    """Stretch an HxWxC uint8 image to out_h x out_w, like
    ``cv2.resize(img, (out_w, out_h), interpolation=cv2.INTER_LINEAR)``.

    A NumPy re-implementation of OpenCV's fixed-point path for 8-bit images
    (no anti-aliasing when shrinking), so the scripts need no OpenCV.  The
    horizontal pass is exact integer arithmetic; the vertical pass reproduces
    the rounding of OpenCV's SIMD kernel (inputs >> 4, 16-bit high multiply,
    rounding shift by 2).  Checked bit-exact against opencv-python-headless
    4.6.0.66 and 5.0.0.93 on the repo photos at several sizes and on 200
    random size pairs (up- and down-scaling).
    """
    if img.dtype != np.uint8 or img.ndim != 3:
        raise ValueError("expected an HxWxC uint8 image")
    in_h, in_w, ch = img.shape
    if (in_h, in_w) == (out_h, out_w):
        return img.copy()

    xi0, xi1, xw0, xw1 = _linear_taps(in_w, out_w, clamp_weights=True)
    yi0, yi1, yw0, yw1 = _linear_taps(in_h, out_h, clamp_weights=False)

    src = img.astype(np.int64)
    # Horizontal pass: rows x out_w x C, values in [0, 255 * 2048].
    rows = src[:, xi0, :] * xw0[None, :, None] + src[:, xi1, :] * xw1[None, :, None]
    rows = rows.reshape(in_h, out_w * ch)
    top = rows[yi0]  # out_h x (out_w * C)
    bot = rows[yi1]
    b0 = yw0[:, None]
    b1 = yw1[:, None]

    # OpenCV's vertical kernel (SIMD, applied to every element in 4.6 and
    # 5.0 wheels): ((top >> 4) * b0 >> 16) + ((bot >> 4) * b1 >> 16), then a
    # rounding shift by 2 and saturation.  numpy's >> on int64 is an
    # arithmetic shift, like the signed 16-bit high multiply.  (The textbook
    # (top*b0 + bot*b1 + 2^21) >> 22 differs from it by 1 on some pixels.)
    out = (((top >> 4) * b0) >> 16) + (((bot >> 4) * b1) >> 16)
    out = (out + 2) >> 2
    return np.clip(out, 0, 255).astype(np.uint8).reshape(out_h, out_w, ch)


def to_input_tensor(
    img_u8: np.ndarray,
    mean: Sequence[float] | None = None,
    std: Sequence[float] | None = None,
) -> torch.Tensor:
    """HxWx3 uint8 -> float32 [1, 3, H, W] in [0, 1], then (x - mean) / std if given."""
    x = torch.from_numpy(np.ascontiguousarray(img_u8)).permute(2, 0, 1).float().div(255.0)
    if mean is not None:
        m = torch.tensor(mean, dtype=torch.float32).view(3, 1, 1)
        s = torch.tensor(std, dtype=torch.float32).view(3, 1, 1)
        x = (x - m) / s
    return x.unsqueeze(0).contiguous()


def stretch_input(path: Path, h: int, w: int, normalize: bool) -> torch.Tensor:
    """The RNE "stretch" pipeline for one photo."""
    img = resize_bilinear_u8(load_rgb(path), h, w)
    if normalize:
        return to_input_tensor(img, IMAGENET_MEAN, IMAGENET_STD)
    return to_input_tensor(img)


# --------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------


class TinyClassifier(nn.Module):
    """A small CNN with 1000 outputs (about 105 k parameters, ~0.42 MB as fp32).

    Conv/BN/ReLU stem, one depthwise-separable block, one residual block,
    global average pooling and a linear head: the same op families as the
    real classifiers, so it exercises the same XNNPACK paths at a fraction
    of the export and run time.  Works at any input size >= 16x16.
    """

    def __init__(self, num_classes: int = 1000):
        super().__init__()

        def cbr(cin, cout, k, s, groups=1):
            return nn.Sequential(
                nn.Conv2d(cin, cout, k, s, k // 2, groups=groups, bias=False),
                nn.BatchNorm2d(cout),
                nn.ReLU(inplace=True),
            )

        self.stem = cbr(3, 16, 3, 2)
        self.dw = cbr(16, 16, 3, 1, groups=16)
        self.pw = cbr(16, 32, 1, 1)
        self.down = cbr(32, 48, 3, 2)
        self.res = nn.Sequential(
            cbr(48, 48, 3, 1),
            nn.Conv2d(48, 48, 3, 1, 1, bias=False),
            nn.BatchNorm2d(48),
        )
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(48, num_classes)

    def forward(self, x):
        x = self.pw(self.dw(self.stem(x)))
        x = self.down(x)
        x = torch.relu(x + self.res(x))
        x = self.pool(x).flatten(1)
        return self.fc(x)


class NormalizeInside(nn.Module):
    """Applies ImageNet (x - mean) / std before the wrapped network, so the
    exported graph takes [0, 1] RGB input."""

    def __init__(self, net: nn.Module, mean=IMAGENET_MEAN, std=IMAGENET_STD):
        super().__init__()
        self.net = net
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(std, dtype=torch.float32).view(1, 3, 1, 1))

    def forward(self, x):
        return self.net((x - self.mean) / self.std)


def build_net(arch: str, num_classes: int = 1000) -> nn.Module:
    if arch == "tiny":
        return TinyClassifier(num_classes)
    if arch in TORCHVISION_ARCHS:
        import torchvision

        # weights=None: architecture only, nothing is downloaded.
        return torchvision.models.get_model(arch, weights=None, num_classes=num_classes)
    raise ValueError(f"unknown arch {arch!r} (known: {', '.join(ARCHS)})")


def seeded_init(net: nn.Module, seed: int, stats_inputs: torch.Tensor, logit_std: float = 1.5) -> dict:
    """Deterministic random weights that still behave like a trained classifier.

    * conv / linear weights: the module's own initialisation, drawn from the
      global RNG seeded by build_model;
    * every BatchNorm's affine weight ~ U(0.5, 1.2) and bias ~ U(-0.2, 0.2),
      from a generator seeded with ``seed``;
    * BatchNorm running_mean / running_var: measured on ``stats_inputs``
      (ImageNet-normalised photos): one forward with only the BN layers in
      training mode and a cumulative average (momentum=None);
    * the classifier head's bias is then shifted so that every class logit
      averages 0 over ``stats_inputs``, and the head is scaled so that those
      logits have standard deviation ``logit_std``.

    Why not draw the running statistics at random too: tried first; with
    random mean/var the activations of a deep net drift away from the
    statistics BN assumes, and after ~50 layers the pooled features of all
    images agree to ~1e-7 relative, i.e. the logits no longer depend on the
    input (useless for a parity test that must catch preprocessing bugs).
    Statistics measured on synthetic noise images were not enough either:
    on real photos EfficientNetV2's residual stream then reached
    |logit| ~ 1e4.  With statistics measured on the photos the logits are
    O(1..10), finite, and differ from photo to photo.
    Returns a small description for the fixture metadata.
    """
    g = torch.Generator().manual_seed(seed)
    bns = [m for m in net.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    with torch.no_grad():
        for bn in bns:
            n = bn.num_features
            bn.weight.copy_(0.5 + 0.7 * torch.rand(n, generator=g))
            bn.bias.copy_(-0.2 + 0.4 * torch.rand(n, generator=g))
            bn.reset_running_stats()
            bn.momentum = None  # cumulative moving average
        # Only BN in training mode: dropout / stochastic depth stay off.
        net.eval()
        for bn in bns:
            bn.train()
        net(stats_inputs)
        net.eval()
        for bn in bns:
            bn.momentum = 0.1  # back to the PyTorch default

        # Centre each class logit over the photos (a seeded random net maps
        # all images to similar features, so the shared part would decide
        # the top-1 for every image), then scale to the target spread.
        head = _classifier_head(net)
        head.bias.sub_(net(stats_inputs).mean(0))
        scale = logit_std / net(stats_inputs).std().item()
        head.weight.mul_(scale)
        head.bias.mul_(scale)
    return {"batchnorm_layers": len(bns), "bn_stats_images": len(stats_inputs),
            "head_scale": scale, "logit_std_target": logit_std}


def _classifier_head(net: nn.Module) -> nn.Linear:
    """The last nn.Linear of the network (the 1000-way classifier)."""
    linears = [m for m in net.modules() if isinstance(m, nn.Linear)]
    if not linears:
        raise ValueError("network has no nn.Linear head")
    return linears[-1]


def build_model(
    arch: str,
    weights: Path | None = None,
    seed: int | None = None,
    normalize: str = "outside",
    stats_inputs: torch.Tensor | None = None,
) -> tuple[nn.Module, dict]:
    """Float32 eval-mode model, wrapped in NormalizeInside if requested.

    ``weights``: a torchvision-layout state_dict; or ``seed`` (with
    ``stats_inputs``: ImageNet-normalised [N, 3, H, W] images) for a seeded
    random model (see seeded_init).  Returns (model, init description).
    """
    if (weights is None) == (seed is None):
        raise ValueError("give exactly one of weights / seed")
    if seed is not None:
        # Module constructors draw their initial weights from the global RNG.
        torch.manual_seed(seed)
    net = build_net(arch)
    if weights is not None:
        state = torch.load(weights, map_location="cpu", weights_only=True)
        net.load_state_dict(state, strict=True)
        info = {"weights": Path(weights).name, "weights_sha256": sha256_file(Path(weights))}
    else:
        if stats_inputs is None:
            raise ValueError("seeded init needs stats_inputs")
        info = {"seed": seed, **seeded_init(net, seed, stats_inputs)}
    model = NormalizeInside(net) if normalize == "inside" else net
    return model.eval(), info


def check_logits(logits: torch.Tensor, what: str, max_abs: float = 1e3) -> None:
    """Fail loudly on NaN/inf or absurd magnitudes."""
    if not torch.isfinite(logits).all():
        raise SystemExit(f"{what}: logits contain NaN/inf")
    peak = logits.abs().max().item()
    if peak > max_abs:
        raise SystemExit(f"{what}: logits too large (max |logit| {peak:.3g})")


def topk(logits: torch.Tensor, k: int = 5) -> list[int]:
    return torch.topk(logits.flatten(), k).indices.tolist()


# --------------------------------------------------------------------------
# ExecuTorch export and execution
# --------------------------------------------------------------------------


def quantize_int8(
    model: nn.Module,
    example: torch.Tensor,
    calibration: Iterable[torch.Tensor],
    act_observer: str = "histogram",
) -> nn.Module:
    """PT2E static int8 for XNNPACK: per-channel symmetric int8 weights,
    per-tensor affine int8 activations.

    act_observer "histogram" is the stock get_symmetric_quantization_config
    (HistogramObserver, which clips activation outliers to minimise the L2
    error); "minmax" keeps the same specs but observes the full activation
    range (MinMaxObserver).  minmax suits the bundled MobileNetV2, whose
    weights come from a QAT int8 model and whose ReLU6 clamps sit exactly at
    the original int8 saturation points, so the full ranges are the ranges it
    was trained for (see models/mobilenet_v2/PROVENANCE.md for the numbers).
    """
    import dataclasses

    from executorch.backends.xnnpack.quantizer.xnnpack_quantizer import (
        XNNPACKQuantizer,
        get_symmetric_quantization_config,
    )
    from torchao.quantization.pt2e import MinMaxObserver
    from torchao.quantization.pt2e.quantize_pt2e import convert_pt2e, prepare_pt2e

    config = get_symmetric_quantization_config(is_per_channel=True)
    if act_observer == "minmax":
        act = dataclasses.replace(
            config.input_activation,
            observer_or_fake_quant_ctr=MinMaxObserver.with_args(eps=2**-12),  # eps as in the stock config
        )
        config = dataclasses.replace(config, input_activation=act, output_activation=act)
    elif act_observer != "histogram":
        raise ValueError(f"unknown act_observer {act_observer!r}")

    graph = torch.export.export(model, (example,)).module()
    quantizer = XNNPACKQuantizer()
    quantizer.set_global(config)
    prepared = prepare_pt2e(graph, quantizer)
    with torch.no_grad():
        for x in calibration:
            prepared(x)
    return convert_pt2e(prepared)


# The constant method that makes an exported model self-describing, and its
# format: src/tasks/model_metadata.h reads it (the format is documented there).
METADATA_METHOD = "etvision_metadata"
METADATA_VERSION = 1


def model_metadata(task: str, name: str, normalize: bool, labels: str | list[str]) -> str:
    """The JSON an etvision-exported program carries in METADATA_METHOD.

    task: "classification" or "segmentation"; normalize: True when the caller
    must apply the ImageNet mean/std (False: the program takes [0, 1] RGB);
    labels: a label set the library compiles in ("imagenet1k", "voc21") or
    the labels themselves, in output order.
    """
    import json

    if task not in ("classification", "segmentation"):
        raise ValueError(f"unknown task {task!r}")
    normalization = {"mean": list(IMAGENET_MEAN), "std": list(IMAGENET_STD)} if normalize else None
    return json.dumps({
        "etvision_model_metadata": METADATA_VERSION,
        "task": task,
        "name": name,
        "normalization": normalization,
        "labels": labels,
    }, separators=(",", ":"))


def export_xnnpack(model: nn.Module, example_inputs: tuple,
                   metadata: str | None = None) -> tuple[bytes, dict]:
    """torch.export -> edge + XNNPACK delegation -> .pte bytes.

    `metadata` (model_metadata(); the bad-model fixtures pass other values)
    is stored as the constant method METADATA_METHOD. Returns the program bytes and a summary of what stayed
    outside the delegate (those ops need portable kernels in the C++ runtime).
    """
    from executorch.backends.xnnpack.partition.xnnpack_partitioner import XnnpackPartitioner
    from executorch.exir import to_edge_transform_and_lower

    constant_methods = {METADATA_METHOD: metadata} if metadata is not None else None
    with torch.no_grad():
        ep = torch.export.export(model, example_inputs)
        edge = to_edge_transform_and_lower(ep, partitioner=[XnnpackPartitioner()],
                                           constant_methods=constant_methods)
        summary = delegation_summary(edge.exported_program().graph_module)
        program = edge.to_executorch()
    return program.buffer, summary


def delegation_summary(gm: torch.fx.GraphModule) -> dict:
    delegates = 0
    outside: dict[str, int] = {}
    for node in gm.graph.nodes:
        if node.op != "call_function":
            continue
        name = getattr(node.target, "__name__", str(node.target))
        if "executorch_call_delegate" in name:
            delegates += 1
        elif name != "getitem":
            outside[name] = outside.get(name, 0) + 1
    return {"xnnpack_delegates": delegates, "non_delegated_ops": outside}


def load_pte(pte: bytes | Path):
    """Load method "forward" with ExecuTorch's Python runtime (the prebuilt
    pybindings of the executorch wheel, which include the XNNPACK backend).
    Returns a callable: list of input tensors -> list of output tensors."""
    from executorch.runtime import Runtime

    program = Runtime.get().load_program(pte if isinstance(pte, bytes) else Path(pte))
    method = program.load_method("forward")

    def run(inputs: Sequence[torch.Tensor]) -> list[torch.Tensor]:
        # Keep the program alive as long as the callable.
        _ = program
        return list(method.execute(list(inputs)))

    return run


# c10::ScalarType codes as reported by the runtime's TensorInfo.dtype().
_SCALAR_TYPES = {0: "uint8", 1: "int8", 2: "int16", 3: "int32", 4: "int64", 5: "float16",
                 6: "float32", 7: "float64", 11: "bool", 15: "bfloat16"}


def pte_io_meta(pte: Path) -> dict:
    """Input/output shapes and dtypes of method "forward", as the ExecuTorch
    runtime reports them (this also proves the file loads)."""
    from executorch.runtime import Runtime

    meta = Runtime.get().load_program(Path(pte)).metadata("forward")

    def info(t):
        return {"shape": list(t.sizes()), "dtype": _SCALAR_TYPES.get(t.dtype(), str(t.dtype()))}

    return {
        "inputs": [info(meta.input_tensor_meta(i)) for i in range(meta.num_inputs())],
        "outputs": [info(meta.output_tensor_meta(i)) for i in range(meta.num_outputs())],
    }
