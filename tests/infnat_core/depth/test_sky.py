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

    def test_sky_framed_by_trees_is_found_from_the_top(self, scene):
        img = scene.copy()
        rng = np.random.default_rng(4)
        for cols in (slice(0, 40), slice(-40, None)):  # dark textured trees up both sides
            img[:, cols] = np.clip(0.2 + rng.normal(0, 0.1, img[:, cols].shape), 0, 1)
        p = sky_probability(img, horizon=0.5)
        assert p[5:70, 60:-60].mean() > 0.9

    def test_sky_enclosed_by_a_window_frame_matches_the_sky_on_its_rows(self, scene):
        img = scene.copy()
        img[20:70, 100:180] = 0.1  # a dark frame...
        img[25:65, 105:175] = scene[25:65, 105:175]  # ...around a pane of sky, touching no border
        p = sky_probability(img, horizon=0.5)
        assert p[30:60, 110:170].mean() > 0.9
        assert p[20:23, 100:180].max() < 0.5  # the frame itself is not sky

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
