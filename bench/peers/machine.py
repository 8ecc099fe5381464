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


# What bench/hide_avx512.cpp hides from a process that loads it.
HIDDEN_BY_AUDIT = ("avx512", "avx_vnni", "amx")


def audit_env(audit: Path | None) -> dict:
    """The environment entries that load the audit library `audit` into a
    child process (and, inherited, into its children)."""
    if audit is None:
        return {}
    inherited = os.environ.get("LD_AUDIT")
    return {"LD_AUDIT": f"{audit}:{inherited}" if inherited else str(audit)}


def fma_peak(fma_peak_binary: Path, audit: Path | None = None) -> dict:
    """bench/fma_peak.cpp's fp32 GFLOP/s on one thread and on all."""
    return json.loads(subprocess.run([str(fma_peak_binary), "--json"], check=True, capture_output=True,
                                     text=True, env={**os.environ, **audit_env(audit)}).stdout)


def describe(fma_peak_binary: Path, audit: Path | None = None) -> dict:
    """Machine description plus the measured FMA peak. With `audit` (bench/
    hide_avx512.cpp) the processes see an AVX2 CPU: the ISA recorded is the
    one they saw, beside the host's, and the FMA peak (which picks its kernel
    by CPUID like the engines do) proves that the hiding worked."""
    flags = U.vector_flags()
    peak = fma_peak(fma_peak_binary, audit)
    info = {"cpu": cpu_model(), "vector_isa": U.vector_isa(flags), "vector_flags": flags,
            "logical_cpus": len(os.sched_getaffinity(0)),
            "physical_cores": physical_cores(), "kernel": platform.release(), "fma_peak": peak}
    if audit is not None:
        if peak["kernel"].startswith("avx512"):
            raise RuntimeError(f"{audit} was loaded (LD_AUDIT) but bench/fma_peak.cpp still ran {peak['kernel']}")
        seen = [f for f in flags if not f.startswith(HIDDEN_BY_AUDIT)]
        info.update(vector_isa=f"{U.vector_isa(seen)} (host: {info['vector_isa']}; AVX-512 hidden from every "
                    f"measured process by CPUID faulting, bench/hide_avx512.cpp)",
                    vector_flags=seen, host_vector_flags=flags)
    return info
