"""The benchmarked models and their artefacts in the model cache.

One ``Variant`` is a model at one input size; for it the cache holds
  <id>.eager.pt            the PyTorch eager float32 module (pickled)
  <id>_fp32.pte / _int8.pte  ExecuTorch programs (XNNPACK), exported by
                           python/export_classifier.py / export_segmenter.py
                           (bundled models: the files in models/ are used)
  <id>_fp32.onnx / _int8.onnx  the same module for ONNX Runtime (int8: static
                           QDQ, per-channel, calibrated on the photos)
  <id>.inputs.f32          the photos as the program takes them, float32
                           [N, 3, H, W] (raw, so the C++ bench can read it)
  <id>.eager.npy           PyTorch eager float32 output 0 for those inputs
  <id>.meta.json           FLOPs, shapes, export notes
and is rebuilt only when the recorded generator inputs change (stamp.json,
as python/make_fixtures.py does).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import etv_util as U

PEERS_DIR = Path(__file__).resolve().parent
PYTHON_DIR = U.REPO_ROOT / "python"
STAMP_NAME = "stamp.json"
FLOP_COUNT_NOTE = ("torch.utils.flop_counter.FlopCounterMode on the eager model, batch 1: 2 FLOPs per "
                   "multiply-add of convolutions and matrix products only; dilated convolutions are "
                   "counted over their full kernel, taps on padding included, as XNNPACK computes them")

MOBILENET_V2_WEIGHTS = Path("/work/shared/models/mobilenet_v2_imagenet/mobilenet_v2_imagenet_float.pth")
MOBILENET_V2_WEIGHTS_SHA256 = "f0aa164415ffbd4c53eea396e86dc98009c57f3cdc204ccaa50d4b1d0befbb39"


@dataclass(frozen=True)
class Model:
    name: str
    task: str  # "classify" or "segment"
    arch: str
    sizes: tuple[int, ...]  # square input sizes; the first one is the quick size
    normalize: str  # "inside": the program takes [0, 1] pixels; "outside": ImageNet mean/std first
    dtypes: tuple[str, ...] = ("fp32", "int8")
    seed: int | None = 0
    # Bundled models: dtype -> .pte in models/, and the name etvision knows.
    bundled_pte: dict[str, str] = field(default_factory=dict)
    builtin_names: dict[str, str] = field(default_factory=dict)
    photo: str = "skimage_chelsea.png"  # the end-to-end latency photo

    @property
    def bundled(self) -> bool:
        return bool(self.bundled_pte)


MODELS = (
    Model("efficientnet_v2_s", "classify", "efficientnet_v2_s", (224, 384), "inside"),
    Model("deeplabv3_resnet50", "segment", "deeplabv3_resnet50", (224, 520), "outside",
          photo="skimage_astronaut.png"),
    Model("mobilenet_v2", "classify", "mobilenet_v2", (224,), "outside", seed=None,
          bundled_pte={"fp32": "mobilenet_v2/mobilenet_v2_xnnpack_fp32.pte",
                       "int8": "mobilenet_v2/mobilenet_v2_xnnpack_int8.pte"},
          builtin_names={"fp32": "mobilenet_v2", "int8": "mobilenet_v2_quantized"}),
    # Converted from TFLite (python/selfie/); only an fp32 program is bundled.
    Model("mediapipe_selfie", "segment", "selfie", (256,), "none", dtypes=("fp32",), seed=None,
          bundled_pte={"fp32": "selfie_segmentation/selfie_segmentation_xnnpack_fp32.pte"},
          builtin_names={"fp32": "mediapipe_selfie"}, photo="skimage_astronaut.png"),
)


@dataclass(frozen=True)
class Variant:
    model: Model
    size: int

    @property
    def id(self) -> str:
        return f"{self.model.name}-{self.size}"

    def pte(self, cache: Path, dtype: str) -> Path:
        if self.model.bundled:
            return U.REPO_ROOT / "models" / self.model.bundled_pte[dtype]
        return cache / f"{self.id}_{dtype}.pte"

    def onnx(self, cache: Path, dtype: str) -> Path:
        return cache / f"{self.id}_{dtype}.onnx"

    def eager(self, cache: Path) -> Path:
        return cache / f"{self.id}.eager.pt"

    def inputs(self, cache: Path) -> Path:
        return cache / f"{self.id}.inputs.f32"

    def reference(self, cache: Path) -> Path:
        return cache / f"{self.id}.eager.npy"

    def meta(self, cache: Path) -> Path:
        return cache / f"{self.id}.meta.json"

    def outputs(self, cache: Path) -> list[Path]:
        files = [self.inputs(cache), self.reference(cache), self.meta(cache)]
        if self.model.arch != "selfie":  # rebuilt from the TFLite file instead (export.load_eager)
            files.append(self.eager(cache))
        for dtype in self.model.dtypes:
            files.append(self.onnx(cache, dtype))
            if not self.model.bundled:
                files.append(self.pte(cache, dtype))
        return files


def variants(quick: bool) -> list[Variant]:
    return [Variant(m, s) for m in MODELS for s in (m.sizes[:1] if quick else m.sizes)]


def variant_by_id(variant_id: str) -> Variant:
    for v in variants(quick=False):
        if v.id == variant_id:
            return v
    raise ValueError(f"unknown variant {variant_id!r}")


# --------------------------------------------------------------------------
# Cache
# --------------------------------------------------------------------------

_GENERATOR_SOURCES = (PYTHON_DIR / "etv_util.py", PYTHON_DIR / "etv_common.py",
                      PYTHON_DIR / "export_classifier.py", PYTHON_DIR / "export_segmenter.py",
                      PYTHON_DIR / "conv_rewrites.py", PYTHON_DIR / "selfie" / "selfie_model.py",
                      PEERS_DIR / "export.py")


def generator_key(variant: Variant) -> str:
    """Hash of everything that determines a variant's artefacts."""
    import importlib.metadata as md

    versions = U.package_versions()
    for name in ("onnx", "onnxruntime", "onnxscript"):
        versions[name] = md.version(name)
    record = {
        "variant": repr(variant),  # the model's arch, seed, size, normalisation, dtypes, bundled files
        "sources": {s.name: U.sha256_file(s) for s in _GENERATOR_SOURCES},
        "photos": {p.name: U.sha256_file(p) for p in U.list_photos(U.default_photos_dir())},
        "bundled": {d: U.sha256_file(variant.pte(Path(), d)) for d in variant.model.bundled_pte},
        "versions": versions,
    }
    return hashlib.sha256(json.dumps(record, sort_keys=True).encode()).hexdigest()


def ensure(variant: Variant, cache: Path) -> dict:
    """Builds the variant's artefacts unless the stamp says they are current;
    returns its meta.json content."""
    cache.mkdir(parents=True, exist_ok=True)
    stamp_path = cache / STAMP_NAME
    stamps = json.loads(stamp_path.read_text()) if stamp_path.is_file() else {}
    key = generator_key(variant)
    if stamps.get(variant.id) == key and all(f.is_file() for f in variant.outputs(cache)):
        U.log(f"[{variant.id}] models up to date in {cache}")
    else:
        from . import export  # imports torch: only when something is rebuilt

        timer = U.Timer()
        U.log(f"[{variant.id}] exporting into {cache} ...")
        export.export_variant(variant, cache)
        stamps = json.loads(stamp_path.read_text()) if stamp_path.is_file() else {}
        stamps[variant.id] = key
        stamp_path.write_text(json.dumps(stamps, indent=1, sort_keys=True) + "\n")
        U.log(f"[{variant.id}] exported in {timer():.0f}s")
    return json.loads(variant.meta(cache).read_text())
