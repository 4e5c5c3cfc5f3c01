import numpy as np
import pytest

from infnat_core.depth.relief import ground_ramp, horizon_from_sky


class TestHorizonFromSky:
    def test_a_low_sea_horizon_lowers_the_horizon(self):
        sky = np.zeros((100, 50), dtype=bool)
        sky[:80] = True
        assert horizon_from_sky(sky, prior=0.5) == pytest.approx(0.8)

    def test_sky_high_up_or_in_a_corner_keeps_the_prior(self):
        sky = np.zeros((100, 50), dtype=bool)
        sky[:20] = True
        sky[:90, :5] = True  # a narrow gap reaching low
        assert horizon_from_sky(sky, prior=0.5) == pytest.approx(0.5)
        assert horizon_from_sky(np.zeros((10, 10), bool), prior=0.4) == pytest.approx(0.4)


class TestGroundRamp:
    def test_near_at_the_bottom_far_at_the_horizon_zero_at_the_top(self):
        ramp = ground_ramp(100, horizon=0.5, far=0.2)
        assert ramp[-1] == pytest.approx(1.0, abs=0.01)
        assert ramp[50] == pytest.approx(0.2, abs=0.02)
        assert ramp[0] == pytest.approx(0.0, abs=0.01)
        assert np.all(np.diff(ramp) > 0)
