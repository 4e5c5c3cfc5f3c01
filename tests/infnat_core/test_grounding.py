import numpy as np
import pytest

from infnat_core.grounding import ground_disparity, grounding_scale


def _scene(seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(0.02, 0.9, (24, 32)).astype(np.float32)


class TestGroundDisparity:
    def test_recovers_a_known_scale_exactly(self):
        rendered = _scene()
        refined = rendered / 1.7  # the network drifted 1.7× too far
        np.testing.assert_allclose(ground_disparity(rendered, refined, np.ones_like(rendered)), rendered, rtol=1e-6)
        assert grounding_scale(rendered, refined, np.ones_like(rendered)) == pytest.approx(1.7)

    def test_only_masked_pixels_set_the_scale(self):
        rendered = _scene()
        refined = rendered * 0.5
        mask = np.ones_like(rendered)
        mask[:, :10] = 0.0
        rendered_with_holes = rendered * mask  # holes render as 0 and must not matter
        np.testing.assert_allclose(ground_disparity(rendered_with_holes, refined, mask), rendered, rtol=1e-6)

    def test_scale_only_and_clipped_to_one(self):
        rendered = np.full((4, 4), 0.9, np.float32)
        refined = np.full((4, 4), 0.3, np.float32)
        refined[0, 0] = 0.6
        out = ground_disparity(rendered, refined, np.ones_like(rendered))
        assert out.max() == 1.0  # 0.6 scaled by ≈3 is clipped
        assert out.dtype == np.float32

    def test_empty_mask_returns_refined_unchanged(self):
        refined = _scene(1)
        out = ground_disparity(_scene(2), refined, np.zeros_like(refined))
        np.testing.assert_array_equal(out, refined)
        assert out is not refined
