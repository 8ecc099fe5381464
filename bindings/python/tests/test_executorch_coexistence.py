"""etvision and ExecuTorch's own Python runtime in one process, in both
import orders: both run the same bundled program and agree.

Needs the executorch wheel (with torch): scripts/test_python.sh runs this file
in the repository's .venv; the light test environment deselects it
(-m "not executorch").
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.executorch

SCRIPT = textwrap.dedent(
    """
    import sys
    import numpy as np
    order = sys.argv[1]
    if order == "executorch-first":
        import torch
        from executorch.extension.pybindings.portable_lib import _load_for_executorch
        import etvision
    else:
        import etvision
        import torch
        from executorch.extension.pybindings.portable_lib import _load_for_executorch

    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, size=(224, 224, 3), dtype=np.uint8)

    clf = etvision.ClassificationModule()
    clf.load(etvision.MOBILENET_V2)
    ours = clf.classify(pixels).logits.copy()

    path = etvision.model("mobilenet_v2").model_source
    import etvision._native as native, pathlib
    share = pathlib.Path(etvision.__file__).parent / "share" / "etvision" / "models"
    program = _load_for_executorch(str(share / path.split(":", 1)[1]))
    mean = np.array([0.485, 0.456, 0.406], np.float32)
    std = np.array([0.229, 0.224, 0.225], np.float32)
    x = ((pixels.astype(np.float32) / 255.0 - mean) / std).transpose(2, 0, 1)[None]
    theirs = program.forward([torch.from_numpy(np.ascontiguousarray(x))])[0].numpy().ravel()

    # And etvision still works after ExecuTorch's runtime ran.
    again = clf.classify(pixels).logits
    print(float(np.abs(ours - theirs).max()), float(np.abs(ours - again).max()),
          int(ours.argmax()), int(theirs.argmax()))
    """
)


@pytest.mark.parametrize("order", ["executorch-first", "etvision-first"])
def test_same_process_same_program_same_logits(order):
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, order], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    max_diff, drift, ours, theirs = done.stdout.split()
    assert ours == theirs
    assert float(max_diff) <= 1e-5, done.stdout
    assert float(drift) == 0.0
