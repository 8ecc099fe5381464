"""Read a TensorFlow Lite flatbuffer into plain Python objects.

Uses the generated flatbuffer accessors of the PyPI ``tflite`` package (pure
Python, schema classes only, no TensorFlow).  Only what the selfie
segmentation model needs is modelled: one subgraph, float32 tensors with
constant buffers, builtin ops with their options table, custom ops with their
raw option bytes.
"""

from __future__ import annotations

import hashlib
import importlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import tflite
from tflite.BuiltinOptions import BuiltinOptions
from tflite.TensorType import TensorType
from tflite.utils import BUILTIN_OPCODE2NAME

_NP_DTYPES = {
    TensorType.FLOAT32: np.float32,
    TensorType.FLOAT16: np.float16,
    TensorType.INT32: np.int32,
    TensorType.UINT8: np.uint8,
    TensorType.INT64: np.int64,
    TensorType.INT8: np.int8,
    TensorType.INT16: np.int16,
    TensorType.BOOL: np.bool_,
}
_TYPE_NAMES = {v: k for k, v in vars(TensorType).items() if not k.startswith("_")}
_OPTION_NAMES = {v: k for k, v in vars(BuiltinOptions).items() if not k.startswith("_")}
# Getters on every generated table class that are not option fields.
_NOT_FIELDS = ("GetRootAs", "Init")


@dataclass
class TfTensor:
    index: int
    name: str
    shape: tuple[int, ...]
    dtype: str
    data: np.ndarray | None  # constant value (weights), None for activations


@dataclass
class TfOp:
    index: int
    opcode: str  # builtin name, or the custom code for CUSTOM ops
    is_custom: bool
    inputs: list[int]
    outputs: list[int]
    options_type: str | None
    options: dict = field(default_factory=dict)
    custom_options: bytes = b""


@dataclass
class TfGraph:
    path: Path
    sha256: str
    version: int
    description: str
    tensors: list[TfTensor]
    ops: list[TfOp]
    inputs: list[int]
    outputs: list[int]

    def const(self, idx: int) -> np.ndarray:
        t = self.tensors[idx]
        if t.data is None:
            raise ValueError(f"tensor {idx} ({t.name}) is not a constant")
        return t.data


def _table_fields(obj) -> dict:
    """All scalar fields of a generated options table, by accessor name."""
    out = {}
    for name in dir(obj):
        if name.startswith("_") or name.startswith(_NOT_FIELDS):
            continue
        if name.endswith(("AsNumpy", "Length", "IsNone")) or "BufferHasIdentifier" in name:
            continue
        attr = getattr(obj, name)
        if not callable(attr):
            continue
        try:
            val = attr()
        except TypeError:  # vector accessors need an index
            vec = getattr(obj, name + "AsNumpy", None)
            if vec is not None:
                val = vec()
                val = val.tolist() if isinstance(val, np.ndarray) else []
            else:
                continue
        out[name] = val
    return out


def _options(op) -> tuple[str | None, dict]:
    otype = op.BuiltinOptionsType()
    if otype == BuiltinOptions.NONE:
        return None, {}
    name = _OPTION_NAMES[otype]
    table = op.BuiltinOptions()
    cls = getattr(importlib.import_module(f"tflite.{name}"), name)
    obj = cls()
    obj.Init(table.Bytes, table.Pos)
    return name, _table_fields(obj)


def load_tflite(path: str | Path) -> TfGraph:
    path = Path(path)
    buf = path.read_bytes()
    model = tflite.Model.GetRootAsModel(buf, 0)
    if model.SubgraphsLength() != 1:
        raise ValueError(f"expected 1 subgraph, got {model.SubgraphsLength()}")
    sg = model.Subgraphs(0)

    tensors = []
    for i in range(sg.TensorsLength()):
        t = sg.Tensors(i)
        shape = tuple(int(s) for s in t.ShapeAsNumpy()) if t.ShapeLength() else ()
        ttype = t.Type()
        data = None
        b = model.Buffers(t.Buffer())
        if b is not None and b.DataLength() > 0:
            raw = b.DataAsNumpy().tobytes()
            data = np.frombuffer(raw, dtype=_NP_DTYPES[ttype]).reshape(shape).copy()
        elif b is not None and b.Offset() > 1:  # large-model external buffer
            raw = buf[b.Offset(): b.Offset() + b.Size()]
            data = np.frombuffer(raw, dtype=_NP_DTYPES[ttype]).reshape(shape).copy()
        if t.Quantization() is not None and t.Quantization().ScaleLength() > 0:
            raise NotImplementedError(f"quantized tensor {t.Name()!r} not supported")
        tensors.append(
            TfTensor(i, t.Name().decode(), shape, _TYPE_NAMES.get(ttype, str(ttype)), data)
        )

    ops = []
    for i in range(sg.OperatorsLength()):
        op = sg.Operators(i)
        code = model.OperatorCodes(op.OpcodeIndex())
        builtin = max(code.BuiltinCode(), code.DeprecatedBuiltinCode())
        name = BUILTIN_OPCODE2NAME[builtin]
        is_custom = name == "CUSTOM"
        if is_custom:
            name = code.CustomCode().decode()
        otype, opts = _options(op)
        custom = op.CustomOptionsAsNumpy().tobytes() if op.CustomOptionsLength() else b""
        ops.append(
            TfOp(
                i,
                name,
                is_custom,
                [int(x) for x in op.InputsAsNumpy()] if op.InputsLength() else [],
                [int(x) for x in op.OutputsAsNumpy()] if op.OutputsLength() else [],
                otype,
                opts,
                custom,
            )
        )

    desc = model.Description()
    return TfGraph(
        path=path,
        sha256=hashlib.sha256(buf).hexdigest(),
        version=model.Version(),
        description=desc.decode() if desc else "",
        tensors=tensors,
        ops=ops,
        inputs=[int(x) for x in sg.InputsAsNumpy()],
        outputs=[int(x) for x in sg.OutputsAsNumpy()],
    )
