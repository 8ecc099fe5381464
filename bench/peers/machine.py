"""What the benchmark ran on: CPU, physical cores, fp32 FMA peak."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from pathlib import Path

import etv_util as U


def physical_cores() -> int:
    """Distinct (package, core) pairs among the CPUs this process may use:
    ONNX Runtime's and PyTorch's default thread count."""
    cores = set()
    for cpu in os.sched_getaffinity(0):
        topology = Path(f"/sys/devices/system/cpu/cpu{cpu}/topology")
        try:
            cores.add(((topology / "physical_package_id").read_text().strip(),
                       (topology / "core_id").read_text().strip()))
        except OSError:
            cores.add(("0", str(cpu)))
    return max(1, len(cores))


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def fma_peak(fma_peak_binary: Path) -> dict:
    """bench/fma_peak.cpp's fp32 GFLOP/s on one thread and on all."""
    return json.loads(subprocess.run([str(fma_peak_binary), "--json"], check=True, capture_output=True,
                                     text=True).stdout)


def describe(fma_peak_binary: Path) -> dict:
    """Machine description plus the measured FMA peak."""
    flags = U.vector_flags()
    return {"cpu": cpu_model(), "vector_isa": U.vector_isa(flags), "vector_flags": flags,
            "logical_cpus": len(os.sched_getaffinity(0)),
            "physical_cores": physical_cores(), "kernel": platform.release(),
            "fma_peak": fma_peak(fma_peak_binary)}
