"""The installed package stands on its own: libraries found through
$ORIGIN-relative RUNPATHs, bundled models from inside the package, typed
stubs shipped, nothing read from the source or build tree."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import etvision
from conftest import REPO

PACKAGE = Path(etvision.__file__).resolve().parent


def runpath(library: Path) -> list[str]:
    dynamic = subprocess.run(["readelf", "-d", str(library)], capture_output=True, text=True,
                             check=True).stdout
    found = re.findall(r"\((?:RUNPATH|RPATH)\)\s+Library r(?:un)?path: \[(.*)\]", dynamic)
    return [entry for paths in found for entry in paths.split(":")]


def test_imported_from_an_install_not_the_source_tree():
    assert REPO / "bindings" not in PACKAGE.parents, PACKAGE
    assert "site-packages" in PACKAGE.parts


def test_no_build_paths_in_any_runpath():
    libraries = sorted(PACKAGE.rglob("*.so"))
    names = {library.name for library in libraries}
    assert {"libetvision.so", "libexecutorch.so", "libexecutorch_backend_xnnpack.so"} <= names
    assert any(name.startswith("_native.") for name in names)
    for library in libraries:
        entries = runpath(library)
        assert entries, f"{library.name} has no RUNPATH"
        for entry in entries:
            assert entry.startswith("$ORIGIN"), f"{library.name}: RUNPATH entry {entry!r}"


def test_bundled_models_come_from_the_package(photos):
    assert "ETVISION_MODEL_DIR" not in os.environ
    models = PACKAGE / "share" / "etvision" / "models"
    assert (models / "mobilenet_v2" / "mobilenet_v2_xnnpack_fp32.pte").is_file()
    assert (models / "mobilenet_v2" / "PROVENANCE.md").is_file()
    # The wheel is built without the compiled-in source-tree fallback, so a
    # successful load proves the package's own copy was used. Check it in a
    # child process whose working directory is not the repository.
    code = ("import etvision; m = etvision.ClassificationModule(); m.load(etvision.MOBILENET_V2); "
            "print(m.info.name)")
    done = subprocess.run([sys.executable, "-c", code], cwd="/", capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.strip() == "mobilenet_v2", done.stderr


def test_typed_stubs_are_shipped():
    stub = (PACKAGE / "_native.pyi").read_text()
    assert (PACKAGE / "py.typed").is_file()
    for name in ["class ClassificationModule", "class ImageSegmentationModule", "def classify_batch",
                 "def segment(", "class DeeplabLabel", "class ErrorCode", "def set_thread_count"]:
        assert name in stub, name
    assert "numpy.typing.NDArray[numpy.float32]" in stub
    assert "The seed API" in stub  # docstrings travel with the signatures


def test_runtime_facts():
    assert etvision.executorch_version().startswith("1.5.1")
    assert etvision.vector_isa() in {"AVX-512 with VNNI", "AVX-512", "AVX2 with VNNI", "AVX2",
                                     "SSE4.1", "baseline", "not x86"}


def test_version_is_the_projects():
    cmake = (REPO / "CMakeLists.txt").read_text()
    assert f"project(etvision VERSION {etvision.__version__}" in cmake
    from importlib.metadata import version

    assert version("etvision") == etvision.__version__
