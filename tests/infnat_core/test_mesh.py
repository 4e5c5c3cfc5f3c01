import numpy as np

from infnat_core.mesh import edge_mask, grid_indices, sobel_magnitude


def test_edge_mask_marks_depth_step_only():
    disp = np.full((20, 30), 0.1, np.float32)
    disp[:, 15:] = 0.8
    mask = edge_mask(disp)
    assert mask[:, 13].min() == 1.0 and mask[:, 17].min() == 1.0
    assert mask[:, 14].max() == 0.0 and mask[:, 15].max() == 0.0


def test_smooth_ramp_is_not_an_edge():
    disp = np.tile(np.linspace(0.05, 0.95, 64, dtype=np.float32)[:, None], (1, 40))
    assert edge_mask(disp).min() == 1.0


def test_sobel_of_linear_ramp():
    disp = np.tile(np.arange(10, dtype=np.float32)[None, :] * 0.01, (8, 1))
    # Sobel x of a slope of 0.01 per pixel: (1 + 2 + 1) * 2 * 0.01 = 0.08 away from the borders.
    np.testing.assert_allclose(sobel_magnitude(disp)[2:-2, 2:-2], 0.08, rtol=1e-5)


def test_grid_indices_cover_every_quad_twice():
    idx = grid_indices(3, 4).reshape(-1, 3)
    assert idx.shape == (2 * 2 * 3, 3)
    assert idx.max() == 11 and idx.min() == 0
