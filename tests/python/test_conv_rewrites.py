"""Tests of python/conv_rewrites.py (exact dead-tap convolution rewrites, and
the XNNPACK tap-sum / channel-split rewrite of sparse dilated convolutions).

Needs the development environment (torch, torchvision): run with
    .venv/bin/python -m pytest -p no:cacheprovider tests/python
from the repository root (about 30 s on 2 cores; the DeepLabV3 cases build
the bench's seeded model).

Why these checks: the rewrite changes the exported DeepLabV3 program, so it
must (1) give the same numbers as the model torchvision defines, up to float
summation order, at the size it was made for, (2) touch only what is provably
dead at that size (at 520x520 the rate-36 branch reads a 65x65 map, where all
of its taps are live), and (3) leave every case outside its rule alone. The
sparse-dilated rule in addition folds a BatchNorm, so its tests check the
folded result against conv + BatchNorm in float64, the size rule's choice
(tap-sum / channel split / keep) at the shapes it was measured on, and that
XNNPACK lowers the replacement modules completely.
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path

import pytest
import torch
from torch import nn

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "python"))

import conv_rewrites as R  # noqa: E402

ASPP_RATE36 = "net.classifier.0.convs.3.0"


def _rewritten(model: nn.Module, x: torch.Tensor) -> tuple[nn.Module, R.RewriteSummary]:
    rewritten = copy.deepcopy(model)
    return rewritten, R.rewrite_dead_conv_taps(rewritten, x)


def _convs(model: nn.Module) -> dict[str, nn.Conv2d]:
    return {n: m for n, m in model.named_modules() if isinstance(m, nn.Conv2d)}


# --------------------------------------------------------------------------
# The rule on small convolutions (float64: the dropped products are exact
# zeros, so only summation order can differ)
# --------------------------------------------------------------------------


def _conv(k: int, d: int, pad: int, out_channels: int = 5, **kw) -> nn.Conv2d:
    torch.manual_seed(0)
    return nn.Conv2d(6, out_channels, k, dilation=d, padding=pad, **kw).double().eval()


@pytest.mark.parametrize(
    ("hw", "k", "d", "kernel_after", "padding_after", "dilation_after"),
    [
        ((4, 4), 3, 5, (1, 1), (0, 0), (1, 1)),  # every off-centre tap dead: 1x1
        ((4, 4), 3, 4, (1, 1), (0, 0), (1, 1)),  # |offset| == n: still dead
        ((4, 10), 3, 6, (1, 3), (0, 6), (1, 6)),  # dead along H only: 1x3
        ((5, 5), 5, 3, (3, 3), (3, 3), (3, 3)),  # outer ring dead: 5x5 -> 3x3
    ],
)
def test_trims_dead_taps_exactly(hw, k, d, kernel_after, padding_after, dilation_after):
    conv = _conv(k, d, d * (k - 1) // 2)
    model = nn.Sequential(conv)
    x = torch.randn(2, 6, *hw, dtype=torch.float64)
    rewritten, summary = _rewritten(model, x[:1])
    assert len(summary.rewrites) == 1
    new = rewritten[0]
    assert new.kernel_size == kernel_after
    assert new.padding == padding_after
    assert new.dilation == dilation_after
    assert new.stride == (1, 1)
    r = summary.rewrites[0]
    assert r.name == "0" and r.input_hws == (hw,)
    assert r.flops_before == 2 * 5 * hw[0] * hw[1] * 6 * k * k
    assert r.flops_after == 2 * 5 * hw[0] * hw[1] * 6 * kernel_after[0] * kernel_after[1]
    assert summary.flops_saved == r.flops_before - r.flops_after
    with torch.no_grad():
        torch.testing.assert_close(rewritten(x), model(x), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    "conv",
    [
        _conv(3, 3, 3),  # one live off-centre tap row/column on 4x4 (|offset| 3 < 4)
        _conv(3, 5, 5, stride=2),  # stride > 1
        _conv(3, 5, 5, padding_mode="replicate"),  # padding taps are not zeros
        _conv(3, 5, 4),  # not the symmetric "same" padding
        _conv(2, 5, 5),  # even kernel: no centre tap
        _conv(1, 1, 0),  # already 1x1
    ],
    ids=["live-taps", "stride-2", "replicate", "not-same-padding", "even-kernel", "1x1"],
)
def test_leaves_other_convs_alone(conv):
    model = nn.Sequential(conv)
    x = torch.randn(1, 6, 4, 4, dtype=torch.float64)
    rewritten, summary = _rewritten(model, x)
    assert summary.rewrites == [] and summary.convs_seen == 1
    assert isinstance(rewritten[0], nn.Conv2d) and rewritten[0].kernel_size == conv.kernel_size


class _TwoSizes(nn.Module):
    """The same conv applied at 4x4 (taps dead) and 8x8 (taps live)."""

    def __init__(self):
        super().__init__()
        self.conv = _conv(3, 5, 5)
        self.unused = _conv(3, 50, 50)

    def forward(self, x):
        return self.conv(x).mean() + self.conv(nn.functional.interpolate(x, scale_factor=2)).mean()


def test_conv_live_at_any_call_or_never_called_is_kept():
    model = _TwoSizes()
    _, summary = _rewritten(model, torch.randn(1, 6, 4, 4, dtype=torch.float64))
    assert summary.rewrites == [] and summary.convs_seen == 2


def test_shared_conv_is_replaced_everywhere():
    conv = _conv(3, 5, 5, out_channels=6)
    model = nn.Sequential(conv, nn.ReLU(), conv)  # the same module registered twice
    x = torch.randn(1, 6, 4, 4, dtype=torch.float64)
    rewritten, summary = _rewritten(model, x)
    assert [r.name for r in summary.rewrites] == ["0"]
    assert rewritten[0] is rewritten[2] and rewritten[0].kernel_size == (1, 1)
    with torch.no_grad():
        torch.testing.assert_close(rewritten(x), model(x), rtol=1e-12, atol=1e-12)


def test_keeps_training_mode_and_dtype_without_side_effects():
    model = nn.Sequential(_conv(3, 5, 5), nn.BatchNorm2d(5).double()).train()
    summary = R.rewrite_dead_conv_taps(model, torch.randn(1, 6, 4, 4, dtype=torch.float64))
    assert summary.rewrites and model[0].kernel_size == (1, 1)
    assert model.training and model[0].training and model[1].training
    assert model[0].weight.dtype == torch.float64
    # The probe forward ran in eval mode: BatchNorm statistics untouched.
    assert int(model[1].num_batches_tracked) == 0 and torch.equal(model[1].running_mean, torch.zeros(5))


def test_conv_subclasses_are_left_alone():
    class Scaled(nn.Conv2d):
        def forward(self, x):
            return 2 * super().forward(x)

    torch.manual_seed(0)
    model = nn.Sequential(Scaled(6, 5, 3, padding=5, dilation=5).double())
    _, summary = _rewritten(model, torch.randn(1, 6, 4, 4, dtype=torch.float64))
    assert summary.rewrites == [] and summary.convs_seen == 1


# --------------------------------------------------------------------------
# DeepLabV3-ResNet50, the bench's seeded model
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def deeplab_224() -> tuple[nn.Module, torch.Tensor]:
    import etv_common as C
    import export_segmenter as S

    photos = C.list_photos(C.default_photos_dir())
    normalized = torch.cat([C.stretch_input(p, 224, 224, normalize=True) for p in photos])
    model, _ = S.build_seg_model("deeplabv3_resnet50", seed=0, normalize="outside", stats_inputs=normalized)
    return model, normalized[:3]


def test_deeplab_224_rewrites_only_the_rate36_branch(deeplab_224):
    model, x = deeplab_224
    rewritten, summary = _rewritten(model, x[:1])
    # 28x28 map (output stride 8): rate 36 >= 28 is dead; rates 12 and 24
    # (and the backbone's dilation 2 and 4) have live off-centre taps.
    assert [r.name for r in summary.rewrites] == [ASPP_RATE36]
    r = summary.rewrites[0]
    assert r.input_hws == ((28, 28),) and r.kernel_before == (3, 3) and r.dilation_before == (36, 36)
    assert r.kernel_after == (1, 1) and r.padding_after == (0, 0)
    assert summary.flops_saved == 8 * 2 * 256 * 2048 * 28 * 28  # the 8 dead taps
    before, after = _convs(model), _convs(rewritten)
    assert before.keys() == after.keys()
    for name, conv in after.items():
        if name != ASPP_RATE36:
            assert conv.kernel_size == before[name].kernel_size
            assert torch.equal(conv.weight, before[name].weight)
    centre = before[ASPP_RATE36].weight[:, :, 1:2, 1:2]
    assert torch.equal(after[ASPP_RATE36].weight, centre)


def test_deeplab_224_rewritten_outputs_match(deeplab_224):
    model, x = deeplab_224
    rewritten, _ = _rewritten(model, x[:1])
    with torch.no_grad():
        ref, out = model(x), rewritten(x)
    scale = ref.abs().max()
    assert (out - ref).abs().max() <= 1e-4 * scale
    assert (out.argmax(1) == ref.argmax(1)).float().mean() >= 0.9999


def test_deeplab_520_nothing_rewritten():
    """At 520x520 the map is 65x65: every ASPP tap (|offset| <= 36 < 65) is
    live. Weights do not matter for the decision: torchvision's own init."""
    import export_segmenter as S

    torch.manual_seed(0)
    model = S.SegmentationOut(S.build_seg_net("deeplabv3_resnet50")).eval()
    sizes = R.conv_input_sizes(model, torch.zeros(1, 3, 520, 520))
    assert sizes[dict(model.named_modules())[ASPP_RATE36]] == {(65, 65)}
    rewritten, summary = _rewritten(model, torch.zeros(1, 3, 520, 520))
    assert summary.rewrites == [] and summary.flops_saved == 0 and summary.convs_seen == 61
    assert all(c.kernel_size == _convs(model)[n].kernel_size for n, c in _convs(rewritten).items())


def test_export_flag_defaults_on():
    import export_segmenter as S

    base = ["--arch", "deeplabv3_resnet50", "--seed", "0", "--out", "x.pte"]
    assert S.build_parser().parse_args(base).conv_rewrites is True
    assert S.build_parser().parse_args(base + ["--no-conv-rewrites"]).conv_rewrites is False


# --------------------------------------------------------------------------
# Sparse dilated convolutions + BatchNorm: tap-sum / channel split (XNNPACK)
# --------------------------------------------------------------------------

ASPP_RATE12, ASPP_RATE24 = "net.classifier.0.convs.1.0", "net.classifier.0.convs.2.0"


def _conv_bn(cin: int, cout: int, k, d, *, bias: bool = False, affine: bool = True, seed: int = 0,
             **kw) -> nn.Sequential:
    """conv + BatchNorm (random running statistics) + ReLU, float64, eval:
    torchvision's ASPPConv layout."""
    torch.manual_seed(seed)
    k = (k, k) if isinstance(k, int) else k
    d = (d, d) if isinstance(d, int) else d
    pad = kw.pop("padding", (d[0] * (k[0] - 1) // 2, d[1] * (k[1] - 1) // 2))
    bn = nn.BatchNorm2d(cout, affine=affine)
    with torch.no_grad():
        bn.running_mean.uniform_(-1, 1)
        bn.running_var.uniform_(0.25, 4)
        if affine:
            bn.weight.uniform_(0.5, 2)
            bn.bias.uniform_(-1, 1)
    conv = nn.Conv2d(cin, cout, k, dilation=d, padding=pad, bias=bias, **kw)
    return nn.Sequential(conv, bn, nn.ReLU()).double().eval()


def _live_macs_brute_force(k, d, hw) -> int:
    """Multiply-adds of a 1->1 channel conv that read real input: a conv of
    ones over ones, counted independently of conv_rewrites' geometry."""
    ones = torch.ones(1, 1, *hw, dtype=torch.float64)
    out = nn.functional.conv2d(ones, torch.ones(1, 1, *k, dtype=torch.float64), dilation=d,
                               padding=(d[0] * (k[0] - 1) // 2, d[1] * (k[1] - 1) // 2))
    return int(out.sum())


def _sparse(model: nn.Module, x: torch.Tensor, **kw) -> tuple[nn.Module, R.SparseRewriteSummary]:
    rewritten = copy.deepcopy(model)
    return rewritten, R.rewrite_sparse_dilated_convs(rewritten, x[:1], **kw)


@pytest.mark.parametrize(
    ("hw", "k", "d", "bias", "affine"),
    [
        ((9, 9), 3, 4, False, True),  # square, every tap live on part of the map
        ((9, 7), 3, 6, False, True),  # non-square
        ((7, 12), 3, (2, 9), True, True),  # anisotropic dilation, conv bias
        ((11, 8), 5, 3, False, False),  # 5x5 kernel, BatchNorm without affine
        ((6, 6), 3, 6, False, True),  # only the centre tap is live: one 1x1 conv
        ((5, 8), (1, 3), (1, 5), False, True),  # what rewrite_dead_conv_taps leaves of a 3x3 (1x3)
    ],
)
def test_tap_sum_equals_conv_and_batch_norm(hw, k, d, bias, affine):
    model = _conv_bn(6, 5, k, d, bias=bias, affine=affine)
    x = torch.randn(2, 6, *hw, dtype=torch.float64)
    rewritten, summary = _sparse(model, x)
    conv = model[0]
    assert [r.name for r in summary.rewrites] == ["0"] and summary.kept == []
    r = summary.rewrites[0]
    assert r.method == "tap_sum" and r.batch_norm == "1" and r.input_hw == hw
    assert isinstance(rewritten[0], R.TapSumConv2d) and isinstance(rewritten[1], nn.Identity)
    live = _live_macs_brute_force(conv.kernel_size, conv.dilation, hw)
    assert r.live_fraction == pytest.approx(live / (conv.kernel_size[0] * conv.kernel_size[1] * hw[0] * hw[1]),
                                            abs=1e-4)
    assert r.flops_after == 2 * 5 * 6 * live and r.flops_before == 2 * 5 * hw[0] * hw[1] * r.gemm_depth
    assert r.parts == len(rewritten[0].taps) == len(rewritten[0].weights)
    with torch.no_grad():
        torch.testing.assert_close(rewritten(x), model(x), rtol=1e-12, atol=1e-12)


def test_tap_sum_refuses_another_input_size():
    model = _conv_bn(4, 3, 3, 4)
    rewritten, summary = _sparse(model, torch.randn(1, 4, 6, 6, dtype=torch.float64))
    assert summary.rewrites[0].method == "tap_sum"
    with pytest.raises(ValueError, match="made for"):
        rewritten(torch.randn(1, 4, 7, 6, dtype=torch.float64))


def test_channel_split_equals_conv_and_batch_norm():
    # 64 input channels, 3x3: GEMM depth 576; with a 200 cap the smallest
    # divisor of 64 giving 64 / g * 9 <= 200 is g = 4 (g = 3 does not divide).
    model = _conv_bn(64, 8, 3, 2, bias=True)
    x = torch.randn(2, 64, 10, 12, dtype=torch.float64)  # rate 2 on 10x12: 86% live
    rewritten, summary = _sparse(model, x, max_gemm_depth=200)
    (r,) = summary.rewrites
    assert r.method == "channel_split" and r.parts == 4 and r.live_fraction > 0.7
    assert r.flops_after == r.flops_before
    assert isinstance(rewritten[0], R.ChannelSplitConv2d) and rewritten[0].split == 16
    with torch.no_grad():
        torch.testing.assert_close(rewritten(x), model(x), rtol=1e-12, atol=1e-12)


def test_fold_batch_norm_matches_eval_batch_norm():
    model = _conv_bn(3, 4, 3, 1, bias=True)
    weight, bias = R.fold_batch_norm(model[0], model[1])
    x = torch.randn(2, 3, 5, 5, dtype=torch.float64)
    with torch.no_grad():
        torch.testing.assert_close(nn.functional.conv2d(x, weight, bias, padding=1), model[1](model[0](x)),
                                   rtol=1e-12, atol=1e-12)
    model[1].train()
    with pytest.raises(ValueError):
        R.fold_batch_norm(model[0], model[1])


@pytest.mark.parametrize(
    ("hw", "rate", "in_channels", "expected"),
    [
        # The measured shapes (DeepLabV3-ResNet50 ASPP, 2048 channels).
        ((28, 28), 12, 2048, ("tap_sum", 9)),  # live 51%
        ((28, 28), 24, 2048, ("tap_sum", 9)),  # live 18%
        ((28, 28), 36, 2048, ("tap_sum", 1)),  # centre only (rewrite_dead_conv_taps gets it first)
        ((65, 65), 12, 2048, ("channel_split", 4)),  # live 77%: split beat tap-sum (132 vs 152 ms)
        ((65, 65), 24, 2048, ("tap_sum", 9)),  # live 57%
        ((65, 65), 36, 2048, ("tap_sum", 9)),  # live 40%
        # ResNet layer3/4's dilated 3x3s: dense and K <= 4608.
        ((28, 28), 2, 512, ("keep", 0)),
        ((28, 28), 4, 512, ("keep", 0)),
        ((65, 65), 2, 256, ("keep", 0)),
        # Dense (96% live) but deep: split.
        ((65, 65), 2, 2048, ("channel_split", 4)),
    ],
)
def test_size_rule(hw, rate, in_channels, expected):
    assert R.choose_sparse_rewrite((3, 3), (rate, rate), in_channels, hw) == expected


@pytest.mark.parametrize(("hw", "rate"), [((28, 28), 12), ((28, 28), 24), ((65, 65), 12), ((65, 65), 36),
                                          ((7, 12), 5), ((4, 4), 3), ((1, 9), 2)])
def test_live_tap_fraction_matches_brute_force(hw, rate):
    expected = _live_macs_brute_force((3, 3), (rate, rate), hw) / (9 * hw[0] * hw[1])
    assert R.live_tap_fraction((3, 3), (rate, rate), hw) == pytest.approx(expected, rel=1e-12)


class _CallsConvDirectly(nn.Module):
    """The Sequential holds conv, bn, but forward uses the conv alone."""

    def __init__(self):
        super().__init__()
        self.block = _conv_bn(4, 4, 3, 4)

    def forward(self, x):
        return self.block[0](x)


class _CustomSequential(nn.Sequential):
    def forward(self, x):
        return self[1](self[0](x)) * 2


def _kept_case(case: str) -> tuple[nn.Module, str]:
    """A model whose dilated conv must be left alone, and the reason's text."""
    if case == "no-bn":
        return nn.Sequential(_conv_bn(4, 4, 3, 4)[0], nn.ReLU()).eval(), "BatchNorm2d"
    if case == "bn-not-next":
        m = _conv_bn(4, 4, 3, 4)
        return nn.Sequential(m[0], m[2], m[1]).eval(), "BatchNorm2d"
    if case == "training":
        return _conv_bn(4, 4, 3, 4).train(), "training"
    if case == "no-running-stats":
        m = _conv_bn(4, 4, 3, 4)
        m[1] = nn.BatchNorm2d(4, track_running_stats=False).double().eval()
        return m, "running statistics"
    if case == "stride-2":
        return _conv_bn(4, 4, 3, 4, stride=2), "stride-1"
    if case == "replicate":
        return _conv_bn(4, 4, 3, 4, padding_mode="replicate"), "stride-1"
    if case == "not-same-padding":
        return _conv_bn(4, 4, 3, 4, padding=3), "stride-1"
    if case == "depthwise":
        return _conv_bn(4, 4, 3, 4, groups=4), "groups"
    if case == "dense-shallow":  # 3x1, rate 2 on 8 rows: 83% live, K = 12
        return _conv_bn(4, 4, (3, 1), (2, 1)), "live fraction"
    if case == "two-sizes":
        m = _conv_bn(4, 4, 3, 4)
        return nn.Sequential(m, nn.Upsample(scale_factor=2), m).eval(), "several input sizes"
    if case == "subclass":
        class Scaled(nn.Conv2d):
            def forward(self, x):
                return 2 * super().forward(x)
        m = _conv_bn(4, 4, 3, 4)
        torch.manual_seed(0)
        m[0] = Scaled(4, 4, 3, padding=4, dilation=4, bias=False).double().eval()
        return m, "subclass"
    if case == "custom-sequential":
        m = _conv_bn(4, 4, 3, 4)
        return _CustomSequential(m[0], m[1]).eval(), "consecutive"
    if case == "shared-bn":
        m = _conv_bn(4, 4, 3, 4)
        return nn.Sequential(m, nn.Sequential(m[1])).eval(), "BatchNorm2d"
    if case == "conv-called-directly":
        return _CallsConvDirectly().eval(), "BatchNorm2d"
    raise AssertionError(case)


@pytest.mark.parametrize("case", [
    "no-bn", "bn-not-next", "training", "no-running-stats", "stride-2", "replicate", "not-same-padding",
    "depthwise", "dense-shallow", "two-sizes", "subclass", "custom-sequential", "shared-bn",
    "conv-called-directly",
])
def test_sparse_rule_leaves_other_convs_alone(case):
    model, reason = _kept_case(case)
    x = torch.randn(1, 4, 8, 8, dtype=torch.float64)
    rewritten, summary = _sparse(model, x)
    assert summary.rewrites == [] and len(summary.kept) == 1
    assert reason in summary.kept[0][1]
    assert [type(m) for m in rewritten.modules()] == [type(m) for m in model.modules()]
    # The probe forward ran in eval mode and restored every module's mode.
    assert [m.training for m in rewritten.modules()] == [m.training for m in model.modules()]


def test_undilated_convs_are_not_listed():
    model = _conv_bn(4, 4, 3, 1)
    _, summary = _sparse(model, torch.randn(1, 4, 8, 8, dtype=torch.float64))
    assert summary.rewrites == [] and summary.kept == []


def test_tap_sum_and_channel_split_lower_fully_to_xnnpack():
    """torch.export + XNNPACK lower both replacement modules with nothing
    left outside the delegate, and the program computes what conv + BN does."""
    pytest.importorskip("executorch")
    import etv_common as C

    first = _conv_bn(64, 8, 3, 2, bias=True)  # 20x12, rate 2: 83% live, split with a 200 cap
    second = _conv_bn(8, 8, 3, (4, 5))  # rates 4x5 on 20x12: 63% live, tap-sum
    model = nn.Sequential(*first, *second).float().eval()
    x = torch.randn(1, 64, 20, 12)
    rewritten, summary = _sparse(model, x, max_gemm_depth=200)
    assert [r.method for r in summary.rewrites] == ["channel_split", "tap_sum"]
    pte, delegation = C.export_xnnpack(rewritten, (x,))
    assert delegation == {"xnnpack_delegates": 1, "non_delegated_ops": {}}
    with torch.no_grad():
        ref = model(x)
    out = C.load_pte(pte)([x])[0]
    assert (out - ref).abs().max() <= 1e-5 * ref.abs().max()


def test_aspp_at_65x65_gets_split_and_tap_sums():
    """torchvision's ASPP module on a 65x65 map (the 520 input's), with 64
    instead of 2048 input channels and the split cap scaled the same way
    (4608 * 64 / 2048 = 144): rate 12 (77% live) -> 4-way channel split,
    rates 24 and 36 -> tap-sum; the 1x1 branches are left to the other rule."""
    from torchvision.models.segmentation.deeplabv3 import ASPP

    torch.manual_seed(0)
    aspp = ASPP(64, [12, 24, 36], out_channels=16).double().eval()
    for m in aspp.modules():
        if isinstance(m, nn.BatchNorm2d):
            with torch.no_grad():
                m.running_mean.uniform_(-1, 1)
                m.running_var.uniform_(0.25, 4)
    x = torch.randn(1, 64, 65, 65, dtype=torch.float64)
    rewritten, summary = _sparse(aspp, x, max_gemm_depth=144)
    assert [(r.name, r.method, r.parts) for r in summary.rewrites] == [
        ("convs.1.0", "channel_split", 4), ("convs.2.0", "tap_sum", 9), ("convs.3.0", "tap_sum", 9)]
    assert summary.kept == []
    with torch.no_grad():
        torch.testing.assert_close(rewritten(x), aspp(x), rtol=1e-10, atol=1e-10)


def test_deeplab_224_sparse_rewrites(deeplab_224):
    """The export's order: dead taps first (rate 36 -> 1x1), then the sparse
    rule: rates 12 and 24 -> tap-sum with their BatchNorm folded. The
    backbone's dilated convs (layer3 rate 2, layer4 rates 2 and 4) are left
    alone: their BatchNorm is applied in Bottleneck.forward, not in an
    nn.Sequential, and the size rule would keep them anyway (512 channels or
    fewer, >= 81% live)."""
    model, x = deeplab_224
    rewritten = copy.deepcopy(model)
    dead = R.rewrite_dead_conv_taps(rewritten, x[:1])
    sparse = R.rewrite_sparse_dilated_convs(rewritten, x[:1])
    assert [r.name for r in dead.rewrites] == [ASPP_RATE36]
    assert [(r.name, r.batch_norm, r.method, r.parts, r.input_hw) for r in sparse.rewrites] == [
        (ASPP_RATE12, "net.classifier.0.convs.1.1", "tap_sum", 9, (28, 28)),
        (ASPP_RATE24, "net.classifier.0.convs.2.1", "tap_sum", 9, (28, 28))]
    assert sparse.rewrites[0].live_fraction == pytest.approx(0.5102, abs=1e-4)
    assert sparse.rewrites[1].live_fraction == pytest.approx(0.1837, abs=1e-4)
    kept = dict(sparse.kept)
    assert sorted(kept) == sorted(n for n, m in model.named_modules()
                                  if isinstance(m, nn.Conv2d) and m.dilation != (1, 1)
                                  and n not in (ASPP_RATE12, ASPP_RATE24, ASPP_RATE36))
    assert len(kept) == 8 and all(n.startswith("net.backbone.layer") and "nn.Sequential" in r
                                  for n, r in kept.items())
    convs = _convs(model)
    for n in kept:
        c = convs[n]
        assert R.choose_sparse_rewrite(c.kernel_size, c.dilation, c.in_channels, (28, 28)) == ("keep", 0), n
    modules = dict(rewritten.named_modules())
    assert isinstance(modules[ASPP_RATE12], R.TapSumConv2d)
    assert isinstance(modules["net.classifier.0.convs.2.1"], nn.Identity)
    with torch.no_grad():
        ref, out = model(x), rewritten(x)
    assert (out - ref).abs().max() <= 1e-4 * ref.abs().max()
    assert (out.argmax(1) == ref.argmax(1)).float().mean() >= 0.9999
