"""MediaPipe selfie segmentation as a PyTorch module, weights from the TFLite file.

The network (``selfie_segmentation.tflite`` from npm
``@mediapipe/selfie_segmentation@0.1.1675465747``, Apache-2.0, Google) is a
MobileNetV3-small-like encoder (hard-swish, squeeze-and-excitation blocks made
of global average pool -> 1x1 conv -> ReLU -> 1x1 conv -> sigmoid -> multiply)
with a small decoder: three 2x bilinear upsamplings, each followed by a 1x1
conv, a skip connection from the encoder and an SE-style attention gate, and a
final 2x2 stride-2 transposed convolution with bias (MediaPipe's custom op
``Convolution2DTransposeBias``) to one channel, then a sigmoid.

Rather than transcribing the 246 TFLite ops by hand, :class:`SelfieSegmentation`
reads the flatbuffer's op list and builds one ``nn.Module`` per op
(``nn.Conv2d``, ``nn.Hardswish``, ...) holding the converted weights; the
forward pass replays the graph's wiring. The layer list and wiring are plain
Python, so ``torch.export`` sees an ordinary static graph of aten ops.

Layout conversions (TFLite is NHWC, this module is NCHW throughout):

* CONV_2D weights ``[O, KH, KW, I]`` -> ``[O, I, KH, KW]``.
* DEPTHWISE_CONV_2D weights ``[1, KH, KW, I*M]`` -> ``[I*M, 1, KH, KW]``
  with ``groups=I`` (output channel ``i*M+m`` reads input channel ``i`` in
  both frameworks).
* Convolution2DTransposeBias weights ``[O, KH, KW, I]`` -> ConvTranspose2d
  ``[I, O, KH, KW]``; its custom options are TfLiteTransposeConvParams
  ``{int32 padding (1=SAME, 2=VALID), int32 stride_w, int32 stride_h}``.
* Channel-wise broadcasts (``[1,1,1,C]`` in ADD/MUL) become ``[1,C,1,1]``
  automatically because every activation is NCHW.
* The float16 weights behind DEQUANTIZE ops are converted to float32 once
  (exact), as the TFLite runtime does.

Semantics that differ between the frameworks and are handled explicitly:

* Padding SAME: total = max((ceil(in/s)-1)*s + (k-1)*d + 1 - in, 0), split
  ``before = total // 2``, ``after = total - before`` (extra pixel at the
  bottom/right).  Symmetric cases use the conv's own padding, asymmetric ones
  an explicit ``F.pad``.
* RESIZE_BILINEAR with ``half_pixel_centers=True, align_corners=False`` is
  PyTorch's ``interpolate(mode="bilinear", align_corners=False)``; the legacy
  TF mode (both False) is rejected.
* AVERAGE_POOL_2D over the whole map (all of them in this model) and MEAN
  over NHWC axes (1, 2) with keep_dims (the landscape variant uses MEAN) are a
  mean over H and W.

Contract for etvision: input ``[1, 3, H, W]`` float32 RGB in ``[0, 1]``
(the TFLite model itself expects ``[0, 1]``: MediaPipe's graph uses
``ImageToTensorCalculator`` with ``output_tensor_float_range {min: 0 max: 1}``,
so no mapping is needed); output ``[1, 1, H, W]`` float32 person probability
(the sigmoid is the model's last op).  For the general model H = W = 256.
"""

from __future__ import annotations

import math
import struct
import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent))
from tflite_graph import TfGraph, TfOp, load_tflite  # noqa: E402

DEFAULT_TFLITE = Path("/work/shared/models/selfie_segmentation/selfie_segmentation.tflite")

_SAME, _VALID = 0, 1  # tflite schema Padding enum
_ACTS = {0: None, 1: nn.ReLU, 3: nn.ReLU6}  # FusedActivationFunction


def same_padding(in_size: int, k: int, s: int, d: int = 1) -> tuple[int, int]:
    """TFLite/TF 'SAME' padding (before, after) for one spatial dimension."""
    out = math.ceil(in_size / s)
    total = max((out - 1) * s + (k - 1) * d + 1 - in_size, 0)
    return total // 2, total - total // 2


def _fused(code: int) -> nn.Module | None:
    if code not in _ACTS:
        raise NotImplementedError(f"fused activation {code}")
    cls = _ACTS[code]
    return cls() if cls else None


class TfConv2d(nn.Module):
    """CONV_2D / DEPTHWISE_CONV_2D with TFLite SAME/VALID padding + fused act."""

    def __init__(self, conv: nn.Conv2d, pad: tuple[int, int, int, int], act: nn.Module | None):
        super().__init__()
        top, bottom, left, right = pad
        if top == bottom and left == right:
            conv.padding = (top, left)
            self.pad = None
        else:
            self.pad = (left, right, top, bottom)  # F.pad order: W then H
        self.conv = conv
        self.act = act

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.pad is not None:
            x = F.pad(x, self.pad)
        x = self.conv(x)
        return self.act(x) if self.act is not None else x


class TfTransposeConvBias(nn.Module):
    """MediaPipe custom op Convolution2DTransposeBias (NCHW).

    Output size follows TFLite's transpose-conv convention: SAME -> in*stride,
    VALID -> (in-1)*stride + k; the full PyTorch result ((in-1)*s + k) is
    cropped by the forward-conv padding computed for that output size.
    """

    def __init__(self, weight_ohwi: np.ndarray, bias: np.ndarray, padding: int,
                 stride_w: int, stride_h: int, in_hw: tuple[int, int]):
        super().__init__()
        o, kh, kw, i = weight_ohwi.shape
        self.deconv = nn.ConvTranspose2d(i, o, (kh, kw), stride=(stride_h, stride_w), bias=True)
        with torch.no_grad():
            self.deconv.weight.copy_(torch.from_numpy(weight_ohwi.transpose(3, 0, 1, 2).copy()))
            self.deconv.bias.copy_(torch.from_numpy(bias))
        ih, iw = in_hw
        if padding == 1:  # kTfLitePaddingSame
            oh, ow = ih * stride_h, iw * stride_w
        elif padding == 2:  # kTfLitePaddingValid
            oh, ow = (ih - 1) * stride_h + kh, (iw - 1) * stride_w + kw
        else:
            raise NotImplementedError(f"transpose conv padding {padding}")
        full_h, full_w = (ih - 1) * stride_h + kh, (iw - 1) * stride_w + kw
        pad_h = max((ih - 1) * stride_h + kh - oh, 0) // 2
        pad_w = max((iw - 1) * stride_w + kw - ow, 0) // 2
        self.crop = None
        if (oh, ow) != (full_h, full_w) or pad_h or pad_w:
            self.crop = (pad_h, pad_h + oh, pad_w, pad_w + ow)
        self.out_hw = (oh, ow)

        # Off until use_subpixel_transpose_convs(): the module as TFLite
        # defines it is what the ONNX / PyTorch peers and the checks see.
        self.subpixel = False

    def can_run_as_subpixel(self) -> bool:
        """Kernel == stride and no crop: the output pixels are disjoint
        kh x kw blocks, each block one matrix product of its input pixel."""
        d = self.deconv
        return (tuple(d.kernel_size) == tuple(d.stride) and tuple(d.padding) == (0, 0)
                and tuple(d.output_padding) == (0, 0) and tuple(d.dilation) == (1, 1)
                and d.groups == 1 and self.crop is None)

    def enable_subpixel(self) -> None:
        """Switches forward() to the 1x1 convolution + depth-to-space form,
        with its weights computed once here (constants, as XNNPACK needs)."""
        d = self.deconv
        o, (kh, kw) = d.out_channels, d.kernel_size
        with torch.no_grad():
            # Channel o*kh*kw + i*kw + j holds tap (i, j) of output channel o.
            weight = d.weight.permute(1, 2, 3, 0).reshape(o * kh * kw, d.in_channels, 1, 1)
            self.subpixel_conv = nn.Conv2d(d.in_channels, o * kh * kw, 1, bias=True)
            self.subpixel_conv.weight.copy_(weight)
            self.subpixel_conv.bias.copy_(d.bias.repeat_interleave(kh * kw))
        self.subpixel = True

    def _subpixel(self, x: torch.Tensor) -> torch.Tensor:
        # The same products and sums as the transposed convolution: a 1x1
        # convolution to O*kh*kw channels, then a depth-to-space shuffle.
        n, _, h, w = x.shape
        o, (kh, kw) = self.deconv.out_channels, self.deconv.kernel_size
        y = self.subpixel_conv(x)
        return y.view(n, o, kh, kw, h, w).permute(0, 1, 4, 2, 5, 3).reshape(n, o, h * kh, w * kw)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.subpixel:
            return self._subpixel(x)
        y = self.deconv(x)
        if self.crop is not None:
            t, b, l, r = self.crop
            y = y[:, :, t:b, l:r]
        return y


def use_subpixel_transpose_convs(model: nn.Module) -> int:
    """Runs every TfTransposeConvBias of `model` that can as a 1x1
    convolution + depth-to-space shuffle; returns how many.

    Why: XNNPACK's deconvolution ("Subconv2D") took 2.3 of the selfie
    model's 4.7 ms on the final 2x2 stride-2 transposed convolution to one
    channel (ETDump, 2-core Xeon AVX-512), where ONNX Runtime's ConvTranspose
    took 0.1 ms; as a 1x1 convolution (a GEMM XNNPACK runs well) and a
    transpose it is the same arithmetic: every output pixel is the same sum
    of the same products plus the bias. Applied to the ExecuTorch export only
    (convert_selfie.py); the peers keep the TFLite structure.
    """
    count = 0
    for module in list(model.modules()):  # enable_subpixel() adds a submodule
        if isinstance(module, TfTransposeConvBias) and module.can_run_as_subpixel():
            module.enable_subpixel()
            count += 1
    return count


class GlobalAvgPool(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.mean(dim=(2, 3), keepdim=True)


class Resize(nn.Module):
    def __init__(self, size: tuple[int, int], align_corners: bool):
        super().__init__()
        self.size = size
        self.align_corners = align_corners

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.interpolate(x, size=self.size, mode="bilinear", align_corners=self.align_corners)


class Binary(nn.Module):
    def __init__(self, kind: str, act: nn.Module | None):
        super().__init__()
        self.kind = kind
        self.act = act

    def forward(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        y = a + b if self.kind == "ADD" else a * b
        return self.act(y) if self.act is not None else y


class SelfieSegmentation(nn.Module):
    """The TFLite graph replayed in PyTorch (see module docstring)."""

    def __init__(self, graph: TfGraph):
        super().__init__()
        self.graph_sha256 = graph.sha256
        if len(graph.inputs) != 1 or len(graph.outputs) != 1:
            raise ValueError("expected one input and one output")
        in_t = graph.tensors[graph.inputs[0]]
        out_t = graph.tensors[graph.outputs[0]]
        n, h, w, c = in_t.shape
        if (n, c) != (1, 3):
            raise ValueError(f"unexpected input shape {in_t.shape}")
        self.input_hw = (h, w)
        self.output_shape = (1, out_t.shape[3], out_t.shape[1], out_t.shape[2])

        consts: dict[int, np.ndarray] = {}  # tensor id -> float32 constant
        for t in graph.tensors:
            if t.data is not None:
                consts[t.index] = t.data.astype(np.float32) if t.dtype == "FLOAT16" else t.data

        self.layers = nn.ModuleList()
        # plan entries: (layer index, [input tensor ids], output tensor id)
        self.plan: list[tuple[int, list[int], int]] = []
        self.input_id = graph.inputs[0]
        self.output_id = graph.outputs[0]
        self.op_kinds: list[str] = []
        for op in graph.ops:
            if op.opcode == "DEQUANTIZE":
                src = op.inputs[0]
                consts[op.outputs[0]] = consts[src].astype(np.float32)
                continue
            layer, act_inputs = self._build(op, graph, consts)
            self.plan.append((len(self.layers), act_inputs, op.outputs[0]))
            self.layers.append(layer)
            self.op_kinds.append(op.opcode)
        if self.plan[-1][2] != self.output_id:
            raise ValueError("last op does not produce the graph output")
        last_uses: dict[int, int] = {}
        for step, (_, ins, _) in enumerate(self.plan):
            for i in ins:
                last_uses[i] = step
        self.last_uses = last_uses

    # -- one TFLite op -> (module, activation input ids) ---------------------
    @staticmethod
    def _build(op: TfOp, g: TfGraph, consts: dict[int, np.ndarray]):
        o = op.options
        name = op.opcode

        def shape(i):
            return g.tensors[i].shape

        if name in ("CONV_2D", "DEPTHWISE_CONV_2D"):
            x, wi, bi = op.inputs[:3]
            w = consts[wi]
            b = consts[bi] if bi >= 0 else None
            _, ih, iw, cin = shape(x)
            sh, sw = o["StrideH"], o["StrideW"]
            dh, dw = o["DilationHFactor"], o["DilationWFactor"]
            if name == "CONV_2D":
                cout, kh, kw, wc = w.shape
                groups = cin // wc
                wt = w.transpose(0, 3, 1, 2)
            else:
                _, kh, kw, cout = w.shape
                groups = cin
                if cout != cin * o["DepthMultiplier"]:
                    raise ValueError("depthwise channel count mismatch")
                wt = w.transpose(3, 0, 1, 2)  # [C*M, 1, KH, KW]
            conv = nn.Conv2d(cin, cout, (kh, kw), stride=(sh, sw), dilation=(dh, dw),
                             groups=groups, bias=b is not None)
            with torch.no_grad():
                conv.weight.copy_(torch.from_numpy(np.ascontiguousarray(wt)))
                if b is not None:
                    conv.bias.copy_(torch.from_numpy(b))
            if o["Padding"] == _SAME:
                pt, pb = same_padding(ih, kh, sh, dh)
                pl, pr = same_padding(iw, kw, sw, dw)
            else:
                pt = pb = pl = pr = 0
            layer = TfConv2d(conv, (pt, pb, pl, pr), _fused(o["FusedActivationFunction"]))
            return layer, [x]
        if name == "HARD_SWISH":
            return nn.Hardswish(), [op.inputs[0]]
        if name == "RELU":
            return nn.ReLU(), [op.inputs[0]]
        if name == "RELU6":
            return nn.ReLU6(), [op.inputs[0]]
        if name == "LOGISTIC":
            return nn.Sigmoid(), [op.inputs[0]]
        if name == "AVERAGE_POOL_2D":
            _, ih, iw, _ = shape(op.inputs[0])
            full = (o["FilterHeight"], o["FilterWidth"]) == (ih, iw)
            if o["Padding"] == _VALID and full:
                if o["FusedActivationFunction"]:
                    raise NotImplementedError("fused act on pool")
                return GlobalAvgPool(), [op.inputs[0]]
            raise NotImplementedError(f"AVERAGE_POOL_2D {o} on {ih}x{iw}")
        if name == "MEAN":
            axes = sorted(int(a) % 4 for a in np.atleast_1d(consts[op.inputs[1]]))
            if axes != [1, 2] or not o.get("KeepDims", False):
                raise NotImplementedError(f"MEAN over NHWC axes {axes} keep_dims={o.get('KeepDims')}")
            return GlobalAvgPool(), [op.inputs[0]]
        if name in ("ADD", "MUL"):
            a, b = op.inputs
            if a in consts or b in consts:
                raise NotImplementedError(f"{name} with a constant operand")
            return Binary(name, _fused(o.get("FusedActivationFunction", 0))), [a, b]
        if name == "RESIZE_BILINEAR":
            size = tuple(int(v) for v in consts[op.inputs[1]])
            ac, hp = bool(o["AlignCorners"]), bool(o["HalfPixelCenters"])
            if ac == hp:
                raise NotImplementedError(f"RESIZE_BILINEAR align_corners={ac} half_pixel={hp}")
            return Resize(size, align_corners=ac), [op.inputs[0]]
        if name == "Convolution2DTransposeBias":
            x, wi, bi = op.inputs
            padding, stride_w, stride_h = struct.unpack("<3i", op.custom_options[:12])
            _, ih, iw, _ = shape(x)
            layer = TfTransposeConvBias(consts[wi], consts[bi], padding, stride_w, stride_h, (ih, iw))
            exp = shape(op.outputs[0])
            if (exp[1], exp[2]) != layer.out_hw:
                raise ValueError(f"transpose conv output {layer.out_hw} != graph {exp}")
            return layer, [x]
        raise NotImplementedError(f"TFLite op {name}")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        env: dict[int, torch.Tensor] = {self.input_id: x}
        for step, (li, ins, out) in enumerate(self.plan):
            args = [env[i] for i in ins]
            env[out] = self.layers[li](*args)
            for i in ins:  # free activations after their last use
                if self.last_uses[i] == step and i != out:
                    env.pop(i, None)
        return env[self.output_id]


def build_selfie(tflite_path: str | Path = DEFAULT_TFLITE) -> SelfieSegmentation:
    return SelfieSegmentation(load_tflite(tflite_path)).eval()


if __name__ == "__main__":
    m = build_selfie(sys.argv[1] if len(sys.argv) > 1 else DEFAULT_TFLITE)
    from collections import Counter

    print(f"layers: {len(m.layers)}  params: {sum(p.numel() for p in m.parameters())}")
    print("op kinds:", dict(Counter(m.op_kinds)))
    h, w = m.input_hw
    with torch.no_grad():
        y = m(torch.rand(1, 3, h, w))
    print(f"input [1,3,{h},{w}] -> output {list(y.shape)} range [{y.min():.4f}, {y.max():.4f}]")
