"""Images/s of MobileNetV2 fp32 over data/photos, side by side in one run:
etvision's C++ classifyBatch (Google Benchmark), etvision's Python
classify_batch, ONNX Runtime in-process, and both engines under Ray Data
(1 actor x N threads, N actors x 1 thread) on an N-CPU local cluster.

Each configuration runs in its own process (``--worker``), so thread counts
and Ray clusters never leak into the next one. Run through run.sh, which
prepares the torch-free venv and the ONNX model; see README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import traceback
from pathlib import Path
from typing import Any

import measure
import report
from report import Row

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png")
STEM = "python-ray"
ENGINE_NAMES = {"etvision": "etvision (Python)", "ort": "ONNX Runtime (Python)"}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true",
                   help="smoke test: 3 batch passes; Ray: 100- and 200-image jobs, 1 warm pair")
    p.add_argument("--passes", type=int, help="timed passes of the batch calls (default 20; quick 3)")
    p.add_argument("--ray-passes", type=int,
                   help="warm pairs of Ray jobs (N and 2N images) per configuration (default 2; quick 1)")
    p.add_argument("--repeat", type=int, help="photos repeated this often per Ray job (default 20; quick 10)")
    p.add_argument("--cpus", type=int, default=2, help="threads in-process; Ray cluster CPUs (default 2)")
    p.add_argument("--ray-timeout", type=float, default=300.0, help="watchdog per Ray job, seconds")
    p.add_argument("--photos", type=Path, default=REPO_ROOT / "data" / "photos")
    p.add_argument("--onnx", type=Path, default=REPO_ROOT / "build" / "bench-python" / "mobilenet_v2_fp32.onnx")
    p.add_argument("--cpp-binary", type=Path,
                   default=REPO_ROOT / "build" / "bench" / "micro" / "etvision_micro_benchmarks")
    p.add_argument("--out", type=Path, default=REPO_ROOT / "build" / "bench-results")
    p.add_argument("--worker", help=argparse.SUPPRESS)  # JSON spec: run one configuration
    p.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    args.passes = args.passes or (3 if args.quick else 20)
    args.ray_passes = args.ray_passes or (1 if args.quick else 2)
    args.repeat = args.repeat or (10 if args.quick else 20)
    return args


def list_photos(folder: Path) -> list[Path]:
    photos = sorted(p for p in folder.iterdir() if p.suffix.lower() in PHOTO_SUFFIXES)
    if not photos:
        raise SystemExit(f"no .jpg/.jpeg/.png photos in {folder}")
    return photos


# --------------------------------------------------------------------------
# Worker side: one configuration per process
# --------------------------------------------------------------------------


def run_spec(spec: dict[str, Any]) -> dict[str, Any]:
    photos = [Path(p) for p in spec["photos"]]
    onnx = Path(spec["onnx"])
    if spec["kind"] == "python_batch":
        return measure.python_batch(photos, spec["threads"], spec["passes"])
    if spec["kind"] == "ort_batch":
        return measure.ort_batch(photos, onnx, spec["threads"], spec["passes"])
    if spec["kind"] == "ray":
        return measure.ray_job(spec["engine"], photos, spec["repeat"], spec["cpus"], spec["actors"],
                               spec["threads"], spec["passes"], spec["timeout_s"], onnx)
    raise ValueError(f"unknown kind {spec['kind']!r}")


def _stop_ray(timeout_s: float = 30.0) -> None:
    """ray.shutdown() with a time limit: after a watchdog timeout the stuck
    job may hold locks it needs. (run_worker kills what is left anyway.)"""
    ray = sys.modules.get("ray")
    if ray is None or not ray.is_initialized():
        return
    stopper = threading.Thread(target=ray.shutdown, daemon=True)
    stopper.start()
    stopper.join(timeout_s)


def worker_main(spec_json: str, result_path: Path) -> None:
    try:
        result = run_spec(json.loads(spec_json))
        result_path.write_text(json.dumps(result))
    except BaseException as error:  # noqa: BLE001 - reported to the orchestrator
        traceback.print_exc()
        result_path.write_text(json.dumps({"error": f"{type(error).__name__}: {error}"}))
        _stop_ray()
        sys.stderr.flush()
        # The stuck job's thread may still be alive; a normal interpreter
        # exit would wait on it (or on Ray's atexit hooks).
        os._exit(1)


# --------------------------------------------------------------------------
# Orchestrator side
# --------------------------------------------------------------------------


def run_worker(name: str, spec: dict[str, Any], args: argparse.Namespace, timeout_s: float) -> dict[str, Any]:
    """Runs one configuration in a fresh interpreter; its output goes to a log."""
    logs = args.out / f"{STEM}-logs"
    logs.mkdir(parents=True, exist_ok=True)
    result_path = logs / f"{name}.json"
    result_path.unlink(missing_ok=True)
    env = dict(os.environ)
    # Ray's workers inherit this through the raylet, so they can import ort_classifier.
    env["PYTHONPATH"] = os.pathsep.join([str(HERE)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    env["RAY_USAGE_STATS_ENABLED"] = "0"  # no network calls from the benchmark
    command = [sys.executable, str(HERE / "throughput.py"), "--worker", json.dumps(spec), "--result",
               str(result_path)]
    print(f"== {name}", flush=True)
    with open(logs / f"{name}.log", "w") as log:
        # Own process group: the Ray processes a failed worker leaves behind
        # (its dashboard and runtime-env agents stay in the group) can be
        # killed with it, and never pile up over the configurations.
        worker = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            worker.wait(timeout=timeout_s)
            timed_out = False
        except subprocess.TimeoutExpired:
            timed_out = True
        finally:
            # Before wait(): the unreaped worker keeps its pid, hence the group id, from reuse.
            _kill_group(worker.pid)
            worker.wait()
    if timed_out:
        return {"error": f"worker killed after {timeout_s:.0f} s (see {logs / (name + '.log')})"}
    if not result_path.is_file():
        return {"error": f"worker wrote no result (see {logs / (name + '.log')})"}
    return json.loads(result_path.read_text())


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:  # the worker and everything it started are gone
        pass


def measure_all(args: argparse.Namespace, photos: list[Path]) -> dict[str, dict[str, Any]]:
    common = {"photos": [str(p) for p in photos], "onnx": str(args.onnx)}
    results: dict[str, dict[str, Any]] = {}
    print("== cpp_batch", flush=True)
    try:
        results["cpp_batch"] = measure.cpp_batch(args.cpp_binary, args.cpus, args.passes,
                                                 min_time_s=0.2 if args.quick else 0.5)
    except Exception as error:  # noqa: BLE001 - one failed row, not a failed report
        results["cpp_batch"] = {"error": f"{type(error).__name__}: {error}"}
    for kind in ("python_batch", "ort_batch"):
        spec = dict(common, kind=kind, threads=args.cpus, passes=args.passes)
        results[kind] = run_worker(kind, spec, args, timeout_s=600)
    # Engines interleaved per configuration, so drift in the machine's load
    # hits both sides of each etvision / ORT ratio alike.
    for actors, threads in ((1, args.cpus), (args.cpus, 1)):
        for engine in ("etvision", "ort"):
            name = f"ray_{engine}_{actors}x{threads}"
            spec = dict(common, kind="ray", engine=engine, repeat=args.repeat, cpus=args.cpus, actors=actors,
                        threads=threads, passes=args.ray_passes, timeout_s=args.ray_timeout)
            jobs = 1 + 2 * args.ray_passes
            results[name] = run_worker(name, spec, args, timeout_s=jobs * args.ray_timeout + 180)
    return results


def ray_rows(result: dict[str, Any], engine: str, config: str) -> list[Row]:
    engine_name = ENGINE_NAMES[engine] + " + Ray Data"
    if "error" in result:
        return [Row(engine_name, "Ray jobs", config, 0, 0.0, 0.0, key=f"cold|{config}",
                    failed=f"**failed**: {result['error']}")]
    runs = result["passes"]
    first = runs[0]
    rows = [Row(engine_name, "job 1, fresh cluster: worker start, imports, actors, model load included", config,
                first["images"], first["wall_s"], first["images_per_s"], key=f"cold|{config}")]
    warm = [r for r in runs[1:] if r["images"] == first["images"]]
    if warm:
        rates = [r["images_per_s"] for r in warm]
        rows.append(Row(engine_name, f"warm cluster, same size (median of {len(warm)}): actors, model load "
                        "included", config, sum(r["images"] for r in warm), sum(r["wall_s"] for r in warm),
                        statistics.median(rates), key=f"warm|{config}"))
    if "marginal_images" in result:
        steady = Row(engine_name, f"steady state: marginal rate of {2 * first['images']}- vs "
                     f"{first['images']}-image jobs (start-up cancels)", config, result["marginal_images"],
                     result["marginal_s"], result.get("marginal_images_per_s", 0.0), key=f"steady|{config}")
        if "marginal_images_per_s" not in result:
            steady.failed = (f"not measurable: the {2 * first['images']}-image jobs were not slower "
                             f"(median difference {result['marginal_s']:.2f} s; machine noise)")
        rows.append(steady)
    return rows


def build_rows(results: dict[str, dict[str, Any]], cpus: int) -> list[Row]:
    in_process = f"1 x {cpus}"
    rows: list[Row] = []
    for name, engine, how in (
        ("cpp_batch", "etvision C++ classifyBatch", "Google Benchmark, median of repetitions"),
        ("python_batch", "etvision (Python) classify_batch", "in-process, median of passes"),
        ("ort_batch", "ONNX Runtime (Python) loop", "in-process, median of passes"),
    ):
        r = results[name]
        key = "cpp" if name == "cpp_batch" else "batch"  # pairs the Python etvision / ORT rows
        if "error" in r:
            rows.append(Row(engine, how, in_process, 0, 0.0, 0.0, key=key, failed=f"**failed**: {r['error']}"))
        else:
            rows.append(Row(engine, how, in_process, r["images"], r["wall_s"], r["images_per_s"], key=key))
    for actors, threads in ((1, cpus), (cpus, 1)):
        for engine in ("etvision", "ort"):
            rows += ray_rows(results[f"ray_{engine}_{actors}x{threads}"], engine, f"{actors} x {threads}")
    cpp = None if rows[0].failed else rows[0].images_per_s
    for row in rows:
        if row.failed:
            continue
        row.vs_cpp = row.images_per_s / cpp if cpp else None
        if row.engine.startswith("etvision (Python)"):
            peer = next((r for r in rows if r.key == row.key and r.engine.startswith("ONNX") and not r.failed), None)
            row.etvision_vs_ort = row.images_per_s / peer.images_per_s if peer else None
    return rows


def numerics(results: dict[str, dict[str, Any]], onnx_meta: dict[str, Any]) -> list[str]:
    """Top-1 agreement: ORT (PIL preprocessing) vs etvision, and each Ray job
    against its engine's in-process answer."""
    etv, ort = results["python_batch"].get("top1"), results["ort_batch"].get("top1")
    if not etv or not ort:
        return ["- top-1 agreement not available (an in-process configuration failed)"]
    differ = [f"{name}: etvision {etv[name]['label']!r} ({etv[name]['probability']:.2f}) vs ORT "
              f"{ort[name]['label']!r} ({ort[name]['probability']:.2f})"
              for name in etv if etv[name]["index"] != ort[name]["index"]]
    lines = [f"- Top-1 agreement, ONNX Runtime (PIL bilinear stretch) vs etvision: "
             f"**{len(etv) - len(differ)}/{len(etv)}**" + (": differ on " + "; ".join(differ) if differ else "")]
    reference = onnx_meta.get("top1_with_etvision_preprocessing")
    if reference:
        same = sum(reference.get(name) == etv[name]["index"] for name in etv)
        why = (", so the differences above come from the resize (PIL's bilinear filters over the whole "
               "source footprint when downscaling; etvision's OpenCV-style bilinear samples 2x2 pixels), not "
               "from the model" if same == len(etv) and differ else "")
        lines.append(f"- Same ONNX model fed etvision's own preprocessing (python/etv_common.stretch_input, "
                     f"computed at export time): {same}/{len(etv)}{why}.")
    for name, result in results.items():
        if not name.startswith("ray_") or "passes" not in result:
            continue
        expected = etv if result["engine"] == "etvision" else ort
        bad = sorted({photo for run in result["passes"] for photo, found in run["top1"].items()
                      if found != [expected[photo]["index"]]})
        errors = sum(run["errors"] for run in result["passes"])
        lines.append(f"- {name}: every row's top-1 equals the in-process answer: "
                     f"{'yes' if not bad else 'no (' + ', '.join(bad) + ')'}; rows with an error: {errors}")
    return lines


def notes(args: argparse.Namespace, results: dict[str, dict[str, Any]]) -> list[str]:
    inits = {name: r["ray_init_s"] for name, r in results.items() if "ray_init_s" in r}
    first_blocks = {name: r["passes"][0]["first_block_s"] for name, r in results.items() if "passes" in r}
    cpp = results["cpp_batch"]
    return [
        "- images/s is wall-clock throughput. **vs C++ batch** divides by the first row; **etvision / ORT** "
        "divides an etvision row by the ONNX Runtime row measured the same way (above 1: etvision faster).",
        "- C++ row: `etvision_micro_benchmarks --benchmark_filter='BM_ClassifyPhotos_Batch'` "
        f"({cpp.get('env', '')}): one iteration = `classifyBatch` over the photos (paths; read + decode of the "
        "next photo overlaps the current inference), model loaded before timing.",
        f"- In-process Python rows: one pass = one call over the {len(list_photos(args.photos))} photo paths "
        "(`classify_batch(paths, max_results=5)`; ORT: read, PIL decode, RGB, 224x224 bilinear stretch, "
        "mean/std, `InferenceSession.run` at batch 1, softmax, top-5, one photo after another), "
        f"{args.cpus} threads (etvision.set_thread_count / ORT intra_op_num_threads; inter_op 1).",
        "- Ray rows: `ray.data.read_binary_files(paths, include_paths=True, num_cpus=0, concurrency=1)` then "
        "`etvision.ray.classify(..., concurrency=A, threads_per_actor=T, max_results=5)` or `map_batches` of an "
        "ORT callable class (`ActorPoolStrategy(size=A)`, `num_cpus=T`, same batch size and output columns); "
        "a job's wall time runs from building the dataset until the driver has received every row "
        "(`iter_batches`, the same work as `take_all()`). Ray Data cannot reuse actors across datasets, so "
        "every job starts its actor pool and loads the model: job 1 also starts Ray's worker processes on the "
        "fresh cluster; the warm jobs run later on the same cluster. The steady-state row is "
        "(N2 - N1) / (median wall of the N2-image jobs - median wall of the N1-image jobs) over the warm jobs: "
        "the per-job start-up, model load and pipeline ramp cancel out. (Output-block arrival times do not "
        "give a steady rate: the blocks reach the driver in bursts; they are in the JSON.)",
        "- Reads use `num_cpus=0`: A x T = all cluster CPUs, and reads that need a CPU would never run "
        "(ray-project/ray#44687). Each job runs under a watchdog "
        f"({args.ray_timeout:.0f} s) so a stall is reported as a failure.",
        "- Excluded from every row: `ray.init` " + ", ".join(
            f"{n.removeprefix('ray_')} {s:.1f} s" for n, s in inits.items())
        + "; time to the first output block in job 1: " + ", ".join(
            f"{n.removeprefix('ray_')} {s:.1f} s" for n, s in first_blocks.items()) + ".",
    ]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.worker:
        worker_main(args.worker, args.result)
        return 0
    photos = list_photos(args.photos)
    onnx_meta_path = args.onnx.with_suffix(".json")
    onnx_meta = json.loads(onnx_meta_path.read_text()) if onnx_meta_path.is_file() else {}
    load_before = report.load_average()
    results = measure_all(args, photos)
    rows = build_rows(results, args.cpus)
    result = {
        "date": report.now_utc(),
        "machine": report.machine(),
        "isa_checked": list(report.VECTOR_FLAGS),
        "load_before": load_before,
        "load_after": report.load_average(),
        "versions": report.versions(),
        "onnx": {**onnx_meta, "path": str(args.onnx)},
        "settings": {"argv": sys.argv[1:] if argv is None else argv, "quick": args.quick, "passes": args.passes,
                     "warmup_passes": measure.WARMUP_PASSES, "ray_passes": args.ray_passes,
                     "repeat": args.repeat, "photos": len(photos), "ray_images": len(photos) * args.repeat,
                     "cpus": args.cpus, "batch_size": measure.BATCH_SIZE, "ray_timeout_s": args.ray_timeout},
        "rows": [report.row_dict(r) for r in rows],
        "numerics": numerics(results, onnx_meta),
        "notes": notes(args, results),
        "failures": [f"{name}: {r['error']}" for name, r in results.items() if "error" in r],
        "raw": results,
    }
    md, js = report.write(result, args.out, STEM)
    print(report.markdown(result))
    print(f"wrote {md} and {js}")
    return 1 if result["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
