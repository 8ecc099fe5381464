"""The ONNX Runtime peer: PIL decode + NumPy preprocessing + an
InferenceSession, as a plain object (the in-process loop) and as a
``map_batches`` callable class (one session per Ray actor).

Imported by Ray worker processes, so it must stay torch-free and importable
from PYTHONPATH (throughput.py puts this folder on it).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort
from PIL import Image

INPUT_SIZE = 224
# ImageNet statistics, as etvision applies them for the bundled MobileNetV2.
_MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32).reshape(3, 1, 1)
_STD = np.array([0.229, 0.224, 0.225], dtype=np.float32).reshape(3, 1, 1)
LABELS_FILE = Path(__file__).resolve().parents[2] / "data" / "labels" / "imagenet1k_torchvision.txt"


def preprocess(encoded: bytes) -> np.ndarray:
    """Encoded image -> float32 [1, 3, 224, 224]: RGB, stretched (no crop, as
    etvision does) with PIL bilinear, [0, 1], ImageNet mean/std."""
    with Image.open(io.BytesIO(encoded)) as image:
        rgb = image.convert("RGB").resize((INPUT_SIZE, INPUT_SIZE), Image.BILINEAR)
    chw = np.asarray(rgb, dtype=np.float32).transpose(2, 0, 1) / 255.0
    return ((chw - _MEAN) / _STD)[np.newaxis]


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max())
    return shifted / shifted.sum()


def make_session(model_path: str, threads: int) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    # One graph, run one image at a time: inter-op parallelism has nothing to do.
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(model_path, options, providers=["CPUExecutionProvider"])


class OrtClassifier:
    """One session; classifies encoded images one at a time (batch 1, like
    etvision's per-image forward) and returns the top ``max_results``."""

    def __init__(self, model_path: str, threads: int, max_results: int = 5) -> None:
        self.session = make_session(model_path, threads)
        self.input_name = self.session.get_inputs()[0].name
        self.max_results = max_results
        self.labels = LABELS_FILE.read_text().splitlines()

    def classify(self, encoded: bytes) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (indices, probabilities), most probable first."""
        (logits,) = self.session.run(None, {self.input_name: preprocess(encoded)})
        probabilities = softmax(logits[0])
        top = np.argpartition(probabilities, -self.max_results)[-self.max_results :]
        top = top[np.argsort(probabilities[top])[::-1]]
        return top.astype(np.int32), probabilities[top].astype(np.float32)


class OrtBatchClassifier(OrtClassifier):
    """``map_batches`` callable (batch_format="numpy") with the columns
    etvision.ray.Classifier produces (index, label, probability, top_*),
    so both engines do comparable per-row output work."""

    def __init__(self, model_path: str, threads: int, max_results: int = 5,
                 image_column: str = "bytes") -> None:
        super().__init__(model_path, threads, max_results)
        self.image_column = image_column

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, Any]:
        out: dict[str, Any] = {k: v for k, v in batch.items() if k != self.image_column}
        results = [self.classify(encoded) for encoded in batch[self.image_column]]
        top_indices = np.stack([indices for indices, _ in results])
        top_probabilities = np.stack([probabilities for _, probabilities in results])
        top_labels = [[self.labels[i] for i in indices] for indices in top_indices]
        out["index"] = top_indices[:, 0]
        out["label"] = np.array([labels[0] for labels in top_labels], dtype=object)
        out["probability"] = top_probabilities[:, 0]
        out["top_indices"] = top_indices
        out["top_labels"] = np.array(top_labels, dtype=object)
        out["top_probabilities"] = top_probabilities
        return out
