"""Shared fixtures for the etvision Python tests.

The tests run against the *installed* package (scripts/test_python.sh installs
it into a fresh virtual environment first), never against the source tree.
The C++ reference is the CLI of the same repository (build/tools/etvision),
built by scripts/build.sh.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import etvision

REPO = Path(__file__).resolve().parents[3]
PHOTOS_DIR = REPO / "data" / "photos"
PHOTOS = sorted(p for p in PHOTOS_DIR.iterdir() if p.suffix.lower() in {".jpg", ".jpeg", ".png"})
CLI = Path(os.environ.get("ETVISION_BUILD_DIR", REPO / "build")) / "tools" / "etvision"


@pytest.fixture(scope="session")
def photos() -> list[Path]:
    assert len(PHOTOS) == 10, f"expected the 10 bundled photos in {PHOTOS_DIR}"
    return PHOTOS


@pytest.fixture(scope="session")
def classifier():
    module = etvision.ClassificationModule()
    module.load(etvision.MOBILENET_V2)
    yield module
    module.delete()


@pytest.fixture(scope="session")
def segmenter():
    module = etvision.ImageSegmentationModule()
    module.load(etvision.MEDIAPIPE_SELFIE)
    yield module
    module.delete()


def run_cli(*args: str) -> list[dict]:
    """The C++ library's answer, through the repository's CLI (--json lines)."""
    assert CLI.exists(), f"{CLI} missing: run scripts/build.sh first"
    done = subprocess.run([str(CLI), *args, "--json"], capture_output=True, text=True, check=True)
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


@pytest.fixture(scope="session")
def http_server():
    """The repository's loopback test server (tests/support/http_test_server.py)
    serving data/photos; yields its base URL."""
    server = subprocess.Popen(
        [sys.executable, str(REPO / "tests" / "support" / "http_test_server.py"),
         "--exit-on-stdin-eof", str(PHOTOS_DIR)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        port = int(server.stdout.readline())
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stdin.close()
        server.wait(timeout=10)
