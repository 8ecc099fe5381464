"""Numerics sanity of one engine's outputs against PyTorch eager float32 on
the same preprocessed photos: max |diff| always; for int8 also how often
the decision is the same (classifiers: top-1 per photo; segmenters: per-pixel
argmax, or the 0.5 threshold of a one-channel probability map)."""

from __future__ import annotations

import numpy as np


def compare(outputs: np.ndarray, reference: np.ndarray, task: str) -> dict:
    outputs = outputs.reshape(reference.shape)
    result = {"photos": int(reference.shape[0]),
              "max_abs_diff_vs_eager_fp32": float(np.abs(outputs.astype(np.float64) - reference).max())}
    if task == "classify":
        same = outputs.argmax(1) == reference.argmax(1)
        result["top1_agreement_vs_eager_fp32"] = f"{int(same.sum())}/{len(same)}"
    elif reference.shape[1] > 1:
        same = outputs.argmax(1) == reference.argmax(1)
        result["pixel_argmax_agreement_pct_vs_eager_fp32"] = round(100.0 * float(same.mean()), 4)
    else:
        same = (outputs > 0.5) == (reference > 0.5)
        result["pixel_mask_agreement_pct_vs_eager_fp32"] = round(100.0 * float(same.mean()), 4)
    return result


def summary(numerics: dict | None, dtype: str) -> str:
    """One table cell: max |diff| for fp32, the decision agreement for int8."""
    if not numerics:
        return ""
    agreement = next((v for k, v in numerics.items() if "agreement" in k), None)
    if dtype == "fp32":
        return f"max\\|d\\| {numerics['max_abs_diff_vs_eager_fp32']:.2g}"
    if isinstance(agreement, str):
        return f"top-1 {agreement}"
    return f"argmax {agreement:.2f}%"
