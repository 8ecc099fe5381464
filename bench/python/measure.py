"""One measurement per call; throughput.py runs each in its own process so
thread-count settings and Ray clusters never leak into the next one.

Every function returns a JSON-able dict with at least ``images`` (timed
images), ``wall_s`` (their wall time) and ``images_per_s``.
"""

from __future__ import annotations

import json
import logging
import os
import statistics
import subprocess
import threading
import time
from pathlib import Path
from typing import Any, Callable

CPP_FILTER = "^BM_ClassifyPhotos_Batch(/|$)"  # registered as BM_ClassifyPhotos_Batch/real_time
WARMUP_PASSES = 2
BATCH_SIZE = 16  # rows per map_batches call, both engines (etvision.ray's default)


def _rate_summary(images_per_pass: int, seconds: list[float]) -> dict[str, Any]:
    """Median of the per-pass rates: robust to the odd pass a busy machine slows."""
    rates = [images_per_pass / s for s in seconds]
    return {
        "images": images_per_pass * len(seconds),
        "wall_s": sum(seconds),
        "images_per_s": statistics.median(rates),
        "pass_images_per_s": rates,
    }


# --------------------------------------------------------------------------
# 1. C++: Google Benchmark's BM_ClassifyPhotos_Batch (classifyBatch, 10 photos)
# --------------------------------------------------------------------------


def cpp_batch(binary: Path, threads: int, repetitions: int, min_time_s: float) -> dict[str, Any]:
    """Each repetition times classifyBatch over data/photos for ``min_time_s``;
    items_per_second is images/s on wall time (the benchmark uses real time).
    The model is loaded (a function-local static) before the timed run."""
    env = dict(os.environ, ETVISION_NUM_THREADS=str(threads))
    command = [str(binary), f"--benchmark_filter={CPP_FILTER}", "--benchmark_format=json",
               f"--benchmark_repetitions={repetitions}",
               # Debian 12's libbenchmark 1.7.1 takes a plain number of seconds.
               f"--benchmark_min_time={min_time_s}"]
    done = subprocess.run(command, env=env, check=True, capture_output=True, text=True, timeout=600)
    report = json.loads(done.stdout)
    runs = [b for b in report["benchmarks"] if b.get("run_type") == "iteration"]
    if not runs:
        raise RuntimeError(f"no iteration rows from {' '.join(command)}")
    to_s = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}
    wall = sum(b["iterations"] * b["real_time"] * to_s[b["time_unit"]] for b in runs)
    images_per_iteration = round(runs[0]["items_per_second"] * runs[0]["real_time"] * to_s[runs[0]["time_unit"]])
    rates = [b["items_per_second"] for b in runs]
    return {
        "images": sum(b["iterations"] for b in runs) * images_per_iteration,
        "images_per_pass": images_per_iteration,
        "wall_s": wall,
        "images_per_s": statistics.median(rates),
        "pass_images_per_s": rates,
        "threads": threads,
        "command": " ".join(command),
        "env": f"ETVISION_NUM_THREADS={threads}",
        "benchmark_context": report.get("context", {}),
    }


# --------------------------------------------------------------------------
# 2. etvision Python: ClassificationModule.classify_batch over the photo paths
# --------------------------------------------------------------------------


def python_batch(photos: list[Path], threads: int, passes: int) -> dict[str, Any]:
    import etvision

    etvision.set_thread_count(threads)
    module = etvision.ClassificationModule()
    started = time.perf_counter()
    module.load(etvision.MOBILENET_V2)
    load_s = time.perf_counter() - started
    paths = [str(p) for p in photos]
    for _ in range(WARMUP_PASSES):
        items = module.classify_batch(paths, max_results=5)
    seconds = []
    for _ in range(passes):
        started = time.perf_counter()
        items = module.classify_batch(paths, max_results=5)
        seconds.append(time.perf_counter() - started)
    failed = [f"{p.name}: {item.error}" for p, item in zip(photos, items) if not item.ok]
    if failed:
        raise RuntimeError("etvision failed on " + "; ".join(failed))
    top1 = {p.name: {"index": item.result.categories[0].index, "label": item.result.categories[0].label,
                     "probability": item.result.categories[0].probability}
            for p, item in zip(photos, items)}
    return {**_rate_summary(len(photos), seconds), "threads": etvision.thread_count(), "load_s": load_s,
            "top1": top1}


# --------------------------------------------------------------------------
# 3. ONNX Runtime in-process: read, PIL decode, preprocess, run, top-5
# --------------------------------------------------------------------------


def ort_batch(photos: list[Path], onnx_model: Path, threads: int, passes: int) -> dict[str, Any]:
    from ort_classifier import OrtClassifier

    started = time.perf_counter()
    classifier = OrtClassifier(str(onnx_model), threads, max_results=5)
    load_s = time.perf_counter() - started

    def one_pass() -> list[tuple[Any, Any]]:
        # Reading the file is inside the pass, as classify_batch reads its paths.
        return [classifier.classify(p.read_bytes()) for p in photos]

    for _ in range(WARMUP_PASSES):
        results = one_pass()
    seconds = []
    for _ in range(passes):
        started = time.perf_counter()
        results = one_pass()
        seconds.append(time.perf_counter() - started)
    top1 = {p.name: {"index": int(indices[0]), "label": classifier.labels[int(indices[0])],
                     "probability": float(probabilities[0])}
            for p, (indices, probabilities) in zip(photos, results)}
    return {**_rate_summary(len(photos), seconds), "threads": threads, "load_s": load_s, "top1": top1}


# --------------------------------------------------------------------------
# 4. Ray Data: etvision.ray.classify vs an ORT callable class, same pipeline
# --------------------------------------------------------------------------


class WatchdogTimeout(RuntimeError):
    pass


def run_with_watchdog(fn: Callable[[], Any], timeout_s: float, what: str) -> Any:
    """Runs ``fn`` on a daemon thread; a Ray Data job that stalls (e.g. reads
    starved of CPUs, ray-project/ray#44687) becomes an error, not a hang."""
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = fn()
        except BaseException as error:  # re-raised on the caller's thread
            outcome["error"] = error

    thread = threading.Thread(target=target, name=f"watchdog:{what}", daemon=True)
    thread.start()
    thread.join(timeout_s)
    if thread.is_alive():
        raise WatchdogTimeout(f"{what} did not finish within {timeout_s:.0f} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def _build_pipeline(ray: Any, engine: str, paths: list[str], actors: int, threads: int,
                    onnx_model: Path | None) -> Any:
    # num_cpus=0: the actor pools reserve every CPU of the cluster, so reads
    # that need a CPU would never be scheduled (ray-project/ray#44687).
    # concurrency=1: zero-CPU read tasks are otherwise not limited at all, and
    # Ray starts a worker process per read task; on 2 cores that swarm took
    # 39 s for 200 photos instead of 3.5 s (measured, docs/scale-out.md).
    ds = ray.data.read_binary_files(paths, include_paths=True, num_cpus=0, concurrency=1)
    if engine == "etvision":
        import etvision.ray

        return etvision.ray.classify(ds, model="mobilenet_v2", image_column="bytes", concurrency=actors,
                                     threads_per_actor=threads, max_results=5, batch_size=BATCH_SIZE)
    from ort_classifier import OrtBatchClassifier

    return ds.map_batches(
        OrtBatchClassifier,
        fn_constructor_kwargs={"model_path": str(onnx_model), "threads": threads, "max_results": 5,
                               "image_column": "bytes"},
        compute=ray.data.ActorPoolStrategy(size=actors),
        num_cpus=threads,
        batch_size=BATCH_SIZE,
        batch_format="numpy",
    )


def _ray_pass(ray: Any, engine: str, paths: list[str], actors: int, threads: int,
              onnx_model: Path | None) -> dict[str, Any]:
    """One job, from dataset creation until the driver holds every result row
    (iter_batches: the same work as take_all(), without building per-row
    dicts; it also gives the arrival time of each output block)."""
    started = time.perf_counter()
    pipeline = _build_pipeline(ray, engine, paths, actors, threads, onnx_model)
    arrivals: list[tuple[float, int]] = []
    top1: dict[str, set[int]] = {}
    rows = errors = 0
    for batch in pipeline.iter_batches(batch_size=None, batch_format="numpy"):
        rows += len(batch["index"])
        arrivals.append((round(time.perf_counter() - started, 3), rows))
        errors += sum(1 for e in batch.get("error", ()) if e)
        for path, index in zip(batch["path"], batch["index"]):
            top1.setdefault(Path(str(path)).name, set()).add(int(index))
    wall = time.perf_counter() - started
    if rows != len(paths):
        raise RuntimeError(f"{engine}: {rows} result rows for {len(paths)} images")
    return {"images": rows, "wall_s": wall, "images_per_s": rows / wall, "first_block_s": arrivals[0][0],
            "arrivals": arrivals, "errors": errors, "top1": {name: sorted(v) for name, v in top1.items()}}


def ray_job(engine: str, photos: list[Path], repeat: int, cpus: int, actors: int, threads: int, pairs: int,
            timeout_s: float, onnx_model: Path | None) -> dict[str, Any]:
    """Jobs on one local cluster: job 1 of ``repeat`` x the photos (cold:
    also pays Ray's worker processes' start and imports), then ``pairs``
    pairs of jobs of ``repeat`` and 2 x ``repeat`` rounds (warm). Ray Data
    cannot reuse actors across datasets, so every job includes actor start-up
    and model load; the difference between the two job sizes cancels those
    fixed costs and leaves the marginal (steady-state) rate. Output-block
    arrival times cannot give that rate: blocks reach the driver in bursts."""
    import ray

    started = time.perf_counter()
    ray.init(num_cpus=cpus, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    init_s = time.perf_counter() - started
    ray.data.DataContext.get_current().enable_progress_bars = False
    # Ray Data logs each execution at INFO on its own logger; keep the worker log short.
    logging.getLogger("ray.data").setLevel(logging.WARNING)
    # Pairs alternate their order so slow drift of the machine hits both sizes.
    rounds = [repeat] + [r for i in range(pairs) for r in ((repeat, 2 * repeat) if i % 2 == 0
                                                           else (2 * repeat, repeat))]
    runs = []
    for index, count in enumerate(rounds):
        paths = [str(p) for p in photos] * count
        what = f"{engine} Ray job {index + 1} ({actors} actors x {threads} threads, {len(paths)} images)"
        # On a timeout the stuck job still holds the cluster and ray.shutdown()
        # could block too: the error propagates, and throughput.py's worker
        # exits without waiting for it.
        run = run_with_watchdog(lambda: _ray_pass(ray, engine, paths, actors, threads, onnx_model),
                                timeout_s, what)
        runs.append({"job": index + 1, "warm": index > 0, **run})
    ray.shutdown()
    return {"engine": engine, "actors": actors, "threads": threads, "cluster_cpus": cpus,
            "ray_init_s": init_s, "passes": runs, **marginal_rate(runs[1:])}


def marginal_rate(warm: list[dict[str, Any]]) -> dict[str, Any]:
    """Images/s of the extra images in the larger warm jobs: (N2 - N1) /
    (median T(N2) - median T(N1)); start-up, model load and the pipeline's
    ramp-up and drain cancel out."""
    sizes = sorted({r["images"] for r in warm})
    if len(sizes) != 2:
        return {}
    small, large = ([r["wall_s"] for r in warm if r["images"] == n] for n in sizes)
    extra_s = statistics.median(large) - statistics.median(small)
    extra_images = sizes[1] - sizes[0]
    out: dict[str, Any] = {"marginal_images": extra_images, "marginal_s": extra_s}
    if extra_s > 0:
        out["marginal_images_per_s"] = extra_images / extra_s
    return out
