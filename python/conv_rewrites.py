"""Exact export-time convolution rewrites for a fixed input size.

Why: the engines this project targets (XNNPACK through ExecuTorch, and ONNX
Runtime's MLAS) compute a zero-padded convolution over its whole kernel,
including the taps that read only padding. A dilated convolution whose
dilation is as large as its input map therefore multiplies by zeros for most
of its work. DeepLabV3's ASPP head is the case in point: at a 224x224 input
(output stride 8) the backbone's map is 28x28 and the rate-36 3x3
convolution (2048 -> 256 channels, padding 36) can only ever read its centre
tap; the eight others always land in the padding. Replacing it by the 1x1
convolution made of the centre tap's weights (same bias, no padding) gives
the same numbers (up to float summation order: the dropped products are all
exactly zero) for 1/9 of the multiply-adds, about 6.6 of the model's 7.4
GFLOP spent in that layer.

The rule, per spatial axis of a stride-1, zero-padded ("zeros" padding mode)
Conv2d with an odd kernel k, dilation d and the symmetric "same" padding
p = d * (k - 1) / 2 (so the output size equals the input size n): output o
reads input o + (j - c) * d for tap j (centre c = (k - 1) / 2). Tap j is live
for some output iff |j - c| * d < n, so the live taps are the centred range
|j - c| <= r with r = min(c, (n - 1) // d). If r < c along an axis, the
outer taps along it are dead for every output: the kernel is trimmed to
2r + 1 taps along that axis with padding r * d (r = 0: one tap, padding 0,
dilation 1). For DeepLabV3's 3x3 kernels on square maps that means
"centre only -> 1x1", the only case that occurs in this project's exports
at square sizes; non-square inputs can trim one axis only (3x3 -> 1x3).

Everything else is left exactly as it is: convolutions with stride > 1,
non-"same" or non-zero padding, even kernels, or any live off-centre tap
(e.g. rate 24 on a 28x28 map, whose outer taps are live for 4 rows and
columns). The input size of every convolution is measured by running the
module once at the export size with forward pre-hooks; a convolution is
rewritten only if its taps are dead for every call it receives, and one
that is never called is left alone.

The rewrite is only valid for the input size it was made for: a .pte (or any
export) made from the rewritten module must be used at that size only,
which is what this project's static-shape exports do.

A second, XNNPACK-specific rule, rewrite_sparse_dilated_convs, handles the
dilated convolutions that still have live off-centre taps (DeepLabV3's ASPP
rates 12 and 24 at 224, 12/24/36 at 520): "tap-sum" (only the live products,
one 1x1 GEMM per tap) or an input-channel split (shorter GEMMs), with the
BatchNorm that follows folded in. Its rule and the measurements behind it
are in that section below. It is for the ExecuTorch/XNNPACK export only:
ONNX Runtime already skips padding taps and gets slower on that graph.
"""

from __future__ import annotations

import weakref
from dataclasses import asdict, dataclass, field

import torch
import torch.nn.functional as F
from torch import nn


@dataclass(frozen=True)
class ConvRewrite:
    """One rewritten convolution: where it is, what it became, what it saved."""

    name: str  # qualified module name (the first one if the module is shared)
    input_hws: tuple[tuple[int, int], ...]  # spatial input size of each distinct call at the export size
    kernel_before: tuple[int, int]
    kernel_after: tuple[int, int]
    dilation_before: tuple[int, int]
    padding_before: tuple[int, int]
    padding_after: tuple[int, int]
    flops_before: int  # 2 * multiply-adds per call, full kernel, batch 1
    flops_after: int


@dataclass
class RewriteSummary:
    """What rewrite_dead_conv_taps did (all figures per batch-1 forward)."""

    input_shape: tuple[int, ...]
    convs_seen: int = 0
    rewrites: list[ConvRewrite] = field(default_factory=list)

    @property
    def flops_saved(self) -> int:
        return sum(r.flops_before - r.flops_after for r in self.rewrites)

    def as_dict(self) -> dict:
        return {"input_shape": list(self.input_shape), "convs_seen": self.convs_seen,
                "convs_rewritten": len(self.rewrites), "flops_saved": self.flops_saved,
                "rewrites": [asdict(r) for r in self.rewrites]}


def _live_radius(n: int, k: int, d: int) -> int:
    """Half-width of the live tap range along one axis (see module doc)."""
    c = (k - 1) // 2
    return min(c, (n - 1) // d)


def _same_padding(conv: nn.Conv2d) -> tuple[int, int] | None:
    """The conv's padding if it is the symmetric "same" padding of an odd
    kernel (d * (k - 1) / 2 per axis), else None."""
    k, d = conv.kernel_size, conv.dilation
    if any(kk % 2 == 0 for kk in k):
        return None
    same = (d[0] * (k[0] - 1) // 2, d[1] * (k[1] - 1) // 2)
    if conv.padding == "same" or tuple(conv.padding) == same:
        return same
    return None


def _plan(conv: nn.Conv2d, sizes: set[tuple[int, int]]) -> tuple[int, int] | None:
    """Live radius (ry, rx) if the conv can be trimmed for every input size
    it saw, else None."""
    if not sizes or conv.stride != (1, 1) or conv.padding_mode != "zeros" or _same_padding(conv) is None:
        return None
    k, d = conv.kernel_size, conv.dilation
    ry = max(_live_radius(h, k[0], d[0]) for h, _ in sizes)
    rx = max(_live_radius(w, k[1], d[1]) for _, w in sizes)
    if (ry, rx) == ((k[0] - 1) // 2, (k[1] - 1) // 2):
        return None  # every tap is live somewhere: nothing to trim
    return ry, rx


def _conv_flops(conv: nn.Conv2d, kernel: tuple[int, int], hw: tuple[int, int]) -> int:
    """2 * multiply-adds of one batch-1 call with the given kernel (output
    size = input size for the stride-1 "same" convolutions rewritten here;
    counted once per distinct input size)."""
    per_output = (conv.in_channels // conv.groups) * kernel[0] * kernel[1]
    return 2 * conv.out_channels * hw[0] * hw[1] * per_output


def _trimmed(conv: nn.Conv2d, ry: int, rx: int) -> nn.Conv2d:
    """The stride-1 conv that keeps only taps |j - c| <= r per axis."""
    k, d = conv.kernel_size, conv.dilation
    cy, cx = (k[0] - 1) // 2, (k[1] - 1) // 2
    new = nn.Conv2d(conv.in_channels, conv.out_channels, (2 * ry + 1, 2 * rx + 1), stride=1,
                    padding=(ry * d[0], rx * d[1]), dilation=(d[0] if ry else 1, d[1] if rx else 1),
                    groups=conv.groups, bias=conv.bias is not None,
                    device=conv.weight.device, dtype=conv.weight.dtype)
    with torch.no_grad():
        new.weight.copy_(conv.weight[:, :, cy - ry : cy + ry + 1, cx - rx : cx + rx + 1])
        if conv.bias is not None:
            new.bias.copy_(conv.bias)
    new.train(conv.training)
    new.weight.requires_grad_(conv.weight.requires_grad)
    if conv.bias is not None:
        new.bias.requires_grad_(conv.bias.requires_grad)
    return new


def _probe(model: nn.Module, example: torch.Tensor, handles: list) -> None:
    """One eval-mode, no-grad forward of `model` at the export size with the
    hooks in `handles` registered, which are removed afterwards; every
    module's training flag is restored (BatchNorm statistics never move)."""
    modes = {m: m.training for m in model.modules()}
    try:
        model.eval()
        with torch.no_grad():
            model(example)
    finally:
        for h in handles:
            h.remove()
        for m, training in modes.items():
            m.training = training


def conv_input_sizes(model: nn.Module, example: torch.Tensor) -> dict[nn.Conv2d, set[tuple[int, int]]]:
    """Spatial input sizes each nn.Conv2d receives in one forward of `example`.
    The probe runs in eval mode (restored afterwards) so that it has no side
    effect: a training-mode forward would update BatchNorm running stats."""
    sizes: dict[nn.Conv2d, set[tuple[int, int]]] = {}
    handles = []

    def record(module: nn.Module, args: tuple) -> None:
        sizes.setdefault(module, set()).add(tuple(args[0].shape[-2:]))

    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            handles.append(m.register_forward_pre_hook(record))
    _probe(model, example, handles)
    return sizes


def rewrite_dead_conv_taps(model: nn.Module, example: torch.Tensor) -> RewriteSummary:
    """Replaces, in place, every nn.Conv2d whose outer taps read only zero
    padding at the input size of `example` by the smaller exact equivalent
    (see the module doc). `example` is one input at the export size (its
    values do not matter; batch 1 keeps the probe cheap). Only modules of
    type exactly nn.Conv2d are considered. The modules' training/eval modes
    are left as they were. Returns what was rewritten."""
    summary = RewriteSummary(input_shape=tuple(example.shape))
    sizes = conv_input_sizes(model, example)
    # Definition order, each module once (named_modules drops duplicates).
    convs = {m: name for name, m in model.named_modules() if isinstance(m, nn.Conv2d)}
    summary.convs_seen = len(convs)
    replacement: dict[nn.Module, nn.Conv2d] = {}
    for conv, name in convs.items():
        # Exactly nn.Conv2d: a subclass (QAT, fused, custom forward) may not
        # compute what its kernel says; the root has no parent to swap it in.
        if type(conv) is not nn.Conv2d or conv is model:
            continue
        plan = _plan(conv, sizes.get(conv, set()))
        if plan is None:
            continue
        ry, rx = plan
        new = _trimmed(conv, ry, rx)
        replacement[conv] = new
        hws = tuple(sorted(sizes[conv]))
        summary.rewrites.append(ConvRewrite(
            name=name, input_hws=hws, kernel_before=tuple(conv.kernel_size),
            kernel_after=tuple(new.kernel_size), dilation_before=tuple(conv.dilation),
            padding_before=_same_padding(conv), padding_after=tuple(new.padding),
            flops_before=sum(_conv_flops(conv, conv.kernel_size, hw) for hw in hws),
            flops_after=sum(_conv_flops(new, new.kernel_size, hw) for hw in hws)))
    # Swap every reference (a module registered under several names included).
    for parent in model.modules():
        for child_name, child in list(parent._modules.items()):
            if child in replacement:
                parent._modules[child_name] = replacement[child]
    return summary


# --------------------------------------------------------------------------
# Rule 2 (XNNPACK only): dilated convolutions followed by BatchNorm whose
# taps still read partly padding, or whose GEMM is very deep
# --------------------------------------------------------------------------
#
# Why: two properties of XNNPACK's f32 convolution, measured on a 2-core
# Xeon (AVX-512 + VNNI) with DeepLabV3-ResNet50's ASPP convolutions (3x3,
# 2048 -> 256 channels) as single-layer programs (2 threads, ms, medians;
# the programs also carry ~3 ms (28x28) / ~10 ms (65x65) of layout
# conversion at their input and output):
#
#   (a) its IGEMM multiplies the taps that read padding through a zero
#       buffer, so a dilated conv costs its full kernel whatever the rate:
#       28x28 map: rate 12 41.7, rate 24 40.1, rate 36 44.3 ms (ONNX
#       Runtime, which skips padding taps: 17.9, 8.0, 3.9 ms);
#   (b) with a GEMM depth K = Cin * kh * kw of 18432 it runs at half the
#       speed it reaches at K <= 4608 (the 32-column packed weight panel,
#       K * 32 * 4 bytes = 2.4 MB, no longer fits the 2 MiB L2): the same
#       conv split into four 512-channel convs, summed, takes 26.8 instead
#       of 41.7 ms at 28x28 and 132 instead of 207 ms at 65x65.
#
# Two exact rewrites route around them (BatchNorm folded into the weights
# first, because XNNPACK fuses a BatchNorm only into the conv right before
# it, not after a sum):
#
#   tap-sum (TapSumConv2d): each live tap as a 1x1 conv (GEMM depth Cin)
#       over the input window it reads inside the map, zero-padded back to
#       the output size and summed. Only the live products are computed,
#       but each off-centre tap copies its input window (a slice of all Cin
#       channels) and pads and adds its output;
#   channel split (ChannelSplitConv2d): the conv as the sum of g convs over
#       Cin / g input channels each, K / g <= 4608. Same products (padding
#       included), shorter GEMMs, g - 1 slices and adds.
#
# The rule, with L the live fraction of the conv's multiply-adds at its
# input size (live_tap_fraction) and K its GEMM depth:
#
#   L <= 0.65                -> tap-sum
#   L >  0.65 and K > 4608   -> channel split, g = the smallest divisor of
#                               Cin with Cin / g * kh * kw <= 4608
#   otherwise                -> left alone
#
# Why 0.65, and why the map size enters only through L: per unit of live
# work (one full-map 1x1 GEMM's worth), tap-sum cost ~3.9 ms at 28x28 and
# ~20 ms at 65x65 (layout conversions of the single-layer programs taken
# off), the channel split ~2.6 and ~13.6 ms per tap, all 9 taps always:
# tap-sum is ~1.5x dearer per product at both sizes, because its extra
# copying scales with the same live window area as its GEMMs. So it wins
# when L < 1 / 1.5 ~ 0.67. Measured: 28x28 rate 12 (L 0.51): tap-sum 20.5,
# split 26.8, conv 41.7 ms; 28x28 rate 24 (L 0.18): tap-sum 9.6, conv
# 40.1; 65x65 rate 12 (L 0.77): tap-sum 152, split 132, conv 207; 65x65
# rate 24 (L 0.57): tap-sum 112, conv 218; 65x65 rate 36 (L 0.40): tap-sum
# 84, conv 204. A larger map makes a given rate denser (higher L); that is
# all the size does. Left alone: dense convs with K <= 4608, e.g. ResNet
# layer3/4's dilation-2/4 3x3 convs (256/512 channels, L >= 0.82 at 28x28),
# which run within 4-16% of ONNX Runtime. The figures are for Cout = 256:
# with far fewer output channels the window copies weigh more against the
# GEMMs and the crossover moves down (not measured).
#
# int8: export_segmenter applies this rule to float32 exports only. Applied
# before PT2E quantisation it lowers fully and is faster (DeepLabV3 224 int8,
# etvision C++: 66.1 -> 59.9 ms), but every partial sum of a tap-sum is then
# requantised to int8 (one quantised add per tap) and the seeded bench
# model's agreement with float32 eager went down (argmax 69.37% -> 68.70%
# of pixels); without real weights to judge that on, int8 keeps the model
# as quantised today (dead-tap rule only).
#
# Scope: type exactly nn.Conv2d, groups 1, stride 1, zero padding, odd
# kernel with "same" padding, dilation > 1 on some axis, called at a single
# input size, its output consumed only by an eval-mode BatchNorm2d with
# running statistics that directly follows it in an nn.Sequential (as in
# torchvision's ASPPConv); conv and BatchNorm registered once. Everything
# else is left alone (listed in the summary with the reason). Valid for the
# probed input size only; TapSumConv2d refuses any other.

TAP_SUM_MAX_LIVE_FRACTION = 0.65
SPLIT_MAX_GEMM_DEPTH = 4608  # 9 * 512


@dataclass(frozen=True)
class LiveTap:
    """One live kernel tap of a stride-1 "same" conv at a fixed input size."""

    ky: int  # kernel row
    kx: int  # kernel column
    rows: tuple[int, int]  # input rows [start, stop) it reads (all inside the map)
    cols: tuple[int, int]  # input columns [start, stop)
    pad: tuple[int, int, int, int]  # F.pad (left, right, top, bottom) placing its outputs in the map


def live_taps(kernel: tuple[int, int], dilation: tuple[int, int], hw: tuple[int, int]) -> list[LiveTap]:
    """The taps of a stride-1, zero-padded "same" conv (odd kernel) that read
    real input for at least one output, centre tap first. Output o reads input
    o + (j - c) * d for tap j, so it reads inside the map for the outputs
    [max(0, -off), min(n, n - off)) with off = (j - c) * d."""
    taps = []
    (kh, kw), (dy, dx), (h, w) = kernel, dilation, hw
    cy, cx = (kh - 1) // 2, (kw - 1) // 2
    for ky in range(kh):
        oy = (ky - cy) * dy
        r0, r1 = max(0, -oy), min(h, h - oy)
        if r0 >= r1:
            continue
        for kx in range(kw):
            ox = (kx - cx) * dx
            c0, c1 = max(0, -ox), min(w, w - ox)
            if c0 >= c1:
                continue
            taps.append(LiveTap(ky, kx, (r0 + oy, r1 + oy), (c0 + ox, c1 + ox), (c0, w - c1, r0, h - r1)))
    taps.sort(key=lambda t: (t.ky, t.kx) != (cy, cx))  # stable: centre first, then row-major
    return taps


def live_tap_fraction(kernel: tuple[int, int], dilation: tuple[int, int], hw: tuple[int, int]) -> float:
    """Live multiply-adds / full-kernel multiply-adds of a stride-1 "same"
    conv at input size hw (1.0: no tap ever reads padding)."""
    live = sum((t.rows[1] - t.rows[0]) * (t.cols[1] - t.cols[0]) for t in live_taps(kernel, dilation, hw))
    return live / (kernel[0] * kernel[1] * hw[0] * hw[1])


def choose_sparse_rewrite(kernel: tuple[int, int], dilation: tuple[int, int], in_channels: int,
                          hw: tuple[int, int], *, max_live_fraction: float = TAP_SUM_MAX_LIVE_FRACTION,
                          max_gemm_depth: int = SPLIT_MAX_GEMM_DEPTH) -> tuple[str, int]:
    """The rule of this section for an eligible conv: ("tap_sum", live taps),
    ("channel_split", groups) or ("keep", 0)."""
    if live_tap_fraction(kernel, dilation, hw) <= max_live_fraction:
        return "tap_sum", len(live_taps(kernel, dilation, hw))
    taps = kernel[0] * kernel[1]
    if in_channels * taps > max_gemm_depth:
        for groups in range(2, in_channels + 1):
            if in_channels % groups == 0 and (in_channels // groups) * taps <= max_gemm_depth:
                return "channel_split", groups
    return "keep", 0


def fold_batch_norm(conv: nn.Conv2d, bn: nn.BatchNorm2d) -> tuple[torch.Tensor, torch.Tensor]:
    """Weight and bias of `conv` with the eval-mode `bn` that follows it folded
    in: bn(conv(x)) = conv(x) * s + (beta - mean * s), s = gamma / sqrt(var +
    eps), i.e. weight * s per output channel and bias (b - mean) * s + beta.
    Computed in float64, returned in the conv's dtype (float rounding aside,
    what XNNPACK's own conv + BatchNorm fusion computes)."""
    if bn.training or bn.running_mean is None or bn.running_var is None:
        raise ValueError("only an eval-mode BatchNorm with running statistics can be folded")
    with torch.no_grad():
        w = conv.weight.detach().double()
        b = conv.bias.detach().double() if conv.bias is not None else torch.zeros(
            conv.out_channels, dtype=torch.float64, device=w.device)
        gamma = bn.weight.detach().double() if bn.weight is not None else torch.ones_like(b)
        beta = bn.bias.detach().double() if bn.bias is not None else torch.zeros_like(b)
        s = gamma / torch.sqrt(bn.running_var.detach().double() + bn.eps)
        weight = w * s[:, None, None, None]
        bias = (b - bn.running_mean.detach().double()) * s + beta
    return weight.to(conv.weight.dtype), bias.to(conv.weight.dtype)


class TapSumConv2d(nn.Module):
    """A stride-1, zero-padded "same" convolution (groups 1, bias) at one fixed
    input size, computed as the sum over its live taps of a 1x1 convolution
    of the input window the tap reads inside the map, zero-padded back to the
    output size. The centre tap (whole map) comes first and carries the bias.

    Why it exists: XNNPACK multiplies a convolution's padding taps like real
    ones, so a dilated conv on a small map spends most of its time on zeros
    (DeepLabV3's ASPP rate 24 at 224: 82% of its products); this module
    exports as 1x1 convolutions, slices, constant pads and adds, which XNNPACK
    lowers, and computes only the live products. Exact: the dropped products
    are products with padding zeros; only the summation order differs."""

    def __init__(self, weight: torch.Tensor, bias: torch.Tensor, dilation: tuple[int, int],
                 input_hw: tuple[int, int]):
        super().__init__()
        self.kernel_size: tuple[int, int] = tuple(weight.shape[-2:])
        self.dilation: tuple[int, int] = tuple(dilation)
        self.input_hw: tuple[int, int] = tuple(input_hw)
        self.taps: tuple[LiveTap, ...] = tuple(live_taps(self.kernel_size, self.dilation, self.input_hw))
        self.weights = nn.ParameterList(
            nn.Parameter(weight.detach()[:, :, t.ky : t.ky + 1, t.kx : t.kx + 1].clone()) for t in self.taps)
        self.bias = nn.Parameter(bias.detach().clone())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if tuple(x.shape[-2:]) != self.input_hw:
            raise ValueError(f"TapSumConv2d made for {self.input_hw} inputs, got {tuple(x.shape[-2:])}")
        y = F.conv2d(x, self.weights[0], self.bias)
        for tap, w in zip(self.taps[1:], self.weights[1:]):
            window = x[:, :, tap.rows[0] : tap.rows[1], tap.cols[0] : tap.cols[1]]
            y = y + F.pad(F.conv2d(window, w), tap.pad)
        return y

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, dilation={self.dilation}, input_hw={self.input_hw}, "
                f"live_taps={len(self.taps)}")


class ChannelSplitConv2d(nn.Module):
    """A convolution (groups 1, bias) computed as the sum of `groups`
    convolutions over equal slices of its input channels.

    Why it exists: XNNPACK runs a convolution whose GEMM depth Cin * kh * kw
    is far above 4608 (DeepLabV3's 3x3 ASPP convs on 2048 channels: 18432)
    at about half its usual speed, the packed weights no longer fitting in
    L2; four 512-channel convolutions do the same products 1.6x faster.
    Exact up to the summation order."""

    def __init__(self, weight: torch.Tensor, bias: torch.Tensor, padding: tuple[int, int],
                 dilation: tuple[int, int], groups: int):
        super().__init__()
        in_channels = weight.shape[1]
        if in_channels % groups:
            raise ValueError(f"{in_channels} input channels do not split into {groups} groups")
        self.split: int = in_channels // groups
        self.padding: tuple[int, int] = tuple(padding)
        self.dilation: tuple[int, int] = tuple(dilation)
        self.weights = nn.ParameterList(
            nn.Parameter(weight.detach()[:, g * self.split : (g + 1) * self.split].clone()) for g in range(groups))
        self.bias = nn.Parameter(bias.detach().clone())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n = self.split
        y = F.conv2d(x[:, :n], self.weights[0], self.bias, padding=self.padding, dilation=self.dilation)
        for g, w in enumerate(self.weights[1:], start=1):
            y = y + F.conv2d(x[:, g * n : (g + 1) * n], w, None, padding=self.padding, dilation=self.dilation)
        return y

    def extra_repr(self) -> str:
        return f"groups={len(self.weights)}, split={self.split}, padding={self.padding}, dilation={self.dilation}"


@dataclass(frozen=True)
class SparseConvRewrite:
    """One conv + BatchNorm pair replaced by rewrite_sparse_dilated_convs."""

    name: str  # the conv's qualified module name
    batch_norm: str  # the folded BatchNorm's (now an nn.Identity)
    method: str  # "tap_sum" or "channel_split"
    input_hw: tuple[int, int]
    kernel: tuple[int, int]
    dilation: tuple[int, int]
    in_channels: int
    out_channels: int
    live_fraction: float  # live / full-kernel multiply-adds at input_hw
    gemm_depth: int  # in_channels * kh * kw of the original conv
    parts: int  # tap_sum: live taps (1x1 convs); channel_split: groups
    flops_before: int  # 2 * multiply-adds, full kernel, batch 1
    flops_after: int  # 2 * multiply-adds executed by the replacement


@dataclass
class SparseRewriteSummary:
    """What rewrite_sparse_dilated_convs did; `kept` lists every dilated
    nn.Conv2d (or subclass) left alone, as (name, reason)."""

    input_shape: tuple[int, ...]
    rewrites: list[SparseConvRewrite] = field(default_factory=list)
    kept: list[tuple[str, str]] = field(default_factory=list)

    @property
    def flops_saved(self) -> int:
        return sum(r.flops_before - r.flops_after for r in self.rewrites)

    def as_dict(self) -> dict:
        return {"input_shape": list(self.input_shape), "convs_rewritten": len(self.rewrites),
                "flops_saved": self.flops_saved, "rewrites": [asdict(r) for r in self.rewrites],
                "kept": [{"name": n, "reason": r} for n, r in self.kept]}


def _probe_conv_bn(model: nn.Module, example: torch.Tensor) -> tuple[
        dict[nn.Module, set[tuple[int, int]]], dict[nn.Module, nn.Module]]:
    """One eval-mode, no-grad forward of `example` (modes restored after):
    each Conv2d's input sizes, and for each conv whose output went, on every
    call, straight into the same BatchNorm2d (called by nothing else), that
    BatchNorm2d."""
    sizes: dict[nn.Module, set[tuple[int, int]]] = {}
    conv_calls: dict[nn.Module, int] = {}
    bn_calls: dict[nn.Module, int] = {}
    # id(output) -> (conv, weak reference to the output): the reference tells
    # a live output from a freed one whose id was reused, without keeping
    # every conv output of the forward alive.
    produced: dict[int, tuple[nn.Module, weakref.ref]] = {}
    fed: dict[nn.Module, list[nn.Module]] = {}

    def conv_pre(module: nn.Module, args: tuple) -> None:
        sizes.setdefault(module, set()).add(tuple(args[0].shape[-2:]))

    def conv_post(module: nn.Module, args: tuple, out: torch.Tensor) -> None:
        conv_calls[module] = conv_calls.get(module, 0) + 1
        produced[id(out)] = (module, weakref.ref(out))

    def bn_pre(module: nn.Module, args: tuple) -> None:
        bn_calls[module] = bn_calls.get(module, 0) + 1
        src = produced.get(id(args[0]))
        if src is not None and src[1]() is args[0]:
            fed.setdefault(src[0], []).append(module)

    handles = []
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            handles += [m.register_forward_pre_hook(conv_pre), m.register_forward_hook(conv_post)]
        elif isinstance(m, nn.BatchNorm2d):
            handles.append(m.register_forward_pre_hook(bn_pre))
    _probe(model, example, handles)
    followers = {}
    for conv, bns in fed.items():
        bn = bns[0]
        if len(bns) == conv_calls[conv] == bn_calls[bn] and all(b is bn for b in bns):
            followers[conv] = bn
    return sizes, followers


def rewrite_sparse_dilated_convs(model: nn.Module, example: torch.Tensor, *,
                                 max_live_fraction: float = TAP_SUM_MAX_LIVE_FRACTION,
                                 max_gemm_depth: int = SPLIT_MAX_GEMM_DEPTH) -> SparseRewriteSummary:
    """Applies, in place, the XNNPACK rule of this section (tap-sum / channel
    split / leave alone) to every eligible dilated conv + BatchNorm pair at
    the input size of `example` (one input at the export size; batch 1 keeps
    the probe cheap). The conv becomes a TapSumConv2d or ChannelSplitConv2d
    with the BatchNorm folded in, the BatchNorm an nn.Identity. Meant for an
    eval-mode model about to be exported to ExecuTorch/XNNPACK (ONNX Runtime
    already skips padding taps and runs the rewritten graph slower). Run
    rewrite_dead_conv_taps first: convs it reduces to 1x1 are not dilated
    any more and are left to it. Returns what was rewritten and why the other
    dilated convs were not."""
    summary = SparseRewriteSummary(input_shape=tuple(example.shape))
    sizes, followers = _probe_conv_bn(model, example)
    registrations: dict[nn.Module, int] = {}
    for _, m in model.named_modules(remove_duplicate=False):
        registrations[m] = registrations.get(m, 0) + 1
    # Sequential position of every child: module -> (parent, key, next key).
    position: dict[nn.Module, tuple[nn.Module, str, str | None]] = {}
    for parent in model.modules():
        if isinstance(parent, nn.Sequential) and type(parent).forward is nn.Sequential.forward:
            keys = list(parent._modules)
            for i, key in enumerate(keys):
                position[parent._modules[key]] = (parent, key, keys[i + 1] if i + 1 < len(keys) else None)
    names = {m: name for name, m in model.named_modules()}

    def reason_to_keep(conv: nn.Module) -> str | None:
        if type(conv) is not nn.Conv2d:
            return "subclass of nn.Conv2d"
        if conv.groups != 1:
            return f"groups {conv.groups}"
        if conv.stride != (1, 1) or conv.padding_mode != "zeros" or _same_padding(conv) is None:
            return "not a stride-1 zero-padded 'same' convolution"
        hws = sizes.get(conv, set())
        if len(hws) != 1:
            return "never called" if not hws else f"called at several input sizes {sorted(hws)}"
        bn = followers.get(conv)
        if bn is None or type(bn) is not nn.BatchNorm2d or bn.num_features != conv.out_channels:
            return "output not consumed only by a BatchNorm2d"
        if conv.training or bn.training:
            return "training mode (BatchNorm cannot be folded)"
        if bn.running_mean is None or bn.running_var is None:
            return "BatchNorm without running statistics"
        pos = position.get(conv)
        if (pos is None or pos[2] is None or pos[0]._modules[pos[2]] is not bn
                or registrations[conv] != 1 or registrations[bn] != 1):
            return "conv and BatchNorm not consecutive in one nn.Sequential, or registered more than once"
        return None

    for conv, name in names.items():
        if not isinstance(conv, nn.Conv2d) or max(conv.dilation) == 1:
            continue
        reason = reason_to_keep(conv)
        if reason is not None:
            summary.kept.append((name, reason))
            continue
        (hw,) = sizes[conv]
        kernel, dilation = tuple(conv.kernel_size), tuple(conv.dilation)
        method, parts = choose_sparse_rewrite(kernel, dilation, conv.in_channels, hw,
                                              max_live_fraction=max_live_fraction, max_gemm_depth=max_gemm_depth)
        live = live_tap_fraction(kernel, dilation, hw)
        depth = conv.in_channels * kernel[0] * kernel[1]
        if method == "keep":
            summary.kept.append((name, f"live fraction {live:.2f} > {max_live_fraction} and GEMM depth "
                                       f"{depth} <= {max_gemm_depth}"))
            continue
        parent, key, bn_key = position[conv]
        bn = parent._modules[bn_key]
        weight, bias = fold_batch_norm(conv, bn)
        flops = _conv_flops(conv, kernel, hw)
        if method == "tap_sum":
            new: nn.Module = TapSumConv2d(weight, bias, dilation, hw)
            flops_after = 2 * conv.out_channels * conv.in_channels * sum(
                (t.rows[1] - t.rows[0]) * (t.cols[1] - t.cols[0]) for t in new.taps)
        else:
            new = ChannelSplitConv2d(weight, bias, _same_padding(conv), dilation, parts)
            flops_after = flops
        new.train(False)
        parent._modules[key] = new
        parent._modules[bn_key] = nn.Identity()
        summary.rewrites.append(SparseConvRewrite(
            name=name, batch_norm=names[bn], method=method, input_hw=hw, kernel=kernel, dilation=dilation,
            in_channels=conv.in_channels, out_channels=conv.out_channels, live_fraction=round(live, 4),
            gemm_depth=depth, parts=parts, flops_before=flops, flops_after=flops_after))
    return summary
