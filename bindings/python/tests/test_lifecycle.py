"""Lifecycle, models, threads, the GIL and array ownership."""

from __future__ import annotations

import gc
import threading

import numpy as np
import pytest

import etvision
from etvision import ErrorCode, EtvisionError


def test_every_model_constant_of_the_cli():
    names = [m.name for m in etvision.CLASSIFICATION_MODELS + etvision.SEGMENTATION_MODELS]
    assert "efficientnet_v2_s" in names and "deeplab_v3_resnet50" in names
    for name in names:
        constant = getattr(etvision, name.upper())
        assert isinstance(constant, etvision.ModelDescriptor) and constant.name == name
        assert etvision.model(name).model_source == constant.model_source
    assert etvision.EFFICIENTNET_V2_S.model_source.startswith("https://huggingface.co/")
    assert etvision.MOBILENET_V2.normalization is not None
    assert [label.name for label in etvision.DeeplabLabel][-1] == "ARGMAX"
    assert int(etvision.DeeplabLabel.PERSON) == 15


def test_load_progress_ends_at_one_and_context_manager_unloads(photos):
    seen: list[float] = []
    with etvision.ClassificationModule() as module:
        module.load("mobilenet_v2", on_progress=seen.append)
        assert module.is_loaded and module.info.num_labels == 1000
        assert module.info.input_width == 224
    assert seen and seen[-1] == 1.0
    assert not module.is_loaded
    with pytest.raises(EtvisionError) as caught:
        module.forward(str(photos[0]))
    assert caught.value.code == ErrorCode.ModuleNotLoaded


def test_delete_then_reload(photos):
    module = etvision.ImageSegmentationModule()
    module.load(etvision.MEDIAPIPE_SELFIE)
    first = module.forward(str(photos[0]))["ARGMAX"].copy()
    module.delete()
    module.delete()  # harmless twice
    assert not module.is_loaded
    module.load("mediapipe_selfie")
    np.testing.assert_array_equal(module.forward(str(photos[0]))["ARGMAX"], first)
    assert module.info.labels == ["BACKGROUND", "PERSON"]


def test_custom_descriptor_and_path(photos):
    descriptor = etvision.MOBILENET_V2
    bundled = etvision.ModelDescriptor(
        descriptor.model_source, name="mine", normalization=etvision.IMAGENET_NORMALIZATION
    )
    with etvision.ClassificationModule() as a, etvision.ClassificationModule() as b:
        a.load(descriptor)
        b.load(bundled)
        assert b.info.name == "mine"
        assert a.classify(str(photos[3]), max_results=1).categories[0].index == \
            b.classify(str(photos[3]), max_results=1).categories[0].index


def test_a_bundled_pte_by_path_carries_its_own_preprocessing(photos):
    """The package's bundled .pte, given as a bare path (no descriptor
    fields), gives exactly what the built-in name gives."""
    import pathlib

    package_models = pathlib.Path(etvision.__file__).parent / "share" / "etvision" / "models"
    path = package_models / "mobilenet_v2" / "mobilenet_v2_xnnpack_fp32.pte"
    assert path.is_file(), path
    coffee = next(str(p) for p in photos if p.name == "skimage_coffee.png")
    with etvision.ClassificationModule() as by_name, etvision.ClassificationModule() as by_path:
        by_name.load(etvision.MOBILENET_V2)
        by_path.load(str(path))
        info = by_path.info
        assert info.metadata_from_model and info.name == "mobilenet_v2"
        assert list(info.normalization.mean) == pytest.approx([0.485, 0.456, 0.406])
        expected = by_name.classify(coffee)
        got = by_path.classify(coffee, max_results=1)
        np.testing.assert_array_equal(got.probabilities, expected.probabilities)
        assert got.categories[0].label == "espresso" and got.categories[0].probability > 0.9
    with etvision.ImageSegmentationModule() as seg:
        seg.load(etvision.MEDIAPIPE_SELFIE)
        assert seg.info.metadata_from_model and seg.info.normalization is None


def test_arrays_outlive_the_module_and_the_result(photos):
    module = etvision.ImageSegmentationModule()
    module.load(etvision.MEDIAPIPE_SELFIE)
    out = module.forward(str(photos[0]), ["PERSON"], resize=True)
    result = module.segment(str(photos[0]), all_classes=True)
    argmax, maps = result.argmax, result.probabilities
    copies = (out["ARGMAX"].copy(), out["PERSON"].copy(), argmax.copy(), maps["PERSON"].copy())
    clf = etvision.ClassificationModule()
    clf.load(etvision.MOBILENET_V2)
    probabilities = clf.classify(str(photos[0])).probabilities
    probabilities_copy = probabilities.copy()
    del module, result, clf
    gc.collect()
    # Churn the allocator so that freed memory would be reused.
    junk = [np.random.rand(512, 512) for _ in range(8)]
    np.testing.assert_array_equal(out["ARGMAX"], copies[0])
    np.testing.assert_array_equal(out["PERSON"], copies[1])
    np.testing.assert_array_equal(argmax, copies[2])
    np.testing.assert_array_equal(maps["PERSON"], copies[3])
    np.testing.assert_array_equal(probabilities, probabilities_copy)
    del junk


def test_the_gil_is_released_during_inference(classifier, photos):
    """Python code in another thread makes progress while an inference runs."""
    ticks = 0
    stop = threading.Event()
    started = threading.Event()

    def count() -> None:
        nonlocal ticks
        started.set()
        while not stop.is_set():
            ticks += 1

    counter = threading.Thread(target=count)
    counter.start()
    started.wait()
    progress = []
    for _ in range(3):
        before = ticks
        classifier.classify_batch([str(p) for p in photos])
        progress.append(ticks - before)
    stop.set()
    counter.join()
    # Holding the GIL for a ten-photo batch would allow at most a few
    # switch-interval slices; released, the counter runs throughout.
    assert min(progress) > 100_000, progress


def test_delete_racing_forwards_from_threads(photos):
    """forward() racing delete()/load() returns a result or ModuleNotLoaded, nothing else."""
    module = etvision.ClassificationModule()
    module.load(etvision.MOBILENET_V2)
    expected = module.classify(str(photos[4]), max_results=1).categories[0].index
    outcomes = {"ok": 0, "not_loaded": 0}
    failures: list[BaseException] = []
    lock = threading.Lock()
    done = threading.Event()

    def infer() -> None:
        while not done.is_set():
            try:
                index = module.classify(str(photos[4]), max_results=1).categories[0].index
                assert index == expected
                key = "ok"
            except EtvisionError as error:
                if error.code != ErrorCode.ModuleNotLoaded:
                    failures.append(error)
                key = "not_loaded"
            except BaseException as error:  # noqa: BLE001 - reported below
                failures.append(error)
                return
            with lock:
                outcomes[key] += 1

    workers = [threading.Thread(target=infer) for _ in range(3)]
    for worker in workers:
        worker.start()
    for _ in range(6):
        module.delete()
        module.load(etvision.MOBILENET_V2)
    done.set()
    for worker in workers:
        worker.join()
    assert not failures, failures
    assert outcomes["ok"] > 0


def test_thread_count_round_trip():
    before = etvision.thread_count()
    etvision.set_thread_count(1)
    assert etvision.thread_count() == 1
    etvision.set_thread_count(0)
    assert etvision.thread_count() == before
    with pytest.raises(EtvisionError) as caught:
        etvision.set_thread_count(100000)
    assert caught.value.code == ErrorCode.InvalidUserInput


def test_a_raising_progress_callback_fails_the_load_and_leaves_nothing_loaded(photos):
    class Stop(Exception):
        pass

    def on_progress(progress: float) -> None:
        raise Stop(progress)

    module = etvision.ClassificationModule()
    module.load(etvision.MOBILENET_V2)
    with pytest.raises(Stop):
        module.load(etvision.MOBILENET_V2, on_progress=on_progress)
    assert not module.is_loaded
    with pytest.raises(EtvisionError) as caught:
        module.forward(str(photos[0]))
    assert caught.value.code == ErrorCode.ModuleNotLoaded
    module.load(etvision.MOBILENET_V2)  # usable again
    assert module.is_loaded
