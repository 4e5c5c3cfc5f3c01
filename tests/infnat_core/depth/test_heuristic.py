import numpy as np
import pytest

from infnat_core.depth import DepthConfig, HeuristicDepthEstimator, apply_depth_config
from infnat_core.errors import InfnatError
from tests.infnat_core.depth.conftest import landscape


@pytest.fixture(scope="module")
def estimator():
    return HeuristicDepthEstimator()


class TestHeuristicOnSyntheticLandscape:
    def test_sky_is_at_infinity_and_ground_nearer_downwards(self, estimator, scene):
        est = estimator.estimate(scene)
        final = apply_depth_config(est, DepthConfig())
        h = scene.shape[0]
        sky_rows = int(0.45 * h)
        assert np.all(final[: sky_rows - 3] == np.float32(0.01))
        ground = final[sky_rows + 4:].mean(axis=1)
        assert np.all(np.diff(ground) > 0)  # monotonically nearer towards the bottom
        assert ground[-1] > 0.9 and ground[0] < 0.35

    def test_estimate_is_normalised_like_midas(self, estimator, scene):
        est = estimator.estimate(scene)
        terrain = est.disparity[est.sky <= 0.5]
        assert est.disparity.dtype == np.float32 and est.sky.dtype == np.float32
        assert terrain.min() == pytest.approx(0.0, abs=1e-6) and terrain.max() == pytest.approx(1.0, abs=1e-6)

    def test_a_standing_object_is_as_near_at_its_top_as_at_its_foot(self, estimator):
        img = landscape()
        img[110:170, 130:150] = [0.35, 0.22, 0.12]  # a brown trunk standing on the grass, foot at row 170
        d = apply_depth_config(estimator.estimate(img), DepthConfig())
        trunk = d[115:165, 134:146].mean(axis=1)
        grass = d[115:165, 60:100].mean(axis=1)  # open ground over the same rows
        assert trunk[-1] - trunk[0] < (grass[-1] - grass[0]) / 3  # it stands up instead of lying down
        assert trunk[0] > grass[0] + 0.3  # its top is in front of the ground behind it
        assert trunk.mean() == pytest.approx(grass[-1], abs=0.1)  # as near as the ground at its foot

    def test_a_mountain_is_between_the_sky_and_the_foreground(self, estimator):
        img = landscape()
        h, w = img.shape[:2]
        rows, cols = np.mgrid[0:h, 0:w]
        mountain = (rows > 30 + np.abs(cols - w / 2) * 0.6) & (rows < int(0.45 * h))
        rng = np.random.default_rng(5)
        img[mountain] = np.clip(0.45 + rng.normal(0, 0.06, (int(mountain.sum()), 3)), 0, 1)
        d = apply_depth_config(estimator.estimate(img), DepthConfig())
        peak_to_foot = d[50:85, w // 2 - 10: w // 2 + 10]
        assert d[5, 5] == np.float32(0.01)  # sky
        assert peak_to_foot.min() > 0.01 + 1e-4  # the mountain is not punched out as sky
        assert peak_to_foot.max() < d[-10:].min() / 3  # and far behind the foreground

    @pytest.mark.parametrize("shape", [(77, 101), (9, 8), (700, 1200), (8, 2000), (1500, 8)])
    def test_output_has_the_input_size(self, estimator, shape):
        est = estimator.estimate(landscape(*shape))
        assert est.disparity.shape == shape and est.sky.shape == shape
        assert 0.0 <= est.disparity.min() and est.disparity.max() <= 1.0

    def test_is_deterministic(self, estimator, scene):
        a, b = estimator.estimate(scene), estimator.estimate(scene.copy())
        np.testing.assert_array_equal(a.disparity, b.disparity)

    def test_photo_without_sky_is_all_terrain(self, estimator):
        rng = np.random.default_rng(2)
        img = np.clip(np.array([0.3, 0.45, 0.2]) + rng.normal(0, 0.1, (96, 128, 3)), 0, 1).astype(np.float32)
        est = estimator.estimate(img)
        assert est.sky.max() < 0.5
        assert est.disparity[-5:].mean() > est.disparity[:5].mean() + 0.5

    @pytest.mark.parametrize("bad, match", [
        (np.zeros((32, 32)), "shape"), (np.zeros((32, 32, 4)), "shape"), (np.zeros((4, 32, 3)), "at least"),
        (np.full((32, 32, 3), np.nan), "NaN"),
    ])
    def test_unusable_images_are_refused(self, estimator, bad, match):
        with pytest.raises(InfnatError, match=match):
            estimator.estimate(bad)
