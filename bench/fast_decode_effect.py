"""What --fast-decode (ClassifyOptions::fastDecode) buys and costs on 12 MP
photos: the bundled photos enlarged to 4000x3000 JPEGs (quality 92),
classified with MobileNetV2 end to end (file -> result) with and without it.

Run with the Python package installed (scripts/test_python.sh leaves one in
build/python-venv):
    build/python-venv/bin/python bench/fast_decode_effect.py [--runs 7]
Prints one row per photo (median ms each way, top-1 and its probability each
way) and the medians over the photos. A benchmark, not a test: run it on an
idle machine.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from PIL import Image

import etvision

PHOTOS = Path(__file__).resolve().parents[1] / "data" / "photos"


def median_ms(module: etvision.ClassificationModule, path: str, fast: bool, runs: int) -> float:
    module.classify(path, fast_decode=fast)  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        module.classify(path, max_results=1, fast_decode=fast)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    module = etvision.ClassificationModule()
    module.load(etvision.MOBILENET_V2)
    ratios = []
    print(f"etvision {etvision.version()}, threads {etvision.thread_count()}")
    print("| photo (4000x3000 JPEG) | full ms | fast ms | speed-up | top-1 full | top-1 fast |")
    print("|---|---:|---:|---:|---|---|")
    with tempfile.TemporaryDirectory() as scratch:
        for photo in sorted(p for p in PHOTOS.iterdir() if p.suffix in {".jpg", ".jpeg", ".png"}):
            big = Path(scratch) / (photo.stem + ".jpg")
            Image.open(photo).convert("RGB").resize((4000, 3000), Image.BICUBIC).save(big, quality=92)
            full = median_ms(module, str(big), False, args.runs)
            fast = median_ms(module, str(big), True, args.runs)
            a = module.classify(str(big), max_results=1).categories[0]
            b = module.classify(str(big), max_results=1, fast_decode=True).categories[0]
            ratios.append(full / fast)
            print(f"| {photo.name} | {full:.1f} | {fast:.1f} | {full / fast:.2f}x | "
                  f"{a.label.split(',')[0]} {a.probability:.2f} | {b.label.split(',')[0]} {b.probability:.2f} |")
    print(f"median speed-up end to end: {statistics.median(ratios):.2f}x "
          f"(min {min(ratios):.2f}x, max {max(ratios):.2f}x)")


if __name__ == "__main__":
    main()
