#!/usr/bin/env python3
"""Summarises bench/video/run.sh's runs: one Markdown table per clip size
(median fps over the runs, CPU milliseconds per frame, MediaPipe's stages),
the ratios the issue asks for, and the machine (CPU, vector ISA)."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

# The repository's machine facts (python/etv_util.py: standard library only).
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "python"))
import etv_util as U  # noqa: E402


def machine() -> str:
    cores = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    return f"{U.cpuinfo_field('model name') or 'unknown CPU'}, {cores} cores, {U.vector_isa()}"


def main() -> None:
    out = Path(sys.argv[1])
    runs = defaultdict(list)
    for line in (out / "runs.jsonl").read_text().splitlines():
        run = json.loads(line)
        runs[run["label"]].append(run)
    inference = json.loads((out / "inference.json").read_text())

    print("# Video: selfie segmentation + background blur\n")
    print(f"Machine: {machine()}. {len(next(iter(runs.values())))} runs per row, medians. "
          "300-frame H.264 clips at 30 fps (bench/video/run.sh).\n")
    print(f"etvision inference alone (selfie model, 256x256): median "
          f"{inference['median_ms']:.2f} ms, min {inference['min_ms']:.2f} ms "
          f"({1000 / inference['median_ms']:.0f} fps).\n")
    summary = {}
    for size in ("720p", "1080p"):
        rows = [label for label in runs if label.startswith(size + " ")]
        if not rows:
            continue
        print(f"## {size}\n")
        print("| configuration | fps | CPU ms / frame | output codec | per frame (etvision: each "
          "stage's busy time, stages overlap; MediaPipe: one thread, in sequence) |")
        print("|---|---:|---:|---|---|")
        for label in rows:
            group = runs[label]
            fps = statistics.median(r["fps"] for r in group)
            cpu = statistics.median(1000 * r["cpu_seconds"] / r["frames"] for r in group)
            notes = ""
            if "busy_ms_per_frame" in group[0]:
                busy = {k: statistics.median(r["busy_ms_per_frame"][k] for r in group)
                        for k in group[0]["busy_ms_per_frame"]}
                notes = "busy: " + ", ".join(f"{k} {v:.1f} ms" for k, v in busy.items()
                                              if v > 0.05)
            elif "stages_seconds" in group[0]:
                stages = {k: statistics.median(1000 * r["stages_seconds"][k] / r["frames"]
                                               for r in group)
                          for k in group[0]["stages_seconds"]}
                notes = ", ".join(f"{k} {v:.1f} ms" for k, v in stages.items() if v > 0.05)
            print(f"| {label[len(size) + 1:]} | {fps:.1f} | {cpu:.1f} | "
                  f"{group[0].get('codec', '') or '-'} | {notes} |")
            summary[label] = {"fps": fps, "cpu_ms_per_frame": cpu}
        ours = summary.get(f"{size} etvision blur+encode")
        theirs = summary.get(f"{size} mediapipe blur+encode")
        if ours and theirs:
            print(f"\netvision blur+encode runs at {ours['fps'] / theirs['fps']:.2f}x MediaPipe's "
                  f"fps, with {ours['cpu_ms_per_frame'] / theirs['cpu_ms_per_frame']:.2f}x its "
                  "CPU time per frame (etvision encodes H.264, MediaPipe's OpenCV wheel "
                  "MPEG-4 part 2).\n")
    (out / "results.json").write_text(json.dumps(
        {"machine": machine(), "inference": inference, "summary": summary,
         "runs": runs}, indent=1))


if __name__ == "__main__":
    main()
