"""Derived figures (ratios to ONNX Runtime, GFLOP/s, share of the FMA peak)
and the markdown / JSON outputs."""

from __future__ import annotations

import json
from pathlib import Path

from . import numerics

ENGINE_LABELS = {
    "etvision_e2e": "etvision end to end",
    "etvision_inference": "etvision inference",
    "executorch_python": "ExecuTorch Python",
    "onnxruntime": "ONNX Runtime",
    "torch_eager": "PyTorch eager",
    "etvision_folder": "etvision forward() loop",
    "etvision_batch": "etvision classifyBatch/segmentBatch",
    "onnxruntime_folder": "ONNX Runtime + PIL/NumPy",
}
BASELINE = "onnxruntime"  # ratios are to ONNX Runtime inference only, same model, size and dtype


def derive(rows: list[dict], peak_gflops: float) -> None:
    """Adds gflops, peak_fraction and vs_onnxruntime to every measured latency row."""
    baseline = {(r["variant"], r["dtype"]): r["median_ms"] for r in rows
                if r["engine"] == BASELINE and r["status"] == "ok"}
    for r in rows:
        if r["status"] != "ok" or r["kind"] != "latency":
            continue
        r["gflops"] = r["flops"] / (r["median_ms"] * 1e-3) / 1e9
        r["peak_fraction"] = r["gflops"] / peak_gflops
        ort = baseline.get((r["variant"], r["dtype"]))
        r["vs_onnxruntime"] = r["median_ms"] / ort if ort else None


def _fmt(value, spec: str, missing: str = "") -> str:
    return missing if value is None else format(value, spec)


def markdown(result: dict) -> str:
    m = result["machine"]
    peak = m["fma_peak"]
    s = result["settings"]
    lines = [
        "# etvision vs peers",
        "",
        f"Machine: {m['cpu']}, {m.get('vector_isa', 'vector ISA not recorded')}, "
        f"{m['physical_cores']} physical cores ({m['logical_cpus']} logical CPUs); "
        f"fp32 FMA peak ({peak['kernel']}) {peak['single_thread_gflops']:.1f} GFLOP/s on one thread, "
        f"{peak['all_threads_gflops']:.1f} GFLOP/s on {peak['threads']}.",
        f"Latency: median and min of {s['runs']} timed runs after {s['warmup']} warm-ups, photo 0, batch 1; "
        f"each configuration in its own process (peak RSS is that process's). "
        f"x ORT = median / ONNX Runtime inference median (same model, size, dtype; lower is faster). "
        f"% peak = achieved GFLOP/s / all-core fp32 FMA peak.",
        "",
        "| Model | Size | dtype | Engine | Load ms | Median ms | Min ms | Peak RSS MB | GFLOP/s | % peak "
        "| x ORT | Numerics vs eager fp32 |",
        "|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in result["results"]:
        if r["kind"] != "latency":
            continue
        head = f"| {r['model']} | {r['size']} | {r['dtype']} | {ENGINE_LABELS[r['engine']]} |"
        if r["status"] != "ok":
            lines.append(f"{head} {r['status']} | | | | | | | {r.get('reason', '')[:120]} |")
            continue
        lines.append(
            f"{head} {r['load_ms']:.0f} | {r['median_ms']:.2f} | {r['min_ms']:.2f} | {r['peak_rss_mb']:.0f} "
            f"| {r['gflops']:.1f} | {100 * r['peak_fraction']:.0f}% | {_fmt(r['vs_onnxruntime'], '.2f')} "
            f"| {numerics.summary(r.get('numerics'), r['dtype'])} |")
    lines += [
        "",
        f"Throughput over the {s['photos']} photos of data/photos (read, decode, resize, normalise, run, "
        f"result; one image at a time, except that the etvision batch call decodes ahead on a worker "
        f"thread; median of {s['throughput_passes']} passes after one warm-up image):",
        "",
        "| Model | Size | dtype | Engine | Images/s | Pass ms | Peak RSS MB |",
        "|---|---|---|---|---:|---:|---:|",
    ]
    for r in result["results"]:
        if r["kind"] != "throughput":
            continue
        head = f"| {r['model']} | {r['size']} | {r['dtype']} | {ENGINE_LABELS[r['engine']]} |"
        if r["status"] != "ok":
            lines.append(f"{head} {r['status']} | | {r.get('reason', '')[:120]} |")
            continue
        lines.append(f"{head} {r['images_per_s']:.2f} | {r['median_ms']:.0f} | {r['peak_rss_mb']:.0f} |")
    lines += ["", "Notes:", ""] + [f"- {n}" for n in result["notes"]]
    return "\n".join(lines) + "\n"


def write(result: dict, out_dir: Path) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out_dir / "results.json", out_dir / "results.md"
    json_path.write_text(json.dumps(result, indent=1) + "\n")
    md_path.write_text(markdown(result))
    return json_path, md_path
