"""etvision.ray on a real local Ray cluster started by the test.

Every Dataset consumption runs under a watchdog: a stalled job (the
actor-pool-starves-the-reads hang, ray-project/ray#44687) fails the test
instead of hanging the suite.
"""

from __future__ import annotations

import shutil
import threading

import numpy as np
import pytest
import ray  # etvision[ray]; scripts/test_python.sh installs it

import etvision
import etvision.ray as etv_ray

WATCHDOG_SECONDS = 240


def take_all(dataset) -> list[dict]:
    outcome: dict = {}

    def consume() -> None:
        try:
            outcome["rows"] = dataset.take_all()
        except BaseException as error:  # noqa: BLE001 - re-raised below
            outcome["error"] = error

    worker = threading.Thread(target=consume, daemon=True)
    worker.start()
    worker.join(WATCHDOG_SECONDS)
    if worker.is_alive():
        pytest.fail(f"the Ray Data job did not finish within {WATCHDOG_SECONDS} s (stalled)")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["rows"]


@pytest.fixture(scope="module")
def cluster():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def photo_dir(tmp_path_factory, photos):
    """The ten photos plus one corrupt JPEG."""
    folder = tmp_path_factory.mktemp("photos")
    for photo in photos:
        shutil.copy(photo, folder / photo.name)
    (folder / "corrupt.jpg").write_bytes(photos[0].read_bytes()[:300])
    return folder


def in_process(photos, model="mobilenet_v2", k=3):
    with etvision.ClassificationModule() as module:
        module.load(model)
        return {p.name: module.classify(str(p), max_results=k).categories for p in photos}


def test_two_actors_give_the_in_process_answers_and_a_corrupt_file_is_one_error_row(
    cluster, photo_dir, photos
):
    # Two single-thread actors take both CPUs: the reads get num_cpus=0 so
    # that they can still run (see docs/scale-out.md).
    ds = ray.data.read_binary_files(str(photo_dir), include_paths=True, num_cpus=0)
    out = etv_ray.classify(
        ds, model="mobilenet_v2", image_column="bytes", concurrency=2, max_results=3,
        threads_per_actor=1, batch_size=4,
    )
    rows = take_all(out)
    assert len(rows) == 11
    expected = in_process(photos)
    by_name = {row["path"].rsplit("/", 1)[-1]: row for row in rows}
    for name, categories in expected.items():
        row = by_name[name]
        assert row["error"] == ""
        assert row["index"] == categories[0].index and row["label"] == categories[0].label
        assert row["probability"] == pytest.approx(categories[0].probability, abs=1e-6)
        assert list(row["top_indices"]) == [c.index for c in categories]
        assert list(row["top_labels"]) == [c.label for c in categories]
        np.testing.assert_allclose(
            row["top_probabilities"], [c.probability for c in categories], atol=1e-6
        )
        assert "bytes" not in row  # the image column is not passed through
    bad = by_name["corrupt.jpg"]
    assert bad["error"].startswith("114 FileReadFailed: ")
    assert bad["index"] == -1 and bad["label"] == "" and np.isnan(bad["probability"])


def test_defaults_leave_a_cpu_for_the_reads(cluster, photo_dir):
    assert etv_ray.default_concurrency() == 1  # 2 CPUs, 1 reserved for reads
    ds = ray.data.read_binary_files(str(photo_dir), include_paths=True)
    rows = take_all(etv_ray.classify(ds, model="mobilenet_v2", image_column="bytes"))
    assert len(rows) == 11 and sum(row["error"] != "" for row in rows) == 1
    assert "top_labels" not in rows[0]


def test_actor_threads_follow_the_cpus_ray_assigned(cluster, photos):
    class Probe(etv_ray.Classifier):
        def __call__(self, batch):
            out = super().__call__(batch)
            out["threads"] = np.full(len(out["error"]), self.threads, dtype=np.int32)
            return out

    ds = ray.data.from_items([{"image": str(p)} for p in photos[:2]])
    rows = take_all(
        ds.map_batches(
            Probe,
            fn_constructor_kwargs={"model": "mobilenet_v2"},
            compute=ray.data.ActorPoolStrategy(size=1),
            num_cpus=2,
            batch_format="numpy",
        )
    )
    assert [row["threads"] for row in rows] == [2, 2]


def test_decoded_arrays_from_read_images(cluster, photo_dir, photos):
    ds = ray.data.read_images(
        [str(photo_dir / p.name) for p in photos], include_paths=True, mode="RGB", num_cpus=0
    )
    rows = take_all(etv_ray.classify(ds, model="mobilenet_v2", image_column="image", concurrency=1))
    expected = in_process(photos, k=1)
    for row in rows:
        name = row["path"].rsplit("/", 1)[-1]
        assert row["error"] == "" and row["index"] == expected[name][0].index, name


def test_segmentation_rows_carry_masks_of_the_right_size(cluster, photo_dir, photos):
    ds = ray.data.read_binary_files(str(photo_dir), include_paths=True, num_cpus=0)
    rows = take_all(
        etv_ray.segment(ds, model="mediapipe_selfie", image_column="bytes", resize=True, concurrency=1)
    )
    assert len(rows) == 11
    with etvision.ImageSegmentationModule() as module:
        module.load(etvision.MEDIAPIPE_SELFIE)
        for row in rows:
            name = row["path"].rsplit("/", 1)[-1]
            if name == "corrupt.jpg":
                assert row["error"].startswith("114 FileReadFailed")
                assert row["mask"].shape == (0, 0)
                continue
            reference = module.segment(str(photo_dir / name), resize=True)
            assert row["error"] == ""
            assert (row["width"], row["height"]) == (reference.image_width, reference.image_height)
            assert row["mask"].shape == (reference.image_height, reference.image_width)
            np.testing.assert_array_equal(row["mask"], reference.category_mask())
            shares = reference.class_shares()
            assert list(row["labels"]) == sorted(
                (n for n in shares if shares[n] > 0), key=lambda n: -shares[n]
            )
