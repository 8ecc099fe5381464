"""One measurement of one Python engine, in its own process (so the peak RSS
is that configuration's alone); prints one JSON object.

  python -m peers.measure --engine onnxruntime --variant efficientnet_v2_s-224 \\
      --dtype fp32 --cache build/bench-models [--runs 20] [--warmup 3] \\
      [--outputs out.npy] [--folder data/photos]

Latency: load time (session / program creation; the engine's Python
modules are imported first, untimed), then --warmup untimed and --runs
timed forwards on photo 0 of the variant's preprocessed inputs. --outputs
saves output 0 for every preprocessed photo (numerics). --folder instead
times the whole pipeline over a folder of photos (decode, resize, normalise,
run; ONNX Runtime only): --warmup calls on the first photo, then --runs
passes, images per second from the median pass.
"""

from __future__ import annotations

import argparse
import importlib
import json
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from . import engines
from .models import variant_by_id

ENGINE_MODULES = {"executorch_python": ("torch", "executorch.runtime"), "onnxruntime": ("onnxruntime",),
                  "torch_eager": ("torch", "torchvision")}


def peak_rss_mb() -> float:
    """VmHWM: unlike ru_maxrss it does not carry the parent's peak across exec."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def latency(forward, x: np.ndarray, warmup: int, runs: int) -> dict:
    for _ in range(warmup):
        forward(x)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        forward(x)
        times.append((time.perf_counter() - start) * 1e3)
    return {"runs": runs, "warmup": warmup, "min_ms": min(times), "median_ms": statistics.median(times),
            "max_ms": max(times), "times_ms": sorted(times)}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--engine", required=True, choices=engines.PYTHON_ENGINES)
    p.add_argument("--variant", required=True)
    p.add_argument("--dtype", required=True, choices=("fp32", "int8"))
    p.add_argument("--cache", type=Path, required=True)
    p.add_argument("--runs", type=int, default=20)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--outputs", type=Path)
    p.add_argument("--folder", type=Path)
    args = p.parse_args(argv)

    variant = variant_by_id(args.variant)
    for module in ENGINE_MODULES[args.engine]:
        importlib.import_module(module)
    start = time.perf_counter()
    forward, info = engines.load(args.engine, variant, args.dtype, args.cache)
    load_ms = (time.perf_counter() - start) * 1e3
    shape = (-1, 3, variant.size, variant.size)

    if args.folder is not None:
        import etv_util as U

        photos = U.list_photos(args.folder)
        run = lambda path: forward(engines.preprocess_with_pil(path, variant.size, variant.model.normalize))  # noqa: E731
        for _ in range(args.warmup):
            run(photos[0])
        passes = latency(lambda _: [run(photo) for photo in photos], None, 0, args.runs)
        result = {**passes, "warmup": args.warmup, "images_per_pass": len(photos),
                  "images_per_s": len(photos) * 1e3 / passes["median_ms"]}
    else:
        inputs = np.fromfile(variant.inputs(args.cache), dtype="<f4").reshape(shape)
        result = latency(forward, inputs[:1].copy(), args.warmup, args.runs)
        result["peak_rss_mb"] = peak_rss_mb()  # of the timed runs, before the numerics pass
        if args.outputs is not None:
            np.save(args.outputs, np.concatenate([forward(inputs[i : i + 1].copy()) for i in range(len(inputs))]))
    result.setdefault("peak_rss_mb", peak_rss_mb())
    result.update(load_ms=load_ms, engine_info=info)
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
