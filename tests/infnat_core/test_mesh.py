import numpy as np
import pytest

from infnat_core import camera
from infnat_core.mesh import (downsample_grid, edge_mask, grid_coverage, grid_indices, sobel_magnitude, tile_corners,
                              tile_extremes, tiled_grid, visible_tiles)


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


def test_tiled_grid_holds_every_triangle_once_and_tiles_are_contiguous():
    tiles = tiled_grid(21, 38, tile=8)
    as_set = sorted(map(tuple, tiles.indices.reshape(-1, 3)))
    assert as_set == sorted(map(tuple, grid_indices(21, 38).reshape(-1, 3)))
    np.testing.assert_array_equal(tiles.first[1:], tiles.first[:-1] + tiles.count[:-1])
    # Each tile's triangles use only the vertices of its rows and columns.
    for t in range(tiles.first.size):
        tri = tiles.indices[tiles.first[t] : tiles.first[t] + tiles.count[t]]
        rows, cols = np.divmod(tri, 38)
        assert tiles.rows[t, 0] <= rows.min() and rows.max() <= tiles.rows[t, 1]
        assert tiles.cols[t, 0] <= cols.min() and cols.max() <= tiles.cols[t, 1]


def test_tile_extremes_match_each_tiles_vertices():
    rng = np.random.default_rng(0)
    values = rng.random((30, 45)).astype(np.float32)
    tiles = tiled_grid(30, 45, tile=8)
    least, greatest = tile_extremes(values, tiles)
    for t, ((r0, r1), (c0, c1)) in enumerate(zip(tiles.rows, tiles.cols)):
        block = values[r0 : r1 + 1, c0 : c1 + 1]
        assert least[t] == block.min() and greatest[t] == block.max()


def test_culling_never_drops_a_tile_with_a_vertex_in_view():
    rng = np.random.default_rng(1)
    h, w = 40, 64
    disparity = rng.uniform(0.02, 1.0, (h, w)).astype(np.float32)
    k = camera.intrinsics_from_fov(60, w, h)
    tiles = tiled_grid(h, w, tile=8)
    corners = tile_corners(disparity, k, tiles)
    # Every vertex in keyframe camera space, as the vertex shader places it.
    v, u = (np.mgrid[0:h, 0:w] + 0.5) / np.array([h, w])[:, None, None]
    z = 1.0 / disparity
    points = np.stack([(u - k[2]) / k[0] * z, (v - k[3]) / k[1] * z, z, np.ones_like(z)], -1)
    culled_some = False
    for _ in range(40):
        target = rng.normal(size=3) * np.array([3, 1, 3])
        pose = camera.pose_from_look(rng.normal(size=3) * 0.5, target, np.array([0, 1.0, 0]))
        clip_from_key = camera.gl_projection(k, 0.01, 1000.0) @ camera.to_homogeneous(pose)
        visible = visible_tiles(corners, clip_from_key)
        clip = points @ clip_from_key.T
        inside = (np.abs(clip[..., 0]) < clip[..., 3]) & (np.abs(clip[..., 1]) < clip[..., 3]) & (clip[..., 3] > 0.01)
        for t, ((r0, r1), (c0, c1)) in enumerate(zip(tiles.rows, tiles.cols)):
            if inside[r0 : r1 + 1, c0 : c1 + 1].any():
                assert visible[t]
        culled_some |= not visible.all()
    assert culled_some, "some random views should cull tiles"


def test_grid_coverage_marks_owned_cells_grown_by_one_vertex():
    owned = np.zeros((48, 64), bool)
    owned[:, -8:] = True  # the rightmost 2 grid columns of a 12×16 grid
    cov = grid_coverage(owned, (12, 16))
    assert cov[:, -3:].min() == 1.0 and cov[:, :-3].max() == 0.0
    assert grid_coverage(np.zeros((12, 16), bool), (12, 16)).max() == 0.0


def test_downsample_grid_keeps_small_maps_and_shrinks_large_ones():
    values = np.linspace(0, 1, 40 * 60, dtype=np.float32).reshape(40, 60)
    assert downsample_grid(values, 60) is values
    small = downsample_grid(values, 30)
    assert small.shape == (20, 30)
    assert small.mean() == pytest.approx(values.mean(), abs=1e-3)
