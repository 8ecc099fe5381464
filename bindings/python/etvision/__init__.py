"""etvision: react-native-executorch's image classification and semantic
segmentation on Linux, on the ExecuTorch runtime with XNNPACK.

    import etvision
    clf = etvision.ClassificationModule()
    clf.load(etvision.MOBILENET_V2)
    probs = clf.forward("photo.jpg")          # {label: probability}, every label
    top = clf.classify("photo.jpg", max_results=5).categories

    seg = etvision.ImageSegmentationModule()
    seg.load(etvision.MEDIAPIPE_SELFIE)
    out = seg.forward("photo.jpg", ["PERSON"], resize=True)
    out["ARGMAX"], out["PERSON"]              # numpy (H, W) int32 / float32

An image is a str (path, file:// or http(s) URL, data URI, raw base64), encoded
bytes, a numpy uint8 array (H, W, 3) RGB / (H, W, 4) RGBA / (H, W) grey, or a
PIL image. Errors are EtvisionError with the reference's numeric codes. Batch
inference on a Ray cluster: etvision.ray.
"""

from ._errors import EtvisionError
from ._native import *  # noqa: F403
from ._native import (
    CLASSIFICATION_MODELS,
    SEGMENTATION_MODELS,
    BatchItem,
    Category,
    Classification,
    ClassificationModule,
    ClassifierInfo,
    DeeplabLabel,
    ErrorCode,
    ImageSegmentationModule,
    ModelDescriptor,
    Normalization,
    Segmentation,
    SegmenterInfo,
    executorch_version,
    model,
    set_thread_count,
    thread_count,
    vector_isa,
    version,
)

__version__ = version()

__all__ = [
    "BatchItem",
    "CLASSIFICATION_MODELS",
    "Category",
    "Classification",
    "ClassificationModule",
    "ClassifierInfo",
    "DeeplabLabel",
    "ErrorCode",
    "EtvisionError",
    "ImageSegmentationModule",
    "ModelDescriptor",
    "Normalization",
    "SEGMENTATION_MODELS",
    "Segmentation",
    "SegmenterInfo",
    "executorch_version",
    "model",
    "set_thread_count",
    "thread_count",
    "vector_isa",
    "version",
] + [m.name.upper() for m in CLASSIFICATION_MODELS + SEGMENTATION_MODELS]
