"""Bad input: a coded EtvisionError (or TypeError for a wrong Python type)
whose message says what to fix; the module stays usable."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import etvision
from etvision import ErrorCode, EtvisionError


def expect(code: ErrorCode, words: str, call, *args, **kwargs) -> EtvisionError:
    with pytest.raises(EtvisionError) as caught:
        call(*args, **kwargs)
    error = caught.value
    assert error.code == code and int(error.code) == int(code)
    assert error.code_name == code.name
    assert words in str(error), str(error)
    return error


def test_image_errors(classifier, tmp_path, photos):
    expect(ErrorCode.FileReadFailed, "/no/such/photo.jpg", classifier.classify, "/no/such/photo.jpg")
    (tmp_path / "empty.jpg").write_bytes(b"")
    expect(ErrorCode.FileReadFailed, "empty.jpg", classifier.forward, str(tmp_path / "empty.jpg"))
    expect(ErrorCode.FileReadFailed, "image", classifier.classify, b"definitely not an image")
    expect(ErrorCode.InvalidUserInput, "ftp", classifier.classify, "ftp://example.com/a.png")
    expect(ErrorCode.InvalidUserInput, "(H, W, 3)", classifier.classify, np.zeros((4, 4, 5), np.uint8))
    expect(ErrorCode.InvalidUserInput, "shape (0, 4, 3)", classifier.classify, np.zeros((0, 4, 3), np.uint8))
    # Still works afterwards.
    assert classifier.classify(str(photos[0]), max_results=1).categories


def test_wrong_python_types_are_type_errors(classifier, segmenter, photos):
    with pytest.raises(TypeError, match="An image is"):
        classifier.classify(42)
    with pytest.raises(TypeError, match="uint8"):
        classifier.classify(np.zeros((4, 4, 3), np.float32))
    with pytest.raises(TypeError):
        classifier.classify(str(photos[0]), max_results="five")
    with pytest.raises(TypeError, match="sequence of images"):
        classifier.classify_batch(str(photos[0]))
    with pytest.raises(TypeError, match="sequence of labels"):
        segmenter.forward(str(photos[0]), "PERSON")
    with pytest.raises(TypeError, match="on_progress"):
        etvision.ClassificationModule().load(etvision.MOBILENET_V2, on_progress=3)
    with pytest.raises(TypeError, match="model must be"):
        etvision.ClassificationModule().load(3.5)


def test_model_errors(tmp_path, photos):
    module = etvision.ClassificationModule()
    expect(ErrorCode.ModuleNotLoaded, "load", module.classify, str(photos[0]))
    error = expect(ErrorCode.InvalidModelSource, "Did you mean: mobilenet_v2", module.load, "mobilnet_v2")
    assert "etvision models" in str(error)
    expect(ErrorCode.InvalidModelSource, "missing.pte", module.load, str(tmp_path / "missing.pte"))
    not_a_model = tmp_path / "photo.pte"
    not_a_model.write_bytes(photos[0].read_bytes())
    expect(ErrorCode.InvalidProgram, "", module.load, str(not_a_model))
    assert not module.is_loaded
    expect(ErrorCode.ModuleNotLoaded, "", lambda: module.info)


def test_segmentation_label_errors(segmenter, photos):
    expect(ErrorCode.InvalidUserInput, "CAT", segmenter.forward, str(photos[0]), [etvision.DeeplabLabel.CAT])
    expect(ErrorCode.InvalidUserInput, "42", segmenter.forward, str(photos[0]), [42])
    expect(ErrorCode.InvalidUserInput, "NOPE", segmenter.segment, str(photos[0]), classes_of_interest=["NOPE"])


def test_batch_items_carry_their_own_errors(classifier, photos):
    items = classifier.classify_batch([str(photos[0]), "/missing.png", b"junk", str(photos[1])])
    assert [item.ok for item in items] == [True, False, False, True]
    assert items[1].error.code == ErrorCode.FileReadFailed and "/missing.png" in str(items[1].error)
    assert items[2].error.code == ErrorCode.FileReadFailed
    assert items[1].result is None and items[0].error is None


def test_errors_pickle_with_their_code():
    error = EtvisionError("boom", ErrorCode.FileReadFailed, "FileReadFailed")
    again = pickle.loads(pickle.dumps(error))
    assert (str(again), int(again.code), again.code_name) == ("boom", 114, "FileReadFailed")


def test_error_codes_come_from_the_library():
    assert int(ErrorCode.ModuleNotLoaded) == 102
    assert int(ErrorCode.DownloadFailed) == 180
    assert int(ErrorCode.InvalidProgram) == 35
    assert len(ErrorCode) >= 29
