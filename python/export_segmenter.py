#!/usr/bin/env python3
"""Export a semantic-segmentation model to an ExecuTorch .pte (XNNPACK delegate).

The torchvision segmentation models (DeepLabV3, LR-ASPP, FCN; Pascal VOC
layout, 21 classes, no auxiliary head) are wrapped so that the exported
program takes one float32 [1, 3, H, W] RGB tensor and returns only the
"out" tensor: [1, 21, H', W'] raw logits (these models upsample back to the
input size, so H' x W' = H x W; softmax and argmax are done by the caller).
--aux-output keeps the auxiliary FCN head of the ResNet-based models and
returns (out, aux), two [1, 21, H, W] outputs, "out" first: that is what the
RNE DeepLabV3 / FCN ResNet .pte files appear to contain (their sizes exceed
the aux-free exports by exactly the aux head's weights), so the C++ side can
be tested against such a file; the reference files describe "out" only.
With --normalize outside (the default, like the RNE 0.8+ Pascal VOC models)
the caller applies the ImageNet mean/std; with --normalize inside the graph
does it and takes [0, 1] pixels.

Before export (and before int8 quantisation) the convolutions whose outer
taps read only zero padding at the export size are trimmed to their live
taps (python/conv_rewrites.py): at 224x224, DeepLabV3's ASPP rate-36 3x3
convolution on the 28x28 map becomes the 1x1 convolution of its centre tap,
the same numbers (up to float summation order) for 6.6 fewer GFLOP. For
float32 exports the remaining dilated convolutions followed by a BatchNorm
are then rewritten for XNNPACK where its rule says it pays
(conv_rewrites.rewrite_sparse_dilated_convs: "tap-sum" of the live taps or
an input-channel split, BatchNorm folded in): DeepLabV3's other ASPP
convolutions (rates 12, 24 at 224; 12, 24, 36 at 520). The program's
inputs, outputs and metadata are unchanged; the eager reference and the
fixture are computed with the model as torchvision defines it.
--no-conv-rewrites exports the model unchanged.

After exporting, the .pte is run with ExecuTorch's own Python runtime on the
photos and compared with the PyTorch eager model (max |logit diff|, max
|probability diff|, per-pixel argmax agreement).

With --reference-dir it also writes a parity fixture for the C++ side:
  <stem>.input.png            a photo already stretched to exactly HxW (uint8
                              bilinear, OpenCV INTER_LINEAR semantics), so the
                              C++ side must not resize it;
  <stem>.expected_probs.bin   PyTorch eager softmax probabilities, float32
                              little-endian, shape [C, H', W'] row-major
                              (class-major: all of class 0, then class 1, ...);
  <stem>.expected_argmax.bin  argmax over C of the eager logits, int32
                              little-endian, shape [H', W'] row-major (ties go
                              to the lowest class index);
  <stem>.expected.json        model/input/output description, argmax class
                              histogram, logit range, the ExecuTorch-Python vs
                              eager differences, how far typical preprocessing
                              mistakes move the result, generator info.

Examples:
  python/export_segmenter.py --arch lraspp_mobilenet_v3_large --seed 0 \\
      --out fixtures/lraspp.pte --reference-dir fixtures
  python/export_segmenter.py --arch deeplabv3_resnet50 --weights dl.pth \\
      --quantize int8 --out deeplabv3_resnet50_int8.pte
"""

from __future__ import annotations

import argparse
import copy
import sys
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch import nn

import conv_rewrites
import etv_common as C

# torchvision constructors accepted by --arch (always built with weights=None
# and weights_backbone=None: nothing is ever downloaded).
SEG_ARCHS = (
    "deeplabv3_resnet50",
    "deeplabv3_resnet101",
    "deeplabv3_mobilenet_v3_large",
    "lraspp_mobilenet_v3_large",
    "fcn_resnet50",
    "fcn_resnet101",
)
NUM_CLASSES = 21

# RNE's DeeplabLabel order (Pascal VOC).
VOC_LABELS = (
    "BACKGROUND", "AEROPLANE", "BICYCLE", "BIRD", "BOAT", "BOTTLE", "BUS", "CAR", "CAT", "CHAIR", "COW",
    "DININGTABLE", "DOG", "HORSE", "MOTORBIKE", "PERSON", "POTTEDPLANT", "SHEEP", "SOFA", "TRAIN", "TVMONITOR",
)


# --------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------


class SegmentationOut(nn.Module):
    """torchvision segmentation models return {"out": ..., ["aux": ...]};
    the exported program returns only the "out" logits [N, C, H, W] (or the
    tuple (out, aux) with aux=True)."""

    def __init__(self, net: nn.Module, aux: bool = False):
        super().__init__()
        self.net = net
        self.aux = aux

    def forward(self, x):
        result = self.net(x)
        return (result["out"], result["aux"]) if self.aux else result["out"]


def build_seg_net(arch: str, num_classes: int = NUM_CLASSES, aux: bool = False) -> nn.Module:
    if arch not in SEG_ARCHS:
        raise ValueError(f"unknown arch {arch!r} (known: {', '.join(SEG_ARCHS)})")
    if aux and arch.startswith("lraspp"):
        raise SystemExit(f"{arch} has no auxiliary head (--aux-output)")
    import torchvision

    # weights / weights_backbone None: architecture only, nothing is downloaded.
    return torchvision.models.get_model(arch, weights=None, weights_backbone=None,
                                        num_classes=num_classes, aux_loss=aux)


def _class_heads(net: nn.Module, num_classes: int) -> list[nn.Conv2d]:
    """The convolutions that produce the class logits: one for DeepLabV3 and
    FCN (classifier[4]), two for LR-ASPP (low_classifier + high_classifier,
    whose outputs are summed).  The "out" tensor is a bilinear upsampling
    (weights summing to 1) of their summed outputs, so shifting one head's
    bias shifts the logits by the same amount, and scaling every head's
    weight and bias scales the logits."""
    heads = [m for name, m in net.named_modules()
             if isinstance(m, nn.Conv2d) and m.out_channels == num_classes and m.bias is not None
             and not name.startswith("aux_classifier.")]
    if not heads:
        raise ValueError(f"no {num_classes}-channel output convolution found")
    return heads


def _residual_branch_last_bns(net: nn.Module) -> set[nn.Module]:
    """The BatchNorm that ends each residual branch: ResNet Bottleneck.bn3 /
    BasicBlock.bn2, and the projection BN of MobileNetV3 inverted residuals
    that have a skip connection."""
    from torchvision.models.mobilenetv3 import InvertedResidual
    from torchvision.models.resnet import BasicBlock, Bottleneck

    last = set()
    for m in net.modules():
        if isinstance(m, Bottleneck):
            last.add(m.bn3)
        elif isinstance(m, BasicBlock):
            last.add(m.bn2)
        elif isinstance(m, InvertedResidual) and m.use_res_connect:
            last.add([b for b in m.block.modules() if isinstance(b, nn.BatchNorm2d)][-1])
    return last


def seeded_init_segmenter(net: nn.Module, seed: int, stats_inputs: torch.Tensor,
                          num_classes: int = NUM_CLASSES, logit_std: float = 2.0,
                          residual_bn_scale: float = 0.25) -> dict:
    """Deterministic random weights whose per-pixel argmax depends on the image.

    The same recipe as etv_common.seeded_init for the classifiers:
    * conv weights: the module's own initialisation (global RNG seeded by
      build_model);
    * every BatchNorm's affine weight ~ U(0.5, 1.2), bias ~ U(-0.2, 0.2), from
      a generator seeded with ``seed``; the BN that ends a residual branch
      then has its weight multiplied by ``residual_bn_scale`` (0.25, the idea
      of zero_init_residual / Fixup);
    * BatchNorm running statistics measured on ``stats_inputs`` (the
      ImageNet-normalised photos at the export size): one forward with only
      the BN layers in training mode, cumulative average;
    * the class head's bias is shifted so that every class logit averages 0
      over all photos and pixels, and the head(s) are scaled so that those
      logits have standard deviation ``logit_std`` (the auxiliary head, if
      any, keeps its module initialisation).
    Without the centring one class would win almost everywhere (a random net
    gives every pixel a similar shared offset); with it, on the repo photos
    all or nearly all of the 21 classes appear in each argmax map, in
    spatially coherent patches (see the fixture json's argmax statistics).
    Why the residual scaling: a deep BN network at random initialisation is
    chaotic.  Without it, a 1e-6 relative perturbation of the input moved the
    DeepLabV3-ResNet50 logits by 3e-3 and PyTorch's own float32 result was
    1e-3 (probabilities 2e-4) away from float64, so no float32 runtime could
    match the fixture more closely than that.  With it: 2.5e-4 and 6.5e-5
    (probabilities 1.6e-5); LR-ASPP was already quiet (2e-5 from float64) and
    halves.  Input dependence and class variety stay (same statistics).
    """
    g = torch.Generator().manual_seed(seed)
    bns = [m for m in net.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    residual_last = _residual_branch_last_bns(net)
    heads = _class_heads(net, num_classes)
    model = SegmentationOut(net)
    with torch.no_grad():
        for bn in bns:
            n = bn.num_features
            bn.weight.copy_(0.5 + 0.7 * torch.rand(n, generator=g))
            bn.bias.copy_(-0.2 + 0.4 * torch.rand(n, generator=g))
            if bn in residual_last:
                bn.weight.mul_(residual_bn_scale)
            bn.reset_running_stats()
            bn.momentum = None  # cumulative moving average
        # Only BN in training mode: dropout stays off.  (Batch > 1 is needed:
        # DeepLabV3's ASPP pooling branch normalises a 1x1 map.)
        net.eval()
        for bn in bns:
            bn.train()
        model(stats_inputs)
        net.eval()
        for bn in bns:
            bn.momentum = 0.1  # back to the PyTorch default

        # Centre and scale in one step (exact, see _class_heads): the logits
        # are affine in the head parameters.
        logits = model(stats_inputs)
        mean = logits.mean((0, 2, 3))
        scale = logit_std / (logits - mean.view(1, -1, 1, 1)).std().item()
        heads[0].bias.sub_(mean)
        for h in heads:
            h.weight.mul_(scale)
            h.bias.mul_(scale)
    return {"batchnorm_layers": len(bns), "residual_branch_bns_scaled": len(residual_last),
            "residual_bn_scale": residual_bn_scale, "bn_stats_images": len(stats_inputs),
            "class_heads": len(heads), "head_scale": scale, "logit_std_target": logit_std}


def load_seg_weights(net: nn.Module, weights: Path, aux: bool = False) -> dict:
    """torchvision-layout state_dict; the auxiliary head (aux_classifier.*,
    present in torchvision's trained DeepLabV3 / FCN checkpoints) is dropped
    unless the model is built with it (aux=True)."""
    state = torch.load(weights, map_location="cpu", weights_only=True)
    dropped = [] if aux else sorted(k for k in state if k.startswith("aux_classifier."))
    for k in dropped:
        del state[k]
    net.load_state_dict(state, strict=True)
    if dropped:
        C.log(f"weights: ignored {len(dropped)} aux_classifier.* entries")
    return {"weights": Path(weights).name, "weights_sha256": C.sha256_file(Path(weights)),
            "aux_classifier_entries_dropped": len(dropped)}


def build_seg_model(
    arch: str,
    weights: Path | None = None,
    seed: int | None = None,
    normalize: str = "outside",
    stats_inputs: torch.Tensor | None = None,
    aux: bool = False,
) -> tuple[nn.Module, dict]:
    """Float32 eval-mode model returning the logits tensor ((out, aux) with
    aux=True), wrapped in NormalizeInside if requested.  Returns (model, init
    description)."""
    if (weights is None) == (seed is None):
        raise ValueError("give exactly one of weights / seed")
    if seed is not None:
        torch.manual_seed(seed)  # module constructors draw from the global RNG
    net = build_seg_net(arch, aux=aux)
    if weights is not None:
        info = load_seg_weights(net, weights, aux=aux)
    else:
        if stats_inputs is None:
            raise ValueError("seeded init needs stats_inputs")
        info = {"seed": seed, **seeded_init_segmenter(net, seed, stats_inputs)}
    model = SegmentationOut(net, aux=aux)
    if normalize == "inside":
        model = C.NormalizeInside(model)
    return model.eval(), info


# --------------------------------------------------------------------------
# Output post-processing (what the C++ side does)
# --------------------------------------------------------------------------


def softmax_probs(logits: torch.Tensor) -> np.ndarray:
    """[C, H, W] logits -> float32 softmax over C (max-subtracted)."""
    return torch.softmax(logits.float(), dim=0).numpy().astype(np.float32)


def argmax_map(scores) -> np.ndarray:
    """[C, H, W] -> int32 [H, W]; numpy argmax returns the first maximum,
    i.e. ties go to the lowest class index."""
    a = scores.numpy() if isinstance(scores, torch.Tensor) else scores
    return np.argmax(a, axis=0).astype(np.int32)


def argmax_stats(logits: torch.Tensor, amap: np.ndarray) -> dict:
    """Class histogram, spatial coherence and near-tie counts of an argmax map."""
    c = logits.shape[0]
    hist = np.bincount(amap.ravel(), minlength=c)
    top2 = torch.topk(logits, 2, dim=0).values
    margin = (top2[0] - top2[1]).numpy()
    return {
        "argmax_histogram": [int(v) for v in hist],
        "argmax_classes_present": int((hist > 0).sum()),
        # Fraction of horizontally / vertically adjacent pixels with the same
        # class (1/21 ~ 0.05 for an unstructured map, 1.0 for a constant one).
        "argmax_neighbour_agreement": {
            "horizontal": float((amap[:, 1:] == amap[:, :-1]).mean()),
            "vertical": float((amap[1:, :] == amap[:-1, :]).mean()),
        },
        # Top-1 minus top-2 logit per pixel: pixels closer than the numeric
        # noise of a runtime may legitimately flip their argmax.
        "top2_logit_margin": {
            "min": float(margin.min()),
            "pixels_below_1e-4": int((margin < 1e-4).sum()),
            "pixels_below_1e-3": int((margin < 1e-3).sum()),
            "pixels_below_1e-2": int((margin < 1e-2).sum()),
        },
    }


def compare(out: torch.Tensor, ref: torch.Tensor) -> dict:
    """Differences between two [N, C, H, W] logit tensors."""
    p_out = torch.softmax(out, dim=1)
    p_ref = torch.softmax(ref, dim=1)
    same = (out.argmax(1) == ref.argmax(1))
    return {
        "max_abs_logit_diff": (out - ref).abs().max().item(),
        "max_abs_prob_diff": (p_out - p_ref).abs().max().item(),
        "argmax_agreement_pct": 100.0 * same.float().mean().item(),
        "argmax_mismatched_pixels": int((~same).sum()),
    }


# --------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--arch", required=True, choices=SEG_ARCHS)
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--weights", type=Path, help="torchvision-layout state_dict (.pth); aux_classifier.* ignored")
    src.add_argument("--seed", type=int, help="seeded random weights (see seeded_init_segmenter)")
    p.add_argument("--weights-sha256", help="refuse to export unless --weights has this sha256")
    p.add_argument("--input-size", type=int, nargs=2, default=[224, 224], metavar=("H", "W"))
    p.add_argument("--normalize", choices=("inside", "outside"), default="outside",
                   help="where the ImageNet mean/std is applied (default: outside = by the caller, like RNE 0.8+)")
    p.add_argument("--aux-output", action="store_true",
                   help="keep the auxiliary FCN head and return (out, aux), like the RNE ResNet-based .pte files")
    p.add_argument("--quantize", choices=("int8",), help="PT2E static int8 for XNNPACK, calibrated on the photos")
    p.add_argument("--no-conv-rewrites", dest="conv_rewrites", action="store_false",
                   help="export the model as torchvision defines it, without trimming the convolution taps "
                        "that read only zero padding at the export size nor rewriting the sparse dilated ones "
                        "(python/conv_rewrites.py)")
    p.add_argument("--act-observer", choices=("histogram", "minmax"), default="histogram",
                   help="int8 activation observer (default histogram = stock XNNPACK symmetric config)")
    p.add_argument("--out", type=Path, required=True, help="output .pte")
    p.add_argument("--name", help="model name stored in the .pte's metadata (default: the --out file stem)")
    p.add_argument("--reference-dir", type=Path,
                   help="write <stem>.input.png, .expected.json, .expected_probs.bin, .expected_argmax.bin here")
    p.add_argument("--reference-photo", default="skimage_astronaut.png",
                   help="photo (name in --photos-dir) used for the parity fixture")
    p.add_argument("--photos-dir", type=Path, default=None,
                   help="calibration / parity photos (default: $ETV_PHOTOS_DIR, else data/photos)")
    return p


def export_segmenter(args: argparse.Namespace) -> dict:
    """Does the work; returns a summary dict (also used by make_fixtures.py)."""
    timer = C.Timer()
    h, w = args.input_size
    photos_dir = args.photos_dir or C.default_photos_dir()
    photos = C.list_photos(photos_dir)
    ref_photo = Path(photos_dir) / args.reference_photo
    if not ref_photo.is_file():
        raise SystemExit(f"reference photo not found: {ref_photo}")
    outside = args.normalize == "outside"

    if args.weights is not None and args.weights_sha256:
        actual = C.sha256_file(args.weights)
        if actual != args.weights_sha256.lower():
            raise SystemExit(f"{args.weights}: sha256 {actual} != expected {args.weights_sha256}")
        C.log(f"weights sha256 verified: {actual}")

    normalized = torch.cat([C.stretch_input(p, h, w, normalize=True) for p in photos])
    unit = torch.cat([C.stretch_input(p, h, w, normalize=False) for p in photos])
    feed = normalized if outside else unit

    model, init_info = build_seg_model(
        args.arch, weights=args.weights, seed=args.seed, normalize=args.normalize,
        stats_inputs=normalized if args.seed is not None else None, aux=args.aux_output,
    )
    # With --aux-output everything below checks and compares "out" (output 0).
    first = (lambda r: r[0]) if args.aux_output else (lambda r: r)
    with torch.no_grad():
        eager = first(model(feed))
    C.check_logits(eager, f"{args.arch} eager")
    if eager.dim() != 4 or eager.shape[:2] != (len(photos), NUM_CLASSES):
        raise SystemExit(f"unexpected eager output shape {tuple(eager.shape)}")
    out_hw = tuple(eager.shape[2:])
    classes = [int(eager[i].argmax(0).unique().numel()) for i in range(len(photos))]
    C.log(f"[{args.out.name}] model ready ({timer():.1f}s): {sum(p.numel() for p in model.parameters())} params, "
          f"output {list(eager.shape[1:])} (input {h}x{w}), eager max|logit| {eager.abs().max().item():.3f} "
          f"over {len(photos)} photos, argmax classes present per photo {classes}")

    example = feed[:1].clone()
    to_export, rewrites, sparse, rewritten_cmp = model, None, None, None
    if args.conv_rewrites:
        # On a copy: the eager reference (and the fixture) stay torchvision's model.
        to_export = copy.deepcopy(model)
        rewrites = conv_rewrites.rewrite_dead_conv_taps(to_export, example)
        described = [f"{r.name} {r.kernel_before[0]}x{r.kernel_before[1]} dilation {r.dilation_before} -> "
                     f"{r.kernel_after[0]}x{r.kernel_after[1]}" for r in rewrites.rewrites]
        flops_saved = rewrites.flops_saved
        if args.quantize is None:
            # Tap-sum / channel split with the BatchNorm folded in: float32
            # only (int8: see the end of conv_rewrites' rule-2 notes).
            sparse = conv_rewrites.rewrite_sparse_dilated_convs(to_export, example)
            described += [f"{r.name} {r.kernel[0]}x{r.kernel[1]} dilation {r.dilation} "
                          f"(live {100 * r.live_fraction:.0f}%) + {r.batch_norm} -> {r.method} "
                          f"({r.parts} {'taps' if r.method == 'tap_sum' else 'groups'})"
                          for r in sparse.rewrites]
            flops_saved += sparse.flops_saved
        if described:
            with torch.no_grad():
                rewritten_cmp = compare(first(to_export(feed)), eager)
            C.log(f"[{args.out.name}] conv rewrites at {h}x{w}: " + ", ".join(described)
                  + f"; {flops_saved / 1e9:.2f} GFLOP saved; rewritten vs original eager: "
                  f"max|logit diff| {rewritten_cmp['max_abs_logit_diff']:.3g}, "
                  f"argmax agreement {rewritten_cmp['argmax_agreement_pct']:.4f}%")
        else:
            to_export = model
            C.log(f"[{args.out.name}] conv rewrites at {h}x{w}: none applies")
    if args.quantize == "int8":
        t_q = C.Timer()
        to_export = C.quantize_int8(to_export, example, (feed[i : i + 1] for i in range(len(photos))),
                                    act_observer=args.act_observer)
        C.log(f"[{args.out.name}] PT2E int8 ({args.act_observer} activation observer) "
              f"prepare/calibrate/convert on {len(photos)} photos: {t_q():.1f}s")

    t_export = C.Timer()
    # NUM_CLASSES outputs in VOC_LABELS order: the library's "voc21" set.
    metadata = C.model_metadata("segmentation", args.name or args.out.stem, outside, "voc21")
    pte, delegation = C.export_xnnpack(to_export, (example,), metadata)
    export_s = t_export()
    C.write_bytes_atomic(args.out, pte)
    C.log(f"[{args.out.name}] exported in {export_s:.1f}s: {len(pte)} bytes, {delegation}")

    # Run the .pte with ExecuTorch's Python runtime on every photo.
    t_run = C.Timer()
    run = C.load_pte(args.out)
    et_out = []
    for i in range(len(photos)):
        outs = run([feed[i : i + 1]])
        if len(outs) != (2 if args.aux_output else 1) or any(
                tuple(o.shape) != (1, NUM_CLASSES) + out_hw for o in outs):
            raise SystemExit(f"unexpected outputs from the .pte: {[tuple(o.shape) for o in outs]}")
        et_out.append(outs[0])
    et = torch.cat(et_out)
    run_s = t_run()
    C.check_logits(et, "ExecuTorch runtime")
    cmp = compare(et, eager)
    io_meta = C.pte_io_meta(args.out)
    summary = {
        "out": str(args.out),
        "bytes": len(pte),
        "export_s": round(export_s, 2),
        "executorch_run_s_per_photo": round(run_s / len(photos), 3),
        "io": io_meta,
        "output_hw_equals_input_hw": list(out_hw) == [h, w],
        **{f"{k}_vs_eager": v for k, v in cmp.items()},
        "delegation": delegation,
        "conv_rewrites": None if rewrites is None else {
            **rewrites.as_dict(),
            "sparse_dilated": None if sparse is None else sparse.as_dict(),
            **{f"{k}_rewritten_vs_original_eager": v for k, v in (rewritten_cmp or {}).items()}},
    }
    if args.quantize == "int8":
        with torch.no_grad():
            sim = torch.cat([first(to_export(feed[i : i + 1])) for i in range(len(photos))])
        summary.update({f"{k}_vs_pt2e_simulated": v for k, v in compare(et, sim).items()})
    C.log(f"[{args.out.name}] runtime io {io_meta}; output H'xW' {out_hw[0]}x{out_hw[1]} "
          f"{'==' if summary['output_hw_equals_input_hw'] else '!='} input {h}x{w}")
    C.log(f"[{args.out.name}] ExecuTorch-Python vs eager float32 over {len(photos)} photos "
          f"({run_s / len(photos):.2f}s per run): max|logit diff| {cmp['max_abs_logit_diff']:.3g}, "
          f"max|prob diff| {cmp['max_abs_prob_diff']:.3g}, argmax agreement {cmp['argmax_agreement_pct']:.4f}% "
          f"({cmp['argmax_mismatched_pixels']} pixels differ)"
          + (f"; vs PT2E-simulated int8: max|logit diff| {summary['max_abs_logit_diff_vs_pt2e_simulated']:.3g}, "
             f"argmax agreement {summary['argmax_agreement_pct_vs_pt2e_simulated']:.4f}%"
             if args.quantize else ""))

    if args.reference_dir is not None:
        summary["reference"] = write_reference(args, model, run, ref_photo, init_info, io_meta,
                                               summary["conv_rewrites"])
    summary["total_s"] = round(timer(), 2)
    return summary


def write_reference(args, net: nn.Module, run, ref_photo: Path, init_info: dict, io_meta: dict,
                    rewrites: dict | None = None) -> dict:
    """Parity fixture: HxW PNG, eager probabilities and argmax, json.
    `rewrites` (export_segmenter's summary["conv_rewrites"]) is recorded so
    the json says which layers of the .pte differ in form (not in value)
    from the eager model the expected outputs come from."""
    first = (lambda r: r[0]) if args.aux_output else (lambda r: r)
    model = (lambda x: first(net(x)))
    h, w = args.input_size
    outside = args.normalize == "outside"
    stem = args.out.name[: -len(".pte")] if args.out.name.endswith(".pte") else args.out.name
    ref_dir = args.reference_dir
    ref_dir.mkdir(parents=True, exist_ok=True)
    png_path = ref_dir / f"{stem}.input.png"
    json_path = ref_dir / f"{stem}.expected.json"
    probs_path = ref_dir / f"{stem}.expected_probs.bin"
    argmax_path = ref_dir / f"{stem}.expected_argmax.bin"

    img = C.resize_bilinear_u8(C.load_rgb(ref_photo), h, w)
    Image.fromarray(img, "RGB").save(png_path, optimize=True)
    # Read the PNG back so the results are for exactly the file the C++ side reads.
    img = C.load_rgb(png_path)
    assert img.shape == (h, w, 3)
    x = C.to_input_tensor(img, C.IMAGENET_MEAN, C.IMAGENET_STD) if outside else C.to_input_tensor(img)
    with torch.no_grad():
        eager = model(x)
    et = run([x])[0]
    c, oh, ow = eager.shape[1:]

    probs = softmax_probs(eager[0])
    amap = argmax_map(eager[0])
    assert probs.shape == (c, oh, ow) and amap.shape == (oh, ow)
    C.write_bytes_atomic(probs_path, probs.astype("<f4", copy=False).tobytes(order="C"))
    C.write_bytes_atomic(argmax_path, amap.astype("<i4", copy=False).tobytes(order="C"))
    stats = argmax_stats(eager[0], amap)
    et_cmp = compare(et, eager)
    # The numeric noise floor: PyTorch float32 vs the same model in float64.
    with torch.no_grad():
        exact = first(copy.deepcopy(net).double()(x.double()))
    f64_cmp = compare(eager.double(), exact)

    # How far typical preprocessing mistakes move the result, to check that
    # the fixture can see them and to help pick test tolerances: BGR instead
    # of RGB; mean/std missing (outside) or applied twice (inside); the image
    # shifted right by one pixel (edge replicated), the size of a resize
    # misalignment.
    bgr = img[:, :, ::-1]
    shifted = np.concatenate([img[:, :1], img[:, :-1]], axis=1)
    if outside:
        mistakes = {"bgr_instead_of_rgb": C.to_input_tensor(bgr, C.IMAGENET_MEAN, C.IMAGENET_STD),
                    "mean_std_not_applied": C.to_input_tensor(img),
                    "shifted_1px_right": C.to_input_tensor(shifted, C.IMAGENET_MEAN, C.IMAGENET_STD)}
    else:
        mistakes = {"bgr_instead_of_rgb": C.to_input_tensor(bgr),
                    "mean_std_applied_twice": C.to_input_tensor(img, C.IMAGENET_MEAN, C.IMAGENET_STD),
                    "shifted_1px_right": C.to_input_tensor(shifted)}
    with torch.no_grad():
        sensitivity = {k: compare(model(v), eager) for k, v in mistakes.items()}

    expected = {
        "model": args.out.name,
        "arch": args.arch,
        "task": "semantic_segmentation",
        "init": init_info,
        "quantize": args.quantize or "none",
        **({"act_observer": args.act_observer, "calibration_photos": len(C.list_photos(
            args.photos_dir or C.default_photos_dir()))} if args.quantize else {}),
        "input_size": [h, w],
        "input_shape": [1, 3, h, w],
        "input_dtype": "float32",
        "input_layout": "NCHW RGB, pixels / 255",
        "normalize": args.normalize,
        **({"mean": list(C.IMAGENET_MEAN), "std": list(C.IMAGENET_STD)} if outside else {}),
        "image": png_path.name,
        "image_source": ref_photo.name,
        "image_note": "already HxW (stretched from image_source with uint8 bilinear, OpenCV INTER_LINEAR "
                      "semantics); feed it without resizing",
        "output_shape": [1, c, oh, ow],
        "output_dtype": "float32",
        "output_note": "raw logits; the caller applies softmax over C per pixel, then argmax (first maximum wins)"
                       + ("; output 0 of 2 (output 1 = auxiliary head, not described here)"
                          if args.aux_output else ""),
        "runtime_io": io_meta,
        "num_classes": c,
        "labels": list(VOC_LABELS) if c == len(VOC_LABELS) else None,
        "expected_probs": {
            "file": probs_path.name, "dtype": "float32", "byte_order": "little", "shape": [c, oh, ow],
            "layout": "row-major, class-major: index = (c * H + y) * W + x",
            "source": "softmax over C of the PyTorch eager float32 logits (for int8 exports: the float model)",
            "sha256": C.sha256_file(probs_path),
        },
        "expected_argmax": {
            "file": argmax_path.name, "dtype": "int32", "byte_order": "little", "shape": [oh, ow],
            "layout": "row-major: index = y * W + x",
            "source": "argmax over C of the PyTorch eager float32 logits, ties to the lowest class index",
            "sha256": C.sha256_file(argmax_path),
        },
        **stats,
        "max_abs_logit": eager.abs().max().item(),
        "logit_std": eager.std().item(),
        "max_prob_min_over_pixels": float(probs.max(0).min()),
        "executorch_python_vs_eager": et_cmp,
        "executorch_program_conv_rewrites": rewrites,
        "eager_float32_vs_float64": f64_cmp,
        "executorch_python_argmax_histogram": [int(v) for v in np.bincount(
            argmax_map(et[0]).ravel(), minlength=c)],
        "if_preprocessing_wrong_vs_eager": sensitivity,
        "generator": {"script": "python/export_segmenter.py", "argv": args.argv, **C.package_versions()},
    }
    C.write_json(json_path, expected)
    C.log(f"[{args.out.name}] reference: {png_path.name}, {probs_path.name}, {argmax_path.name}, {json_path.name}: "
          f"output {expected['output_shape']}, {stats['argmax_classes_present']} classes in the argmax, "
          f"histogram {stats['argmax_histogram']}, neighbour agreement {stats['argmax_neighbour_agreement']}, "
          f"max|logit| {expected['max_abs_logit']:.3g}; ExecuTorch-Python vs eager: max|prob diff| "
          f"{et_cmp['max_abs_prob_diff']:.3g}, argmax agreement {et_cmp['argmax_agreement_pct']:.4f}%; "
          f"eager float32 vs float64: max|prob diff| {f64_cmp['max_abs_prob_diff']:.3g}; "
          f"preprocessing mistakes: " + ", ".join(
              f"{k}: argmax agreement {v['argmax_agreement_pct']:.1f}%, max|prob diff| {v['max_abs_prob_diff']:.3g}"
              for k, v in sensitivity.items()))
    return {"png": str(png_path), "json": str(json_path), "probs": str(probs_path), "argmax": str(argmax_path),
            "executorch_python_vs_eager": et_cmp, "argmax_histogram": stats["argmax_histogram"],
            "max_abs_logit": expected["max_abs_logit"]}


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)  # recorded in the fixture
    if not str(args.out).endswith(".pte"):
        raise SystemExit("--out must end with .pte")
    summary = export_segmenter(args)
    C.log(f"done in {summary['total_s']}s: {args.out} ({summary['bytes']} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
