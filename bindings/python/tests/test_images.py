"""Every kind of image the package accepts gives the answer of the file itself."""

from __future__ import annotations

import base64
import pathlib

import numpy as np
import pytest
from PIL import Image

import etvision


def top1(module, image) -> tuple[int, float]:
    category = module.classify(image, max_results=1).categories[0]
    return category.index, category.probability


@pytest.fixture(scope="module")
def chelsea(photos):
    return next(p for p in photos if p.name == "skimage_chelsea.png")


@pytest.fixture(scope="module")
def expected(classifier, chelsea):
    return top1(classifier, str(chelsea))


def test_string_sources(classifier, chelsea, expected, http_server):
    data = chelsea.read_bytes()
    b64 = base64.b64encode(data).decode()
    for source in [
        str(chelsea),
        chelsea.as_uri(),
        f"{http_server}/{chelsea.name}",
        f"data:image/png;base64,{b64}",
        b64,
    ]:
        assert top1(classifier, source) == expected, source[:60]


def test_path_like(classifier, chelsea, expected):
    assert top1(classifier, pathlib.Path(chelsea)) == expected


def test_encoded_bytes_in_every_buffer_type(classifier, chelsea, expected):
    data = chelsea.read_bytes()
    for encoded in [data, bytearray(data), memoryview(data), np.frombuffer(data, np.uint8)]:
        assert top1(classifier, encoded) == expected, type(encoded)


def test_pixel_arrays(classifier, chelsea, expected):
    rgb = np.asarray(Image.open(chelsea).convert("RGB"))
    assert rgb.flags.c_contiguous
    assert top1(classifier, rgb) == expected
    rgba = np.dstack([rgb, np.full(rgb.shape[:2], 255, np.uint8)])
    assert top1(classifier, rgba) == expected
    # Layouts that cannot be borrowed (Fortran order, negative strides) are
    # copied once into packed rows: same pixels, same answer.
    assert top1(classifier, np.asfortranarray(rgb)) == expected
    upside_down = rgb[::-1, :, ::-1]
    assert top1(classifier, upside_down) == top1(classifier, np.ascontiguousarray(upside_down))


def test_strided_crop_is_read_in_place(classifier, chelsea):
    rgb = np.asarray(Image.open(chelsea).convert("RGB"))
    crop = rgb[20:220, 30:330]
    assert not crop.flags.c_contiguous
    assert top1(classifier, crop) == top1(classifier, np.ascontiguousarray(crop))


def test_grey_arrays(classifier, chelsea):
    grey = np.asarray(Image.open(chelsea).convert("L"))
    expected = top1(classifier, np.dstack([grey, grey, grey]))
    assert top1(classifier, grey) == expected
    assert top1(classifier, grey[:, :, None]) == expected


def test_pil_images(classifier, chelsea, expected):
    assert top1(classifier, Image.open(chelsea)) == expected
    assert top1(classifier, Image.open(chelsea).convert("RGBA")) == expected


def test_batch_accepts_mixed_kinds(classifier, chelsea, expected):
    rgb = np.asarray(Image.open(chelsea).convert("RGB"))
    items = classifier.classify_batch(
        [str(chelsea), chelsea.read_bytes(), rgb, Image.open(chelsea)], max_results=1
    )
    assert [item.index for item in items] == [0, 1, 2, 3]
    for item in items:
        assert item.ok and item.error is None
        category = item.result.categories[0]
        assert (category.index, category.probability) == expected


def test_batch_of_stacked_arrays(classifier, chelsea, expected):
    """read_images gives one (N, H, W, 3) array when the images share a size."""
    rgb = np.asarray(Image.open(chelsea).convert("RGB"))
    stacked = np.stack([rgb, rgb, rgb])
    items = classifier.classify_batch(stacked, max_results=1)
    assert len(items) == 3
    for item in items:
        category = item.result.categories[0]
        assert (category.index, category.probability) == expected


def test_segmentation_takes_the_same_kinds(segmenter, photos):
    astronaut = next(p for p in photos if p.name == "skimage_astronaut.png")
    expected = segmenter.forward(str(astronaut))["ARGMAX"]
    rgb = np.asarray(Image.open(astronaut).convert("RGB"))
    for image in [astronaut.read_bytes(), rgb, Image.open(astronaut), astronaut.as_uri()]:
        np.testing.assert_array_equal(segmenter.forward(image)["ARGMAX"], expected)


def test_path_like_is_a_file_never_a_uri(classifier, chelsea, expected, tmp_path, monkeypatch):
    """A pathlib.Path goes through ImageSource::fromPath: nothing is guessed."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data:image").write_bytes(chelsea.read_bytes())
    assert top1(classifier, pathlib.Path("data:image")) == expected
    with pytest.raises(etvision.EtvisionError) as caught:
        classifier.classify("data:image")  # as a str it is read as a data URI
    assert caught.value.code == etvision.ErrorCode.InvalidUserInput
