"""Light helpers shared by the etvision Python scripts (no torch import, so
python/make_fixtures.py can decide that nothing needs rebuilding quickly)."""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp")


def log(msg: str) -> None:
    print(msg, flush=True)


# --------------------------------------------------------------------------
# Files and environment
# --------------------------------------------------------------------------


def default_photos_dir() -> Path:
    """Photos used for calibration and parity images.

    ``$ETV_PHOTOS_DIR`` wins; otherwise the repository's ``data/photos``
    (checked in, so no network or shared mount is needed); otherwise the
    shared read-only copy.
    """
    env = os.environ.get("ETV_PHOTOS_DIR")
    if env:
        return Path(env)
    local = REPO_ROOT / "data" / "photos"
    if local.is_dir():
        return local
    return Path("/work/shared/photos")


def default_labels_file() -> Path:
    return REPO_ROOT / "data" / "labels" / "imagenet1k_torchvision.txt"


def list_photos(photos_dir: Path) -> list[Path]:
    photos = sorted(p for p in Path(photos_dir).iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    if not photos:
        raise SystemExit(f"no photos found in {photos_dir}")
    return photos


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


DEFAULT_VERSIONED_PACKAGES = ("executorch", "torch", "torchvision", "torchao", "numpy", "pillow")


def package_versions(names: tuple[str, ...] = DEFAULT_VERSIONED_PACKAGES) -> dict[str, str]:
    """Python's version and each package's ("not installed" when absent)."""
    import importlib.metadata as md

    out = {"python": sys.version.split()[0]}
    for name in names:
        try:
            out[name] = md.version(name)
        except md.PackageNotFoundError:
            out[name] = "not installed"
    return out


def write_json(path: Path, obj: dict) -> None:
    """One top-level key per line, each value compact (long logit lists stay
    on one line, so the files are small and still diff well)."""
    lines = [f" {json.dumps(k)}: {json.dumps(v)}" for k, v in obj.items()]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text("{\n" + ",\n".join(lines) + "\n}\n")
    tmp.replace(path)


def write_bytes_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


class Timer:
    def __init__(self):
        self.t0 = time.perf_counter()

    def __call__(self) -> float:
        return time.perf_counter() - self.t0


# --- the machine a figure was measured on ------------------------------------
# The CPU flags that decide which kernels XNNPACK and ONNX Runtime pick on
# x86: AVX2/FMA (XNNPACK's 5x16 f32 GEMM), AVX-512F (7x32 f32, 16 floats per
# FMA), AVX-512 VNNI / AVX-VNNI (int8 dot products), BF16, AMX (tiles).
# Figures from machines with different sets are not comparable.
VECTOR_FLAGS = ("fma", "avx2", "avx512f", "avx512bw", "avx512vl", "avx512_vnni", "avx_vnni",
                "avx512_bf16", "amx_tile", "amx_int8")


def cpuinfo_field(name: str) -> str:
    """The first logical CPU's `name` line of /proc/cpuinfo ('' when absent)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() == name:
                return value.strip()
    except OSError:
        pass
    return ""


def vector_flags() -> list[str]:
    """The VECTOR_FLAGS this CPU has (x86; [] elsewhere)."""
    flags = set(cpuinfo_field("flags").split())
    return [f for f in VECTOR_FLAGS if f in flags]


def vector_isa(flags: list[str] | None = None) -> str:
    """'AVX-512 + VNNI', 'AVX2 + AVX-VNNI', 'AVX2', ...: the one-line ISA for tables."""
    flags = vector_flags() if flags is None else flags
    base = "AVX-512" if "avx512f" in flags else "AVX2" if "avx2" in flags else "no AVX2"
    extras = [name for flag, name in (("avx512_vnni", "VNNI"), ("avx_vnni", "AVX-VNNI"),
                                      ("avx512_bf16", "BF16"), ("amx_int8", "AMX")) if flag in flags]
    return " + ".join([base] + extras)

