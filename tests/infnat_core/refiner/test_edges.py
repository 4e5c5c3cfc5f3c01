import numpy as np
import torch

from infnat_core.refiner.edges import edge_band, paint_mask


def _disparity(values: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(values.astype(np.float32))[None, None]


def test_a_depth_step_marks_both_sides_and_the_radius_around_them():
    d = np.full((6, 10), 0.1)
    d[:, 5:] = 0.4
    band = edge_band(_disparity(d), threshold=0.1, radius=1)[0, 0].numpy()
    np.testing.assert_array_equal(band[0], [0, 0, 0, 1, 1, 1, 1, 0, 0, 0])
    band0 = edge_band(_disparity(d), threshold=0.1, radius=0)[0, 0].numpy()
    np.testing.assert_array_equal(band0[0], [0, 0, 0, 0, 1, 1, 0, 0, 0, 0])


def test_smooth_ground_below_the_threshold_and_a_zero_threshold_mark_nothing():
    ramp = np.linspace(0.2, 0.22, 10)[None].repeat(6, 0)  # about 0.5 % per pixel
    assert edge_band(_disparity(ramp), threshold=0.1).sum() == 0
    d = np.full((6, 10), 0.1)
    d[:, 5:] = 0.9
    assert edge_band(_disparity(d), threshold=0.0).sum() == 0


def test_paint_mask_clears_the_band_and_keeps_the_holes():
    d = np.full((6, 10), 0.5)
    mask = np.ones((6, 10))
    mask[2:4, 2:4] = 0.0
    d[mask == 0] = 0.0  # a render's holes have disparity 0: far, so their border is a depth edge too
    keep = paint_mask(_disparity(mask), _disparity(d), threshold=0.1)[0, 0].numpy()
    assert (keep[mask == 0] == 0).all()
    assert keep[1:5, 1:5].sum() == 0  # the hole grown by the band
    assert keep[0, 9] == 1 and keep[5, 0] == 1
