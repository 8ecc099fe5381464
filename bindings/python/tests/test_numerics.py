"""The Python package gives the C++ library's numbers (through the CLI)."""

from __future__ import annotations

import numpy as np
import pytest

import etvision
from conftest import run_cli


@pytest.mark.parametrize("model", ["mobilenet_v2", "mobilenet_v2_quantized"])
def test_top5_and_probabilities_equal_the_cpp_library(model, photos):
    reference = run_cli("classify", *map(str, photos), "--model", model, "--top", "5")
    assert len(reference) == len(photos)
    with etvision.ClassificationModule() as module:
        module.load(model)
        for photo, expected in zip(photos, reference):
            result = module.classify(str(photo), max_results=5)
            assert [c.index for c in result.categories] == [t["index"] for t in expected["top"]]
            assert [c.label for c in result.categories] == [t["label"] for t in expected["top"]]
            for got, want in zip(result.categories, expected["top"]):
                assert abs(got.probability - want["probability"]) <= 1e-6, photo.name
            # forward(): every label, the same probabilities as classify().
            probabilities = module.forward(str(photo))
            assert len(probabilities) == 1000
            for got, want in zip(result.categories, expected["top"]):
                assert abs(probabilities[got.label] - want["probability"]) <= 1e-6
            assert result.probabilities.dtype == np.float32
            assert abs(float(result.probabilities.sum()) - 1.0) < 1e-4


def test_segmentation_class_shares_equal_the_cpp_library(segmenter, photos):
    reference = run_cli("segment", *map(str, photos), "--model", "mediapipe_selfie")
    for photo, expected in zip(photos, reference):
        result = segmenter.segment(str(photo))
        assert (result.width, result.height) == (expected["width"], expected["height"])
        shares = result.class_shares()
        for entry in expected["classes"]:
            assert abs(shares[entry["label"]] - entry["share"]) <= 1e-6, photo.name
        mask = result.category_mask()
        assert mask.dtype == np.uint8 and mask.shape == (result.height, result.width)
        np.testing.assert_array_equal(mask, result.argmax.astype(np.uint8))


def test_forward_maps_at_model_and_image_size(segmenter, photos):
    astronaut = next(p for p in photos if p.name == "skimage_astronaut.png")
    small = segmenter.forward(str(astronaut), ["PERSON", etvision.DeeplabLabel.BACKGROUND])
    assert set(small) == {"ARGMAX", "PERSON", "BACKGROUND"}
    assert small["ARGMAX"].shape == (256, 256) and small["ARGMAX"].dtype == np.int32
    assert small["PERSON"].dtype == np.float32
    np.testing.assert_allclose(small["PERSON"] + small["BACKGROUND"], 1.0, atol=1e-6)
    large = segmenter.forward(str(astronaut), ["PERSON"], resize=True)
    assert large["ARGMAX"].shape == (512, 512)
    assert large["PERSON"].shape == (512, 512)
    full = segmenter.segment(str(astronaut), all_classes=True, output_size=(100, 50))
    assert full.argmax.shape == (50, 100)
    assert set(full.probabilities) == {"BACKGROUND", "PERSON"}
