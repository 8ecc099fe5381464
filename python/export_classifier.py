#!/usr/bin/env python3
"""Export an image classifier to an ExecuTorch .pte (XNNPACK delegate).

The exported program takes one float32 [1, 3, H, W] RGB tensor and returns
[1, 1000] logits.  With --normalize inside the graph starts with the ImageNet
(x - mean) / std, so it takes [0, 1] pixels; with --normalize outside the
caller (the C++ library, per the model's config) must normalise first.

After exporting, the .pte is run with ExecuTorch's own Python runtime on the
photos and compared with the PyTorch eager model, so a broken export is caught
here rather than in the C++ tests.

With --reference-dir it also writes a parity fixture for the C++ side:
  <stem>.input.png       a photo already stretched to exactly HxW (uint8
                         bilinear, OpenCV INTER_LINEAR semantics), so the C++
                         side must not resize it;
  <stem>.expected.json   model/input description, eager float32 logits and
                         top-5 for that PNG, and the ExecuTorch-Python logits.

Examples:
  python/export_classifier.py --arch tiny --seed 1 --input-size 64 64 \\
      --normalize outside --out fixtures/tiny.pte --reference-dir fixtures
  python/export_classifier.py --arch mobilenet_v2 --weights mnv2.pth \\
      --normalize outside --quantize int8 --out mnv2_int8.pte
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch
from PIL import Image

import etv_common as C


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--arch", required=True, choices=C.ARCHS, help="tiny = small seeded test CNN")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--weights", type=Path, help="torchvision-layout state_dict (.pth)")
    src.add_argument("--seed", type=int, help="seeded random weights (see etv_common.seeded_init)")
    p.add_argument("--weights-sha256", help="refuse to export unless --weights has this sha256")
    p.add_argument("--input-size", type=int, nargs=2, default=[224, 224], metavar=("H", "W"))
    p.add_argument("--normalize", choices=("inside", "outside"), default="outside",
                   help="where the ImageNet mean/std is applied (default: outside = by the caller)")
    p.add_argument("--quantize", choices=("int8",), help="PT2E static int8 for XNNPACK, calibrated on the photos")
    p.add_argument("--act-observer", choices=("histogram", "minmax"), default="histogram",
                   help="int8 activation observer (default histogram = stock XNNPACK symmetric config)")
    p.add_argument("--out", type=Path, required=True, help="output .pte")
    p.add_argument("--name", help="model name stored in the .pte's metadata (default: the --out file stem)")
    p.add_argument("--no-metadata", action="store_true",
                   help="leave the etvision metadata out (a 'foreign' .pte, as the tests need)")
    p.add_argument("--reference-dir", type=Path, help="write <stem>.input.png and <stem>.expected.json here")
    p.add_argument("--reference-photo", default="skimage_chelsea.png",
                   help="photo (name in --photos-dir) used for the parity fixture")
    p.add_argument("--photos-dir", type=Path, default=None,
                   help="calibration / parity photos (default: $ETV_PHOTOS_DIR, else data/photos)")
    return p


def export_classifier(args: argparse.Namespace) -> dict:
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

    # Photos stretched to HxW.  The raw network always sees ImageNet-normalised
    # pixels; `feed` is what the exported program itself takes.
    normalized = torch.cat([C.stretch_input(p, h, w, normalize=True) for p in photos])
    unit = torch.cat([C.stretch_input(p, h, w, normalize=False) for p in photos])
    feed = normalized if outside else unit

    model, init_info = C.build_model(
        args.arch, weights=args.weights, seed=args.seed, normalize=args.normalize,
        stats_inputs=normalized if args.seed is not None else None,
    )
    with torch.no_grad():
        eager = model(feed)
    C.check_logits(eager, f"{args.arch} eager")
    C.log(f"[{args.out.name}] model ready ({timer():.1f}s): {sum(p.numel() for p in model.parameters())} params, "
          f"eager max|logit| {eager.abs().max().item():.3f} over {len(photos)} photos, "
          f"top-1 {eager.argmax(1).tolist()}")

    example = feed[:1].clone()
    to_export = model
    if args.quantize == "int8":
        t_q = C.Timer()
        # Calibrate on every photo, one at a time (batch 1 like the export).
        to_export = C.quantize_int8(model, example, (feed[i : i + 1] for i in range(len(photos))),
                                    act_observer=args.act_observer)
        C.log(f"[{args.out.name}] PT2E int8 ({args.act_observer} activation observer) "
              f"prepare/calibrate/convert on {len(photos)} photos: {t_q():.1f}s")

    t_export = C.Timer()
    # The program carries its preprocessing and labels, so etvision runs it
    # the same by path as by name.
    metadata = None if args.no_metadata else C.model_metadata(
        "classification", args.name or args.out.stem, outside, "imagenet1k")
    pte, delegation = C.export_xnnpack(to_export, (example,), metadata)
    export_s = t_export()
    C.write_bytes_atomic(args.out, pte)
    C.log(f"[{args.out.name}] exported in {export_s:.1f}s: {len(pte)} bytes, {delegation}")

    # Run the .pte with ExecuTorch's Python runtime on every photo.
    run = C.load_pte(args.out)
    et_out = []
    for i in range(len(photos)):
        outs = run([feed[i : i + 1]])
        if len(outs) != 1 or tuple(outs[0].shape) != (1, 1000):
            raise SystemExit(f"unexpected outputs from the .pte: {[tuple(o.shape) for o in outs]}")
        et_out.append(outs[0])
    et = torch.cat(et_out)
    C.check_logits(et, "ExecuTorch runtime")
    diff = (et - eager).abs().max().item()
    top1_agree = int((et.argmax(1) == eager.argmax(1)).sum())
    summary = {
        "out": str(args.out),
        "bytes": len(pte),
        "export_s": round(export_s, 2),
        "max_abs_logit_diff_vs_eager": diff,
        "top1_agreement_vs_eager": f"{top1_agree}/{len(photos)}",
        "delegation": delegation,
    }
    if args.quantize == "int8":
        with torch.no_grad():
            sim = torch.cat([to_export(feed[i : i + 1]) for i in range(len(photos))])
        summary["max_abs_logit_diff_vs_pt2e_simulated"] = (et - sim).abs().max().item()
    C.log(f"[{args.out.name}] ExecuTorch-Python vs eager float32 over {len(photos)} photos: "
          f"max|logit diff| {diff:.3g}, top-1 agreement {top1_agree}/{len(photos)}"
          + (f"; vs PT2E-simulated int8: {summary['max_abs_logit_diff_vs_pt2e_simulated']:.3g}"
             if args.quantize else ""))

    if args.reference_dir is not None:
        summary["reference"] = write_reference(args, model, run, ref_photo, init_info)
    summary["total_s"] = round(timer(), 2)
    return summary


def write_reference(args, model, run, ref_photo: Path, init_info: dict) -> dict:
    """Parity fixture: HxW PNG + expected logits (eager float32 and ExecuTorch)."""
    h, w = args.input_size
    outside = args.normalize == "outside"
    stem = args.out.name[: -len(".pte")] if args.out.name.endswith(".pte") else args.out.name
    ref_dir = args.reference_dir
    ref_dir.mkdir(parents=True, exist_ok=True)
    png_path = ref_dir / f"{stem}.input.png"
    json_path = ref_dir / f"{stem}.expected.json"

    img = C.resize_bilinear_u8(C.load_rgb(ref_photo), h, w)
    Image.fromarray(img, "RGB").save(png_path, optimize=True)
    # Read the PNG back so the logits are for exactly the file the C++ side reads.
    img = C.load_rgb(png_path)
    assert img.shape == (h, w, 3)
    x = C.to_input_tensor(img, C.IMAGENET_MEAN, C.IMAGENET_STD) if outside else C.to_input_tensor(img)
    with torch.no_grad():
        eager = model(x)[0]
    et = run([x])[0][0]
    diff = (et - eager).abs().max().item()

    # How far typical preprocessing mistakes move the logits, to help pick
    # test tolerances: BGR instead of RGB; mean/std missing (outside) or
    # applied a second time by the caller (inside).
    bgr = img[:, :, ::-1]
    if outside:
        mistakes = {"bgr_instead_of_rgb": C.to_input_tensor(bgr, C.IMAGENET_MEAN, C.IMAGENET_STD),
                    "mean_std_not_applied": C.to_input_tensor(img)}
    else:
        mistakes = {"bgr_instead_of_rgb": C.to_input_tensor(bgr),
                    "mean_std_applied_twice": C.to_input_tensor(img, C.IMAGENET_MEAN, C.IMAGENET_STD)}
    with torch.no_grad():
        sensitivity = {k: (model(v)[0] - eager).abs().max().item() for k, v in mistakes.items()}

    expected = {
        "model": args.out.name,
        "arch": args.arch,
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
        "logits": [float(v) for v in eager.tolist()],
        "top5": C.topk(eager),
        "logits_source": "PyTorch eager, float32, eval mode (for int8 exports: the float model before quantization)",
        "executorch_python_logits": [float(v) for v in et.tolist()],
        "executorch_python_top5": C.topk(et),
        "max_abs_diff_executorch_python_vs_eager": diff,
        "max_abs_diff_if_preprocessing_wrong": sensitivity,
        "generator": {"script": "python/export_classifier.py", "argv": args.argv, **C.package_versions()},
    }
    C.write_json(json_path, expected)
    C.log(f"[{args.out.name}] reference: {png_path.name}, {json_path.name} "
          f"(eager top5 {expected['top5']}, ExecuTorch top5 {expected['executorch_python_top5']}, "
          f"max|diff| {diff:.3g})")
    return {"png": str(png_path), "json": str(json_path), "max_abs_diff": diff}


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)  # recorded in the fixture
    if not str(args.out).endswith(".pte"):
        raise SystemExit("--out must end with .pte")
    summary = export_classifier(args)
    C.log(f"done in {summary['total_s']}s: {args.out} ({summary['bytes']} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
