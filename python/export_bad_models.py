#!/usr/bin/env python3
"""Write small, valid .pte programs that are NOT valid image classifiers for
etvision, for the C++ error-path tests.  Each one is wrong in exactly one way
(everything else looks like a [1, 3, H, W] float32 -> [1, 1000] classifier):

  bad_input_rank3.pte     input  [1, 3, 224] float32            (rank 3, not 4)
  bad_input_uint8.pte     input  [1, 3, 32, 32] uint8           (wrong dtype)
  bad_input_int64.pte     input  [1, 3, 32, 32] int64           (wrong dtype)
  bad_output_10.pte       output [1, 10]                        (not 1000 classes)
  bad_two_inputs.pte      two [1, 3, 32, 32] float32 inputs
  bad_metadata_int.pte    a valid classifier whose etvision metadata is an int
  bad_metadata_json.pte   ... whose metadata is not JSON
  bad_metadata_v99.pte    ... whose metadata has a future version

It also writes bad_models.json: for every file, the defect and the input /
output shapes and dtypes as read back from the .pte by the ExecuTorch runtime,
plus any ops left outside the XNNPACK delegate (those need the portable
kernels in the C++ runtime if a test executes the program).

  python/export_bad_models.py --out-dir fixtures
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch
from torch import nn

import etv_common as C


class _Trunk(nn.Module):
    """Conv -> ReLU -> global average pool -> Linear(num_classes); ~10-20 k params."""

    def __init__(self, num_classes: int = 1000, cin: int = 3):
        super().__init__()
        self.conv = nn.Conv2d(cin, 8, 3, 2, 1)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(8, num_classes)

    def forward(self, x):
        return self.fc(self.pool(torch.relu(self.conv(x))).flatten(1))


class Rank3Input(nn.Module):
    """[1, 3, 224] (a 1-D signal) -> [1, 1000]."""

    def __init__(self):
        super().__init__()
        # A full-length kernel instead of conv + mean: XNNPACK's partitioner
        # leaves a mean over one dim of a 3-D tensor outside the delegate.
        self.conv = nn.Conv1d(3, 8, 224)
        self.fc = nn.Linear(8, 1000)

    def forward(self, x):
        return self.fc(torch.relu(self.conv(x)).flatten(1))


class IntegerInput(nn.Module):
    """Integer pixels [1, 3, 32, 32] -> [1, 1000] (casts to float inside)."""

    def __init__(self):
        super().__init__()
        self.trunk = _Trunk()

    def forward(self, x):
        return self.trunk(x.to(torch.float32) / 255.0)


class TwoInputs(nn.Module):
    """Two [1, 3, 32, 32] float32 images -> [1, 1000]."""

    def __init__(self):
        super().__init__()
        self.trunk = _Trunk()

    def forward(self, x, y):
        return self.trunk(x + y)


def bad_models():
    """(file name, defect, module factory, example inputs[, metadata value])."""
    img = torch.rand(1, 3, 32, 32, generator=torch.Generator().manual_seed(0))
    pixels = (img * 255).round()
    return [
        ("bad_input_rank3.pte", "input rank 3 ([1, 3, 224]) instead of [1, 3, H, W]",
         Rank3Input, (torch.rand(1, 3, 224),)),
        ("bad_input_uint8.pte", "input dtype uint8 instead of float32",
         IntegerInput, (pixels.to(torch.uint8),)),
        ("bad_input_int64.pte", "input dtype int64 instead of float32",
         IntegerInput, (pixels.to(torch.int64),)),
        ("bad_output_10.pte", "10 output classes instead of 1000",
         lambda: _Trunk(num_classes=10), (img,)),
        ("bad_two_inputs.pte", "two inputs instead of one",
         TwoInputs, (img, img.flip(-1))),
        ("bad_metadata_int.pte", "etvision metadata that is an int, not a JSON string",
         _Trunk, (img,), 7),
        ("bad_metadata_json.pte", "etvision metadata that is not JSON",
         _Trunk, (img,), "{not json"),
        ("bad_metadata_v99.pte", "etvision metadata of a future version (99)",
         _Trunk, (img,), C.model_metadata("classification", "v99", True, "imagenet1k").replace(
             f'"etvision_model_metadata":{C.METADATA_VERSION}', '"etvision_model_metadata":99')),
    ]


def export_bad_models(out_dir: Path) -> dict:
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest = {}
    for name, defect, factory, example, *metadata in bad_models():
        timer = C.Timer()
        torch.manual_seed(0)
        model = factory().eval()
        pte, delegation = C.export_xnnpack(model, example, metadata[0] if metadata else None)
        path = out_dir / name
        C.write_bytes_atomic(path, pte)

        # Prove the program is valid: it loads, runs, and matches eager.
        with torch.no_grad():
            eager = model(*example)
        got = C.load_pte(path)(list(example))[0]
        diff = (got - eager).abs().max().item()
        if diff > 1e-4:
            raise SystemExit(f"{name}: ExecuTorch output differs from eager by {diff}")
        manifest[name] = {"defect": defect, "bytes": len(pte), **C.pte_io_meta(path),
                          "non_delegated_ops": delegation["non_delegated_ops"],
                          "max_abs_diff_executorch_python_vs_eager": diff}
        C.log(f"[{name}] {len(pte)} bytes in {timer():.1f}s; {defect}; io {C.pte_io_meta(path)}; "
              f"outside delegate: {delegation['non_delegated_ops'] or 'none'}")
    C.write_json(out_dir / "bad_models.json", manifest)
    return manifest


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out-dir", type=Path, required=True)
    args = p.parse_args(argv)
    export_bad_models(args.out_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
