import numpy as np

from infnat_core.depth.sky import sky_probability
from tests.infnat_core.depth.conftest import landscape


class TestSkyProbability:
    def test_blue_sky_above_green_ground(self, scene):
        p = sky_probability(scene, horizon=0.5)
        assert p.shape == scene.shape[:2] and p.dtype == np.float32
        rows = int(0.45 * scene.shape[0])
        assert p[: rows - 3].mean() > 0.9
        assert p[rows + 3:].max() < 0.1

    def test_bright_snow_below_the_skyline_is_not_sky(self, scene):
        img = scene.copy()
        img[120:150, 100:200] = 0.95  # a smooth white patch in the meadow
        assert sky_probability(img, horizon=0.5)[125:145, 110:190].max() < 0.1

    def test_sky_cut_off_by_a_cable_is_still_sky(self):
        img = landscape(horizon=0.8)
        h, w = img.shape[:2]
        rows, cols = np.mgrid[0:h, 0:w]
        cable = np.abs(rows - (0.1 * h + 0.5 * cols)) < 3  # a dark diagonal from the left edge down to the right
        img[cable] = 0.1
        p = sky_probability(img, horizon=0.5)
        below_cable = (rows > 0.1 * h + 0.5 * cols + 6) & (rows < 0.75 * h)
        assert p[below_cable].mean() > 0.9

    def test_textured_bright_top_is_not_sky(self):
        rng = np.random.default_rng(3)
        img = np.clip(0.75 + rng.normal(0, 0.15, (96, 128, 3)), 0, 1).astype(np.float32)  # bright foliage, no sky
        assert sky_probability(img, horizon=0.5).mean() < 0.05
