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


# The CPU classes bench/isa_mask.cpp can make a process see, and the
# /proc/cpuinfo flags each one lacks (prefixes).
ISA_MASK_CLASSES = ("avx2", "avx512-skx")
_LATER_THAN_SKX = ("avx512_vnni", "avx512vbmi", "avx512_vbmi2", "avx512ifma", "avx512_bitalg",
                   "avx512_vpopcntdq", "avx512_bf16", "avx512_fp16", "avx512_vp2intersect", "avx_vnni", "amx",
                   "gfni", "vaes", "vpclmulqdq")
_HIDDEN_FLAGS = {"avx2": ("avx512",) + _LATER_THAN_SKX, "avx512-skx": _LATER_THAN_SKX}
# What a process shown each class reports: bench/fma_peak.cpp's kernel and
# etvision::vectorIsa().
_SEEN = {"avx2": ("avx2_fma", "AVX2"), "avx512-skx": ("avx512f_fma", "AVX-512")}


def check_seen_isa(seen: str | None, isa_class: str | None) -> None:
    """Raises unless an etvision process (bench/forward_latency's
    "vector_isa") saw the class it was shown; None: not an etvision row."""
    if isa_class and seen is not None and seen != _SEEN[isa_class][1]:
        raise RuntimeError(f"the process saw {seen}, not {isa_class}: bench/isa_mask.cpp was not in effect")


def isa_mask_env(isa_mask: Path | None, isa_class: str | None) -> dict:
    """The environment entries that load bench/isa_mask.cpp into a child
    process (and, inherited, into its children) to show it `isa_class`."""
    if isa_mask is None:
        return {}
    inherited = os.environ.get("LD_AUDIT")
    return {"LD_AUDIT": f"{isa_mask}:{inherited}" if inherited else str(isa_mask),
            "ETVISION_ISA_MASK": isa_class}


def fma_peak(fma_peak_binary: Path, isa_mask: Path | None = None, isa_class: str | None = None) -> dict:
    """bench/fma_peak.cpp's fp32 GFLOP/s on one thread and on all."""
    return json.loads(subprocess.run([str(fma_peak_binary), "--json"], check=True, capture_output=True, text=True,
                                     env={**os.environ, **isa_mask_env(isa_mask, isa_class)}).stdout)


def describe(fma_peak_binary: Path, isa_mask: Path | None = None, isa_class: str | None = None) -> dict:
    """Machine description plus the measured FMA peak. With `isa_mask`
    (bench/isa_mask.cpp) the measured processes see the older `isa_class`:
    the ISA recorded is the one they saw, beside the host's, and the FMA
    peak (which picks its kernel by CPUID like the engines do) checks that
    the mask was in place."""
    flags = U.vector_flags()
    peak = fma_peak(fma_peak_binary, isa_mask, isa_class)
    info = {"cpu": cpu_model(), "vector_isa": U.vector_isa(flags), "vector_flags": flags,
            "logical_cpus": len(os.sched_getaffinity(0)),
            "physical_cores": physical_cores(), "kernel": platform.release(), "fma_peak": peak}
    if isa_mask is not None:
        if peak["kernel"] != _SEEN[isa_class][0]:
            raise RuntimeError(f"with {isa_mask} showing {isa_class}, bench/fma_peak.cpp ran {peak['kernel']}")
        seen = [f for f in flags if not f.startswith(_HIDDEN_FLAGS[isa_class])]
        info.update(vector_isa=f"{U.vector_isa(seen)} (host: {info['vector_isa']}; the newer features hidden "
                    f"from every measured process by CPUID faulting, bench/isa_mask.cpp {isa_class})",
                    vector_flags=seen, host_vector_flags=flags, isa_mask=isa_class)
    return info
