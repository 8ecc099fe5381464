"""etvision side by side with ExecuTorch's Python runtime, ONNX Runtime and
PyTorch eager: same architecture, weights and input size, same machine, one
run. bench/run.sh builds the C++ benchmarks and calls this; see its header
for the options.

Per (model, size, dtype) every engine runs in its own process:
  etvision_e2e         bench/forward_latency MODEL PHOTO (public API, file -> result)
  etvision_inference   bench/forward_latency MODEL --inference-only (ExecuTorch forward only)
  executorch_python    executorch.runtime on the same .pte
  onnxruntime          ONNX Runtime CPU EP on the ONNX export of the same module
  torch_eager          the module itself (fp32 only)
and, for throughput over the photos folder, etvision_folder (a loop of
forward() calls), etvision_batch (one classifyBatch() / segmentBatch() call:
decoding overlapped with inference) and onnxruntime_folder (PIL decode +
NumPy preprocessing + ONNX Runtime).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

import etv_util as U

from . import engines, machine, models, numerics, report

LATENCY_ENGINES = ("etvision_e2e", "etvision_inference") + engines.PYTHON_ENGINES
THROUGHPUT_ENGINES = ("etvision_folder", "etvision_batch", "onnxruntime_folder")


class Bench:
    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.latency_binary = args.build_dir / "bench" / "etvision_forward_latency"
        self.photos_dir = U.default_photos_dir()

    # -- one measurement = one process ---------------------------------------
    def _run_json(self, command: list[str]) -> dict:
        # The Python measurements import peers.* and the python/ helpers.
        path = [str(Path(__file__).resolve().parent.parent), str(U.REPO_ROOT / "python")]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(path + [os.environ.get("PYTHONPATH", "")]),
               **machine.isa_mask_env(self.args.isa_mask, self.args.isa)}
        done = subprocess.run(command, capture_output=True, text=True, env=env)
        if done.returncode != 0:
            raise RuntimeError(f"exit {done.returncode}: {(done.stderr or done.stdout).strip()[-600:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])

    def _etvision_model(self, variant: models.Variant, dtype: str) -> list[str]:
        m = variant.model
        name = m.builtin_names.get(dtype) or str(variant.pte(self.args.cache, dtype))
        return [str(self.latency_binary), name] + (["--segment"] if m.task == "segment" else [])

    def measure(self, variant: models.Variant, dtype: str, engine: str, scratch: Path) -> dict:
        a = self.args
        timing = ["--runs", str(a.runs), "--warmup", str(a.warmup)]
        passes = ["--runs", str(a.throughput_passes), "--warmup", "1"]
        outputs = scratch / f"{variant.id}-{dtype}-{engine}.out"
        if engine == "etvision_e2e":
            return self._run_json(self._etvision_model(variant, dtype) + [
                str(self.photos_dir / variant.model.photo), "--json"] + timing)
        if engine == "etvision_inference":
            result = self._run_json(self._etvision_model(variant, dtype) + [
                "--inference-only", "--input-raw", str(variant.inputs(a.cache)), "--output-raw", str(outputs),
                "--json"] + timing)
            result["outputs"] = np.fromfile(outputs, dtype="<f4")
            return result
        if engine in ("etvision_folder", "etvision_batch"):
            return self._run_json(self._etvision_model(variant, dtype) + [
                "--folder", str(self.photos_dir), "--json"] + passes
                + (["--batch"] if engine == "etvision_batch" else []))
        python = [sys.executable, "-m", "peers.measure", "--variant", variant.id, "--dtype", dtype,
                  "--cache", str(a.cache)]
        if engine == "onnxruntime_folder":
            return self._run_json(python + ["--engine", "onnxruntime", "--folder", str(self.photos_dir)] + passes)
        result = self._run_json(python + ["--engine", engine, "--outputs", str(outputs) + ".npy"] + timing)
        result["outputs"] = np.load(str(outputs) + ".npy")
        return result

    # -- everything ------------------------------------------------------------
    def selected(self, variant: models.Variant, dtype: str, engine: str) -> bool:
        return not self.args.only or re.search(self.args.only, f"{variant.id}-{dtype}/{engine}") is not None

    def run(self) -> dict:
        a = self.args
        fma_binary = a.build_dir / "bench" / "etvision_fma_peak"
        machine_info = machine.describe(fma_binary, a.isa_mask, a.isa)
        U.log(f"machine: {json.dumps(machine_info)}")
        rows = []
        for variant in models.variants(a.quick):
            plan = [(d, e) for d in variant.model.dtypes for e in LATENCY_ENGINES + THROUGHPUT_ENGINES
                    if self.selected(variant, d, e)]
            if not plan:
                continue
            # Export only the dtypes this run measures (an int8 lowering takes
            # many minutes); the cache stamp records which ones were built.
            dtypes = tuple(d for d in variant.model.dtypes if any(d == pd for pd, _ in plan))
            if dtypes != variant.model.dtypes:
                variant = models.Variant(dataclasses.replace(variant.model, dtypes=dtypes), variant.size)
            meta = models.ensure(variant, a.cache)
            reference = np.load(variant.reference(a.cache))
            with tempfile.TemporaryDirectory(prefix="etv-bench-") as scratch:
                for dtype, engine in plan:
                    rows.append(self._row(variant, dtype, engine, meta, reference, Path(scratch)))
        # Measured again at the end: the higher figure is the peak (a busy
        # machine lowers either one).
        machine_info["fma_peak_runs"] = [machine_info["fma_peak"], machine.fma_peak(fma_binary, a.isa_mask, a.isa)]
        machine_info["fma_peak"] = max(machine_info["fma_peak_runs"], key=lambda p: p["all_threads_gflops"])
        report.derive(rows, machine_info["fma_peak"]["all_threads_gflops"])
        return {
            "machine": machine_info,
            "settings": {"runs": a.runs, "warmup": a.warmup, "throughput_passes": a.throughput_passes,
                         "quick": a.quick, "only": a.only, "isa_mask": a.isa or "",
                         "photos": len(U.list_photos(self.photos_dir)),
                         "model_cache": str(a.cache)},
            "versions": _versions(),
            "notes": _notes(rows),
            "results": rows,
        }

    def _row(self, variant, dtype, engine, meta, reference, scratch) -> dict:
        m = variant.model
        row = {"variant": variant.id, "model": m.name, "size": variant.size, "dtype": dtype, "engine": engine,
               "kind": "throughput" if engine in THROUGHPUT_ENGINES else "latency", "task": m.task,
               "flops": meta["flops"], "status": "ok"}
        if engine == "torch_eager" and dtype != "fp32":
            row.update(status="n/a", reason=engines.INT8_NOT_APPLICABLE[engine])
            U.log(f"[{variant.id} {dtype} {engine}] n/a")
            return row
        timer = U.Timer()
        try:
            result = self.measure(variant, dtype, engine, scratch)
            machine.check_seen_isa(result.get("vector_isa"), self.args.isa)
        except Exception as e:  # keep going; the report says what failed
            row.update(status="failed", reason=str(e))
            U.log(f"[{variant.id} {dtype} {engine}] FAILED: {e}")
            return row
        # forward_latency's own description of the run must not overwrite the row's keys.
        described = {k: result.pop(k) for k in ("model", "task", "mode", "image", "folder") if k in result}
        if described:
            result["engine_info"] = {"program": "bench/forward_latency", **described}
        outputs = result.pop("outputs", None)
        if outputs is not None:
            row["numerics"] = numerics.compare(outputs, reference, m.task)
        row.update(result)
        U.log(f"[{variant.id} {dtype} {engine}] load {row['load_ms']:.0f} ms, median {row['median_ms']:.2f} ms, "
              f"min {row['min_ms']:.2f} ms, peak RSS {row['peak_rss_mb']:.0f} MB"
              + (f", {row['images_per_s']:.2f} images/s" if "images_per_s" in row else "")
              + (f", {row['numerics']}" if "numerics" in row else "") + f" ({timer():.0f}s)")
        return row


def _versions() -> dict:
    import importlib.metadata as md

    versions = U.package_versions()
    for name in ("onnxruntime", "onnx", "onnxscript"):
        try:
            versions[name] = md.version(name)
        except md.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def _notes(rows: list[dict]) -> list[str]:
    notes = [
        "FLOPs: " + models.FLOP_COUNT_NOTE + ".",
        "etvision end to end = encoded photo file -> decode -> stretch -> normalise -> forward -> result "
        "(softmax map / per-pixel argmax) through the public API; etvision inference = the ExecuTorch "
        "forward alone on a filled input tensor (src/runtime/executorch_model.h).",
        "Seeded models (EfficientNetV2-S, DeepLabV3-ResNet50) have the fixtures' weights (python/"
        "export_classifier.py / export_segmenter.py, seed 0); the .pte, ONNX and PyTorch peers share them. "
        "MobileNetV2: the bundled .pte files, ONNX/PyTorch from the same float state_dict. "
        "MediaPipe selfie: the bundled .pte, ONNX/PyTorch from python/selfie/selfie_model.py (same weights).",
        "int8: ExecuTorch = PT2E XNNPACKQuantizer (per-channel symmetric weights, histogram observer; "
        "bundled MobileNetV2: minmax); ONNX Runtime = quant_pre_process + quantize_static QDQ, per-channel QInt8 "
        "weights, QUInt8 activations (U8S8: its fastest x86 kernels; S8S8 ran 2-3.5x slower on a VNNI Xeon), "
        "MinMax calibration on the same photos. int8 GFLOP/s count the same multiply-adds "
        "against the fp32 FMA peak.",
        "Numerics: fp32 rows give max |output diff| vs PyTorch eager fp32 over the photos; int8 rows the "
        "top-1 (classifiers) or per-pixel argmax (segmenters) agreement with eager fp32.",
        "ONNX Runtime + PIL/NumPy throughput uses PIL's bilinear resize (antialiased when shrinking, "
        "unlike etvision's OpenCV INTER_LINEAR stretch): the same work class, not bit-identical inputs.",
    ]
    if any(r["engine"] == "torch_eager" and r["status"] == "n/a" for r in rows):
        notes.append("PyTorch eager int8: n/a. " + engines.INT8_NOT_APPLICABLE["torch_eager"] + ".")
    return notes


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build-dir", type=Path, required=True, help="holds bench/etvision_forward_latency")
    p.add_argument("--cache", type=Path, required=True, help="exported models (reused when current)")
    p.add_argument("--out", type=Path, required=True, help="results.json and results.md go here")
    p.add_argument("--runs", type=int, default=20)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--throughput-passes", type=int, default=3)
    p.add_argument("--quick", action="store_true", help="smallest size of each model only")
    p.add_argument("--only", help="regex over MODEL-SIZE-DTYPE/ENGINE, e.g. 'mobilenet|selfie' or '/onnxruntime$'")
    p.add_argument("--isa", choices=machine.ISA_MASK_CLASSES, help="CPU class every measured process sees "
                   "(bench/isa_mask.cpp, loaded from --isa-mask)")
    p.add_argument("--isa-mask", type=Path, help="build/bench/libetvision_isa_mask.so")
    args = p.parse_args(argv)
    if bool(args.isa) != bool(args.isa_mask):
        p.error("--isa and --isa-mask go together")
    args.isa_mask = args.isa_mask.resolve() if args.isa_mask else None
    args.build_dir, args.cache, args.out = args.build_dir.resolve(), args.cache.resolve(), args.out.resolve()
    result = Bench(args).run()
    json_path, md_path = report.write(result, args.out)
    print(md_path.read_text())
    U.log(f"wrote {json_path} and {md_path}")
    return 0 if all(r["status"] != "failed" for r in result["results"]) else 1


if __name__ == "__main__":
    sys.exit(main())
