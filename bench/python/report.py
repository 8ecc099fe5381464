"""Machine description and the markdown / JSON report of throughput.py."""

from __future__ import annotations

import datetime
import json
import os
import platform
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

# The repository's one version reporter (python/etv_util.py: standard library only).
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "python"))
from etv_util import VECTOR_FLAGS, package_versions, vector_isa  # noqa: E402


def _cpuinfo() -> list[dict[str, str]]:
    """/proc/cpuinfo as one dict per logical CPU."""
    cpus: list[dict[str, str]] = [{}]
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if not line.strip():
            cpus.append({})
            continue
        key, _, value = line.partition(":")
        cpus[-1][key.strip()] = value.strip()
    return [cpu for cpu in cpus if cpu]


def machine() -> dict[str, Any]:
    cpus = _cpuinfo()
    flags = set(cpus[0].get("flags", "").split()) if cpus else set()
    cores = {(c.get("physical id", "0"), c.get("core id", str(i))) for i, c in enumerate(cpus)}
    return {
        "cpu": cpus[0].get("model name", platform.processor()) if cpus else platform.processor(),
        "logical_cpus": len(os.sched_getaffinity(0)),
        "physical_cores": len(cores),
        "vector_isa": vector_isa([f for f in VECTOR_FLAGS if f in flags]),
        "isa_present": [f for f in VECTOR_FLAGS if f in flags],
        "isa_absent": [f for f in VECTOR_FLAGS if f not in flags],
        "kernel": platform.release(),
    }


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def versions() -> dict[str, str]:
    return package_versions(("etvision", "ray", "onnxruntime", "numpy", "pillow", "pyarrow"))


def now_utc() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


@dataclass
class Row:
    engine: str  # "etvision C++", "etvision", "ONNX Runtime"
    how: str  # what the timed span covers
    config: str  # "actors x threads"
    images: int
    wall_s: float
    images_per_s: float
    vs_cpp: float | None = None
    etvision_vs_ort: float | None = None
    key: str = ""  # pairs an etvision row with its ORT row
    failed: str = ""  # why there is no figure (shown instead of images/s)


def _cell(value: float | None, digits: int) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def markdown(result: dict[str, Any]) -> str:
    m, s = result["machine"], result["settings"]
    lines = [
        "# etvision Python + Ray Data throughput: MobileNetV2 fp32",
        "",
        f"{result['date']}, `bench/python/run.sh{' ' + ' '.join(s['argv']) if s['argv'] else ''}`"
        + (" (**quick smoke run**: few passes, not for quoting)" if s["quick"] else ""),
        "",
        f"- Machine: {m['cpu']}, {m['logical_cpus']} logical CPUs / {m['physical_cores']} cores, "
        f"ISA: {', '.join(m['isa_present']) or 'none of ' + ', '.join(result['isa_checked'])}"
        f" (absent: {', '.join(m['isa_absent']) or 'none'}); kernel {m['kernel']}; "
        f"load average before / after: {result['load_before']} / {result['load_after']}",
        "- Versions: " + ", ".join(f"{k} {v}" for k, v in result["versions"].items())
        + f"; ONNX exported with torch {result['onnx'].get('torch', '?')} (opset {result['onnx'].get('opset', '?')})",
        f"- Input: {s['photos']} photos of data/photos; batch calls time {s['passes']} passes over them after "
        f"{s['warmup_passes']} warm-up passes. Ray, per configuration on its own {s['cpus']}-CPU local "
        f"cluster: job 1 of {s['ray_images']} images (the photos x {s['repeat']}), then {s['ray_passes']} "
        f"warm pair(s) of {s['ray_images']}- and {2 * s['ray_images']}-image jobs; map_batches batch size "
        f"{s['batch_size']}.",
        "",
        "| engine | measured | actors x threads | images | wall s | images/s | vs C++ batch | etvision / ORT |",
        "|---|---|---|---:|---:|---:|---:|---:|",
    ]
    for row in (Row(**r) for r in result["rows"]):
        if row.failed:
            lines.append(f"| {row.engine} | {row.how} | {row.config} | | | {row.failed} | | |")
            continue
        lines.append(f"| {row.engine} | {row.how} | {row.config} | {row.images} | {row.wall_s:.2f} | "
                     f"{row.images_per_s:.1f} | {_cell(row.vs_cpp, 2)} | {_cell(row.etvision_vs_ort, 2)} |")
    lines += ["", "## How to read it", "", *result["notes"], "", "## Numerics", "", *result["numerics"]]
    if result["failures"]:
        lines += ["", "## Failures", ""] + [f"- {f}" for f in result["failures"]]
    return "\n".join(lines) + "\n"


def write(result: dict[str, Any], out_dir: Path, stem: str) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    md, js = out_dir / f"{stem}.md", out_dir / f"{stem}.json"
    js.write_text(json.dumps(result, indent=1) + "\n")
    md.write_text(markdown(result))
    return md, js


def row_dict(row: Row) -> dict[str, Any]:
    return asdict(row)
