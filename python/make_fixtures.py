#!/usr/bin/env python3
"""Generate every test fixture of the C++ test suite into one directory.

  python/make_fixtures.py --out-dir fixtures [--force]

Fixtures (all from seeded random weights; no network needed):
  tiny_seed1_64x64_fp32.pte (+ .input.png, .expected.json)
      tiny CNN, seed 1, input 64x64, normalisation OUTSIDE (the caller
      applies ImageNet mean/std), fp32, XNNPACK
  efficientnet_v2_s_seed0_224x224_fp32.pte (+ .input.png, .expected.json)
      torchvision EfficientNetV2-S, seed 0, 224x224, normalisation INSIDE
      (takes [0, 1] pixels), fp32, XNNPACK
  bad_*.pte + bad_models.json
      valid programs with the wrong interface (python/export_bad_models.py)
  deeplabv3_resnet50_seed0_224x224_fp32.pte
  lraspp_mobilenet_v3_large_seed0_224x224_fp32.pte
      (each + .input.png, .expected.json, .expected_probs.bin,
      .expected_argmax.bin) torchvision DeepLabV3-ResNet50 / LR-ASPP
      MobileNetV3-Large, 21 classes, seed 0, 224x224, normalisation OUTSIDE,
      fp32, XNNPACK; output [1, 21, 224, 224] logits
      (python/export_segmenter.py)

A fixture is skipped when all its files exist and its recorded generator
inputs (arguments, sha256 of the generator sources and of the photos, package
versions) match <out-dir>/fixtures.stamp.json, so a second run is quick and
does not even import torch.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import etv_util as U

HERE = Path(__file__).resolve().parent
STAMP_NAME = "fixtures.stamp.json"

# name -> export_classifier arguments (--out / --reference-dir are added).
CLASSIFIERS = {
    "tiny_seed1_64x64_fp32": [
        "--arch", "tiny", "--seed", "1", "--input-size", "64", "64", "--normalize", "outside",
    ],
    # The same program without etvision's metadata: how a foreign .pte loads.
    "tiny_seed1_64x64_fp32_foreign": [
        "--arch", "tiny", "--seed", "1", "--input-size", "64", "64", "--normalize", "outside",
        "--no-metadata",
    ],
    "efficientnet_v2_s_seed0_224x224_fp32": [
        "--arch", "efficientnet_v2_s", "--seed", "0", "--input-size", "224", "224", "--normalize", "inside",
    ],
}
CLASSIFIER_SOURCES = ("etv_util.py", "etv_common.py", "export_classifier.py")
# name -> export_segmenter arguments (--out / --reference-dir are added).
SEGMENTERS = {
    "deeplabv3_resnet50_seed0_224x224_fp32": [
        "--arch", "deeplabv3_resnet50", "--seed", "0", "--input-size", "224", "224", "--normalize", "outside",
    ],
    "lraspp_mobilenet_v3_large_seed0_224x224_fp32": [
        "--arch", "lraspp_mobilenet_v3_large", "--seed", "0", "--input-size", "224", "224",
        "--normalize", "outside",
    ],
}
SEGMENTER_SOURCES = ("etv_util.py", "etv_common.py", "export_segmenter.py", "conv_rewrites.py")
SEGMENTER_SUFFIXES = (".pte", ".input.png", ".expected.json", ".expected_probs.bin", ".expected_argmax.bin")
BAD_MODEL_FILES = (
    "bad_input_rank3.pte", "bad_input_uint8.pte", "bad_input_int64.pte",
    "bad_output_10.pte", "bad_two_inputs.pte", "bad_metadata_int.pte", "bad_metadata_json.pte",
    "bad_metadata_v99.pte", "bad_models.json",
)
BAD_MODEL_SOURCES = ("etv_util.py", "etv_common.py", "export_bad_models.py")


def generator_key(args: list[str], sources: tuple[str, ...], photos: list[Path]) -> str:
    """Hash of everything that determines a fixture's content."""
    record = {
        "args": args,
        "sources": {s: U.sha256_file(HERE / s) for s in sources},
        "photos": {p.name: U.sha256_file(p) for p in photos},
        "versions": U.package_versions(),
    }
    return hashlib.sha256(json.dumps(record, sort_keys=True).encode()).hexdigest()


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out-dir", type=Path, required=True)
    p.add_argument("--force", action="store_true", help="regenerate everything")
    p.add_argument("--only", nargs="*", help="fixture names to consider (default: all)")
    args = p.parse_args(argv)

    out = args.out_dir
    out.mkdir(parents=True, exist_ok=True)
    photos_dir = U.default_photos_dir()
    photos = U.list_photos(photos_dir)
    stamp_path = out / STAMP_NAME
    stamps = json.loads(stamp_path.read_text()) if stamp_path.is_file() else {}

    jobs = []  # (name, outputs, key, build function)
    for name, cargs in CLASSIFIERS.items():
        full = cargs + ["--out", str(out / f"{name}.pte"), "--reference-dir", str(out)]
        outputs = [f"{name}.pte", f"{name}.input.png", f"{name}.expected.json"]
        # The key uses the arguments without the output directory, so moving
        # the directory does not force a rebuild.
        key = generator_key(cargs, CLASSIFIER_SOURCES, photos)
        jobs.append((name, outputs, key, lambda a=full: _export_classifier(a)))
    jobs.append(("bad_models", list(BAD_MODEL_FILES), generator_key([], BAD_MODEL_SOURCES, []),
                 lambda: _export_bad_models(out)))
    for name, sargs in SEGMENTERS.items():
        full = sargs + ["--out", str(out / f"{name}.pte"), "--reference-dir", str(out)]
        outputs = [name + suffix for suffix in SEGMENTER_SUFFIXES]
        key = generator_key(sargs, SEGMENTER_SOURCES, photos)
        jobs.append((name, outputs, key, lambda a=full: _export_segmenter(a)))

    total = U.Timer()
    failures = 0
    for name, outputs, key, build in jobs:
        if args.only and name not in args.only:
            continue
        timer = U.Timer()
        fresh = (not args.force and stamps.get(name, {}).get("key") == key
                 and all((out / f).is_file() for f in outputs))
        if fresh:
            U.log(f"[{name}] up to date ({timer():.2f}s)")
            continue
        U.log(f"[{name}] generating ...")
        try:
            build()
        except (Exception, SystemExit) as e:  # keep going, report at the end
            failures += 1
            U.log(f"[{name}] FAILED after {timer():.1f}s: {e!r}")
            stamps.pop(name, None)
            continue
        missing = [f for f in outputs if not (out / f).is_file()]
        if missing:
            failures += 1
            U.log(f"[{name}] FAILED: missing outputs {missing}")
            continue
        stamps[name] = {"key": key, "outputs": outputs}
        # Write after every fixture so an interrupted run keeps its progress.
        stamp_path.write_text(json.dumps(stamps, indent=1, sort_keys=True) + "\n")
        U.log(f"[{name}] done in {timer():.1f}s: " + ", ".join(
            f"{f} ({(out / f).stat().st_size} B)" for f in outputs))
    U.log(f"fixtures in {out}: {total():.1f}s total" + (f", {failures} FAILED" if failures else ""))
    return 1 if failures else 0


def _export_classifier(argv: list[str]) -> None:
    import export_classifier  # imports torch; only when something is rebuilt

    export_classifier.main(argv)


def _export_segmenter(argv: list[str]) -> None:
    import export_segmenter  # imports torch; only when something is rebuilt

    export_segmenter.main(argv)


def _export_bad_models(out: Path) -> None:
    import export_bad_models

    export_bad_models.export_bad_models(out)


if __name__ == "__main__":
    sys.exit(main())
