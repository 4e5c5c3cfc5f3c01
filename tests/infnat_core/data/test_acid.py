import numpy as np
import pytest
import torch
from PIL import Image

from infnat_core import camera
from infnat_core.data import AcidConfig, AcidFlights, SyntheticFlights, read_acid_clip, write_acid_clip
from infnat_core.data.acid import crop_intrinsics, crop_to_aspect
from infnat_core.errors import InfnatError

from tests.infnat_core.data.helpers import small_synthetic_config


@pytest.fixture(scope="module")
def clip_dir(tmp_path_factory, dem_tiles):
    """A 6-frame clip rendered from a synthetic flight at 120×192 (16:10), written in the ACID layout."""
    flights = SyntheticFlights(small_synthetic_config(height=120, width=192), seed=3, tiles=dem_tiles)
    flight = flights.flight(0)
    root = tmp_path_factory.mktemp("clip")
    (root / "frames").mkdir()
    (root / "disparity").mkdir()
    timestamps = [1_000_000 + 33_367 * i for i in range(6)]
    for i, ts in enumerate(timestamps):
        view = flights.frame(0, i)
        Image.fromarray((view.rgb * 255 + 0.5).astype(np.uint8)).save(root / "frames" / f"{ts}.png")
        np.save(root / "disparity" / f"{ts}.npy", view.disparity)
    write_acid_clip(root / "clip.txt", "https://example.invalid/v", timestamps, flight.intrinsics, flight.poses[:6])
    return root, flight, timestamps


def test_camera_file_round_trip(clip_dir):
    root, flight, timestamps = clip_dir
    lines = (root / "clip.txt").read_text().splitlines()
    assert lines[0] == "https://example.invalid/v" and len(lines) == 7 and len(lines[1].split()) == 19
    clip = read_acid_clip(root / "clip.txt", root / "frames", root / "disparity")
    assert clip.url == "https://example.invalid/v"
    np.testing.assert_array_equal(clip.timestamps, timestamps)
    # The engine's loader re-expresses poses relative to the first frame: relative motion is what survives.
    world_from_first = camera.invert_pose(flight.poses[0])
    for i in range(6):
        np.testing.assert_allclose(clip.track.poses[i], camera.compose(flight.poses[i], world_from_first), atol=1e-9)
    np.testing.assert_allclose(clip.track.intrinsics, flight.intrinsics)
    assert clip.frame(2).shape == (120, 192, 3) and clip.disparity(2).shape == (120, 192)


def test_samples_from_a_clip_line_up(clip_dir):
    root, _, _ = clip_dir
    clip = read_acid_clip(root / "clip.txt", root / "frames", root / "disparity")
    # 120×192 frames are centre-cropped to 64×96's aspect (1.5) and resized: the warp must still land on target.
    data = AcidFlights([clip], AcidConfig(height=64, width=96, max_gap=3, samples_per_clip=4), seed=0)
    for index in range(4):
        sample = data[index]
        assert sample["rgbd_in"].shape == (4, 64, 96)
        valid = sample["mask"][0] > 0.99
        assert valid.float().mean() > 0.5
        err = (sample["rgbd_in"][3] - sample["rgbd_target"][3]).abs()[valid]
        assert float(err.median()) < 0.003
    first = data[1]["rgbd_first"]
    torch.testing.assert_close(first, data[2]["rgbd_first"], rtol=0, atol=0)


def test_crop_intrinsics_keep_rays():
    k = np.array([0.8, 1.28, 0.5, 0.5])
    crop = crop_to_aspect((100, 300), 1.5)  # a wide frame cropped in the middle
    assert crop == pytest.approx((0.25, 0.0, 0.75, 1.0))
    kc = crop_intrinsics(k, crop)
    # The ray through the crop's left edge is the ray through u = 0.25 of the full frame.
    assert (0.0 - kc[2]) / kc[0] == pytest.approx((0.25 - k[2]) / k[0])


def test_bad_files_say_what_is_wrong(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("https://x\n1 2 3\n")
    with pytest.raises(InfnatError, match="19"):
        read_acid_clip(bad)
    good = tmp_path / "good.txt"
    write_acid_clip(good, "u", [5, 6], np.array([0.8, 1.2, 0.5, 0.5]), np.stack([np.eye(3, 4)] * 2))
    with pytest.raises(InfnatError, match="disparity"):
        AcidFlights([read_acid_clip(good, tmp_path)])
    with pytest.raises(InfnatError, match="named by their timestamp"):
        read_acid_clip(good, tmp_path).frame(0)
