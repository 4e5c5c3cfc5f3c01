import time

import numpy as np
import pytest

from infnat_core.depth import DepthConfig, DepthEstimate, apply_depth_config


def estimate(disparity, sky=None) -> DepthEstimate:
    d = np.asarray(disparity, dtype=np.float32)
    return DepthEstimate(d, np.zeros_like(d) if sky is None else np.asarray(sky, dtype=np.float32))


class TestApplyDepthConfig:
    def test_defaults_only_clip_to_the_depth_range(self):
        d = np.array([[0.0, 0.005, 0.3], [0.7, 1.0, 1.0]])
        out = apply_depth_config(estimate(d), DepthConfig())
        assert out.dtype == np.float32 and out.shape == (2, 3)
        np.testing.assert_allclose(out, [[0.01, 0.01, 0.3], [0.7, 1.0, 1.0]], rtol=1e-6)

    def test_sky_above_threshold_goes_to_infinity(self):
        d = np.full((2, 2), 0.5)
        sky = np.array([[0.9, 0.6], [0.4, 0.0]])
        out = apply_depth_config(estimate(d, sky), DepthConfig(sky_threshold=0.5))
        np.testing.assert_allclose(out, [[0.01, 0.01], [0.5, 0.5]])
        out = apply_depth_config(estimate(d, sky), DepthConfig(sky_threshold=0.8))
        np.testing.assert_allclose(out, [[0.01, 0.5], [0.5, 0.5]])
        assert np.all(apply_depth_config(estimate(d, sky), DepthConfig(sky_threshold=1.0)) == 0.5)

    def test_relief_scales_log_depth_about_the_median(self):
        d = np.array([[0.1, 0.2, 0.4]])
        out = apply_depth_config(estimate(d), DepthConfig(relief_scale=2.0))
        np.testing.assert_allclose(out, [[0.05, 0.2, 0.8]], rtol=1e-5)  # ratios squared, median 0.2 kept

    def test_zero_relief_flattens_terrain_but_not_sky(self):
        d = np.array([[0.0, 0.1, 0.2, 0.9]])
        sky = np.array([[1.0, 0.0, 0.0, 0.0]])
        out = apply_depth_config(estimate(d, sky), DepthConfig(relief_scale=0.0))
        np.testing.assert_allclose(out, [[0.01, 0.2, 0.2, 0.2]], rtol=1e-5)

    def test_near_clamp_keeps_the_nearest_point_away(self):
        d = np.linspace(0, 1, 11)[None]
        out = apply_depth_config(estimate(d), DepthConfig(near_clamp=0.5, relief_scale=3.0))
        assert out.max() == pytest.approx(0.5) and out.min() == pytest.approx(0.01)

    def test_all_sky_image_does_not_fail(self):
        out = apply_depth_config(estimate(np.zeros((3, 3)), np.ones((3, 3))), DepthConfig(relief_scale=2.0))
        assert np.all(out == np.float32(0.01))
