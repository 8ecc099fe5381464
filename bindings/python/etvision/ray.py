"""Batch inference with etvision on Ray Data.

Ray schedules, etvision infers: :class:`Classifier` and :class:`Segmenter` are
callable classes for ``Dataset.map_batches`` (one model per actor, loaded in
``__init__``), and :func:`classify` / :func:`segment` map a dataset with safe
defaults::

    import ray, etvision.ray
    ds = ray.data.read_binary_files("s3://bucket/photos/", include_paths=True)
    out = etvision.ray.classify(ds, model="efficientnet_v2_s", image_column="bytes")
    out.write_parquet("s3://bucket/labels/")

The image column may hold encoded bytes (``read_binary_files``), strings
(paths or URLs each worker can read) or decoded arrays (``read_images``). One
bad image is one row with a non-empty ``error``, never a failed job.

Threads: Ray's CPU reservations are logical, so each actor sets etvision's
inference thread count to the CPUs Ray assigned it. Reads: an actor pool that
reserves every CPU of the cluster leaves none for Ray Data's read tasks, and
the job stalls with its reads backpressured (ray-project/ray#44687); the
defaults keep ``reserve_cpus`` (1) free. See docs/scale-out.md.
"""

from __future__ import annotations

import logging
import math
from typing import Any

import numpy as np

import etvision

__all__ = ["Classifier", "Segmenter", "classify", "segment", "default_concurrency"]

_log = logging.getLogger(__name__)


def _assigned_cpus() -> int:
    """CPUs Ray assigned to this actor (at least 1); 0 outside Ray."""
    try:
        import ray

        if not ray.is_initialized():
            return 0
        cpus = ray.get_runtime_context().get_assigned_resources().get("CPU", 0.0)
    except Exception:  # not in a Ray worker
        return 0
    return max(1, int(math.floor(cpus))) if cpus else 0


def _error_text(error: etvision.EtvisionError | None) -> str:
    if error is None:
        return ""
    return f"{int(error.code)} {error.code_name}: {error}"


def _passthrough(batch: dict[str, np.ndarray], image_column: str) -> dict[str, Any]:
    if image_column not in batch:
        raise KeyError(
            f"the batch has no column {image_column!r} (columns: {sorted(batch)}); "
            "pass image_column= (read_binary_files names it 'bytes', read_images 'image')"
        )
    return {name: values for name, values in batch.items() if name != image_column}


class _Actor:
    def __init__(self, module: Any, model: Any, image_column: str, threads: int | None) -> None:
        count = threads if threads else _assigned_cpus()
        if count:
            etvision.set_thread_count(count)
        self.threads = etvision.thread_count()
        self.image_column = image_column
        self._module = module
        self._module.load(model)


class Classifier(_Actor):
    """``map_batches`` callable: classifies the image column of each batch.

    Output columns: ``index``, ``label``, ``probability`` (the top category;
    -1, "" and NaN for a failed image), ``top_indices`` / ``top_labels`` /
    ``top_probabilities`` (when ``max_results > 1``), ``error`` ("" when fine,
    else "<code> <CodeName>: <message>"), and every input column but the image
    column.
    """

    def __init__(
        self,
        model: etvision.ModelDescriptor | str = "efficientnet_v2_s",
        *,
        image_column: str = "image",
        max_results: int = 1,
        threads: int | None = None,
        fast_decode: bool = False,
    ) -> None:
        if max_results < 1:
            raise ValueError("max_results must be at least 1")
        super().__init__(etvision.ClassificationModule(), model, image_column, threads)
        self.max_results = max_results
        self.fast_decode = fast_decode

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, Any]:
        out = _passthrough(batch, self.image_column)
        items = self._module.classify_batch(
            batch[self.image_column], max_results=self.max_results, fast_decode=self.fast_decode
        )
        k = self.max_results
        n = len(items)
        top_indices = np.full((n, k), -1, dtype=np.int32)
        top_probabilities = np.full((n, k), np.nan, dtype=np.float32)
        top_labels: list[list[str]] = [[""] * k for _ in range(n)]
        for row, item in enumerate(items):
            if not item.ok:
                continue
            for j, category in enumerate(item.result.categories[:k]):
                top_indices[row, j] = category.index
                top_labels[row][j] = category.label
                top_probabilities[row, j] = category.probability
        # The top category is the first of the top k.
        out["index"] = top_indices[:, 0].copy()
        out["label"] = np.array([labels[0] for labels in top_labels], dtype=object)
        out["probability"] = top_probabilities[:, 0].copy()
        if k > 1:
            out["top_indices"] = top_indices
            out["top_labels"] = np.array(top_labels, dtype=object)
            out["top_probabilities"] = top_probabilities
        out["error"] = np.array([_error_text(item.error) for item in items], dtype=object)
        return out


class Segmenter(_Actor):
    """``map_batches`` callable: segments the image column of each batch.

    Output columns: ``mask`` (uint8 class index per pixel, at the model's
    output size, or the image's with ``resize``), ``width``, ``height``,
    ``labels`` / ``shares`` (the classes present, largest share first),
    ``error``, and every input column but the image column. A failed image
    has an empty (0, 0) mask.
    """

    def __init__(
        self,
        model: etvision.ModelDescriptor | str = "deeplab_v3_resnet50",
        *,
        image_column: str = "image",
        resize: bool = False,
        threads: int | None = None,
        fast_decode: bool = False,
    ) -> None:
        super().__init__(etvision.ImageSegmentationModule(), model, image_column, threads)
        self.resize = resize
        self.fast_decode = fast_decode

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, Any]:
        out = _passthrough(batch, self.image_column)
        items = self._module.segment_batch(
            batch[self.image_column], resize=self.resize, fast_decode=self.fast_decode
        )
        masks, widths, heights, labels, shares = [], [], [], [], []
        for item in items:
            if not item.ok:
                masks.append(np.zeros((0, 0), dtype=np.uint8))
                widths.append(0)
                heights.append(0)
                labels.append([])
                shares.append([])
                continue
            result = item.result
            present = sorted(
                ((share, name) for name, share in result.class_shares().items() if share > 0),
                reverse=True,
            )
            masks.append(result.category_mask())
            widths.append(result.width)
            heights.append(result.height)
            labels.append([name for _, name in present])
            shares.append([float(share) for share, _ in present])
        out["mask"] = masks
        out["width"] = np.array(widths, dtype=np.int32)
        out["height"] = np.array(heights, dtype=np.int32)
        out["labels"] = labels
        out["shares"] = shares
        out["error"] = np.array([_error_text(item.error) for item in items], dtype=object)
        return out


def default_concurrency(threads_per_actor: int = 1, reserve_cpus: float = 1.0) -> int:
    """Actors that fit in the connected cluster's CPUs, less ``reserve_cpus``
    left to Ray Data's read tasks (at least one actor)."""
    import ray

    total = float(ray.cluster_resources().get("CPU", 1.0))
    return max(1, int((total - reserve_cpus) // max(1, threads_per_actor)))


def _map(
    ds: Any,
    actor: type,
    constructor: dict[str, Any],
    concurrency: int | None,
    threads_per_actor: int | None,
    batch_size: int,
    reserve_cpus: float,
    map_batches_args: dict[str, Any],
) -> Any:
    import ray

    threads = threads_per_actor or 1
    if concurrency is None:
        concurrency = default_concurrency(threads, reserve_cpus)
    else:
        total = float(ray.cluster_resources().get("CPU", 0.0))
        if concurrency * threads >= total:
            _log.warning(
                "etvision.ray: %d actors x %d CPUs reserve all %.0f CPUs of the cluster; "
                "Ray Data's read tasks may get none and the job can stall "
                "(ray-project/ray#44687). Leave a CPU free or give the reads num_cpus=0.",
                concurrency,
                threads,
                total,
            )
    constructor = dict(constructor, threads=threads)
    return ds.map_batches(
        actor,
        fn_constructor_kwargs=constructor,
        compute=ray.data.ActorPoolStrategy(size=concurrency),
        num_cpus=threads,
        batch_size=batch_size,
        batch_format="numpy",
        **map_batches_args,
    )


def classify(
    ds: Any,
    *,
    model: etvision.ModelDescriptor | str = "efficientnet_v2_s",
    image_column: str = "image",
    concurrency: int | None = None,
    max_results: int = 1,
    threads_per_actor: int | None = None,
    batch_size: int = 16,
    fast_decode: bool = False,
    reserve_cpus: float = 1.0,
    **map_batches_args: Any,
) -> Any:
    """``ds`` with :class:`Classifier`'s columns, on a fixed pool of
    ``concurrency`` actors (default: :func:`default_concurrency`), each
    reserving and using ``threads_per_actor`` CPUs (default 1)."""
    constructor = dict(
        model=model, image_column=image_column, max_results=max_results, fast_decode=fast_decode
    )
    return _map(
        ds, Classifier, constructor, concurrency, threads_per_actor, batch_size, reserve_cpus,
        map_batches_args,
    )


def segment(
    ds: Any,
    *,
    model: etvision.ModelDescriptor | str = "deeplab_v3_resnet50",
    image_column: str = "image",
    concurrency: int | None = None,
    resize: bool = False,
    threads_per_actor: int | None = None,
    batch_size: int = 8,
    fast_decode: bool = False,
    reserve_cpus: float = 1.0,
    **map_batches_args: Any,
) -> Any:
    """``ds`` with :class:`Segmenter`'s columns; parameters as :func:`classify`."""
    constructor = dict(model=model, image_column=image_column, resize=resize, fast_decode=fast_decode)
    return _map(
        ds, Segmenter, constructor, concurrency, threads_per_actor, batch_size, reserve_cpus,
        map_batches_args,
    )
