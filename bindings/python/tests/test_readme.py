"""The README's Python examples run as written (from the repository root)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from conftest import REPO


def python_examples() -> list[str]:
    readme = (REPO / "README.md").read_text()
    section = readme.split("\n## Python\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)


def test_the_readme_has_python_examples():
    assert len(python_examples()) == 2


@pytest.mark.parametrize("index", [0, 1])
def test_readme_example_runs(index):
    code = python_examples()[index]
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    if index == 0:
        assert "espresso" in out and "pelican" in out and "FileReadFailed" in out
        assert "(1000,) float32" in out and "(512, 512) int32 float32" in out
        assert out.rstrip().endswith("102 ModuleNotLoaded")
    else:
        assert "wonnx_pelican.jpeg pelican" in out and len(out.splitlines()) >= 10
