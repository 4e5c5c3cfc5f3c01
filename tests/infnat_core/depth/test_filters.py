import numpy as np

from infnat_core.depth.filters import box_mean, guided_filter


class TestBoxMean:
    def test_matches_brute_force_with_cropped_borders(self):
        x = np.random.default_rng(0).random((9, 13, 2)).astype(np.float32)
        for r in (1, 3, 20):
            ref = np.array([[x[max(0, i - r):i + r + 1, max(0, j - r):j + r + 1].mean(axis=(0, 1))
                             for j in range(13)] for i in range(9)])
            np.testing.assert_allclose(box_mean(x, r), ref, atol=1e-5)


class TestGuidedFilter:
    def _step_scene(self):
        guide = np.zeros((40, 40, 3), dtype=np.float32)
        guide[:, 20:] = [0.9, 0.6, 0.2]  # a colour edge at column 20
        noisy = np.where(np.arange(40) < 20, 0.2, 0.8)[None, :].repeat(40, axis=0).astype(np.float32)
        noisy += np.random.default_rng(1).normal(0, 0.05, noisy.shape).astype(np.float32)
        return guide, noisy

    def test_keeps_a_step_where_the_photo_has_an_edge_and_removes_noise(self):
        guide, noisy = self._step_scene()
        out = guided_filter(guide, noisy, 4, 1e-3)
        assert out[:, 19].mean() < 0.3 and out[:, 20].mean() > 0.7  # edge stays sharp
        assert out[:, 5:15].std() < noisy[:, 5:15].std() / 3  # flat regions are smoothed

    def test_blurs_a_step_the_photo_does_not_have(self):
        _, noisy = self._step_scene()
        out = guided_filter(np.full((40, 40, 3), 0.5, np.float32), noisy, 4, 1e-3)
        assert 0.35 < out[:, 19].mean() < 0.65

    def test_subsampled_version_still_follows_photo_edges(self):
        guide, noisy = self._step_scene()
        out = guided_filter(guide, noisy, 4, 1e-3, subsample=2)
        assert out.shape == noisy.shape
        assert out[:, 19].mean() < 0.3 and out[:, 20].mean() > 0.7
