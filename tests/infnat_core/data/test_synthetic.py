import numpy as np
import pytest
import torch

from infnat_core.data import SAMPLE_KEYS, SyntheticFlights

from tests.infnat_core.data.helpers import small_synthetic_config


@pytest.fixture(scope="module")
def dataset(dem_tiles):
    return SyntheticFlights(small_synthetic_config(), seed=7, tiles=dem_tiles)


def test_sample_layout(dataset):
    sample = dataset[0]
    assert set(sample) == set(SAMPLE_KEYS)
    for key, channels in (("rgbd_in", 4), ("mask", 1), ("rgbd_target", 4), ("rgbd_first", 4)):
        t = sample[key]
        assert t.dtype == torch.float32 and t.shape == (channels, 64, 96)
        assert 0.0 <= float(t.min()) and float(t.max()) <= 1.0
    assert len(dataset) == 16


def test_samples_are_deterministic_for_a_seed(dataset, dem_tiles):
    fresh = SyntheticFlights(small_synthetic_config(), seed=7, tiles=dem_tiles)
    for index in (5, 0):  # out of order: nothing depends on what was read before
        a, b = dataset[index], fresh[index]
        for key in SAMPLE_KEYS:
            torch.testing.assert_close(a[key], b[key], rtol=0, atol=0)
    other = SyntheticFlights(small_synthetic_config(), seed=8, tiles=dem_tiles)[5]
    assert not torch.equal(other["rgbd_target"], dataset[5]["rgbd_target"])


def test_warped_input_matches_ground_truth_where_valid(dataset):
    """The engine's warp of frame t lands on frame t + k: poses, intrinsics and disparity agree."""
    for index in range(0, 16, 5):
        sample = dataset[index]
        valid = sample["mask"][0] > 0.99
        assert valid.float().mean() > 0.5
        diff = (sample["rgbd_in"][3] - sample["rgbd_target"][3]).abs()[valid]
        assert float(diff.median()) < 0.002  # disparity (interpolated on a 96×64 mesh)
        rgb_err = (sample["rgbd_in"][:3] - sample["rgbd_target"][:3]).abs().mean(0)[valid]
        assert float(rgb_err.median()) < 0.05


def test_masks_mark_what_the_source_frame_did_not_see(dataset):
    holes = [float((dataset[i]["mask"] < 0.5).float().mean()) for i in range(16)]
    assert max(holes) > 0.01  # some samples need real inpainting (frame borders, disocclusions)
    assert max(holes) < 0.9


def test_first_frame_is_shared_by_a_flight(dataset):
    a, b = dataset[0], dataset[3]  # same flight (4 samples per flight)
    torch.testing.assert_close(a["rgbd_first"], b["rgbd_first"], rtol=0, atol=0)
    assert not torch.equal(a["rgbd_first"], dataset[4]["rgbd_first"])


def test_pair_reports_frames_and_poses(dataset):
    pair = dataset.pair(2)
    assert 1 <= pair.gap <= 4 and 0 <= pair.step < 12 - pair.gap
    assert pair.source.disparity.shape == (64, 96) and pair.source_pose.shape == (3, 4)
    assert not np.allclose(pair.source_pose, pair.target_pose)
