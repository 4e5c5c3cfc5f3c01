"""Keyframe mesh topology and Infinite Nature's edge mask (numpy)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
from PIL import Image

EDGE_SHARPNESS = 10.0
"""α = exp(−EDGE_SHARPNESS · |Sobel(disparity)|) (Infinite Nature)."""


def sobel_magnitude(disparity: np.ndarray) -> np.ndarray:
    """Largest absolute Sobel response (x or y) ``(H, W)`` of a map ``(H, W)``, edges replicated."""
    d = np.pad(disparity.astype(np.float32), 1, mode="edge")
    # Separable Sobel: smooth [1, 2, 1] across, difference [-1, 0, 1] along.
    smooth_rows = d[:-2, :] + 2.0 * d[1:-1, :] + d[2:, :]
    gx = smooth_rows[:, 2:] - smooth_rows[:, :-2]
    smooth_cols = d[:, :-2] + 2.0 * d[:, 1:-1] + d[:, 2:]
    gy = smooth_cols[2:, :] - smooth_cols[:-2, :]
    return np.maximum(np.abs(gx), np.abs(gy))


def edge_mask(disparity: np.ndarray, threshold: float = 0.3) -> np.ndarray:
    """Per-vertex validity ``(H, W)`` float32: 1 where exp(−10·|Sobel|) > threshold, 0 on depth edges.

    Triangles that touch a 0 vertex interpolate toward 0, so surfaces torn apart by a depth edge render masked
    (to be refined) instead of smeared.
    """
    alpha = np.exp(-EDGE_SHARPNESS * sobel_magnitude(disparity))
    return (alpha > threshold).astype(np.float32)


def downsample_grid(values: np.ndarray, max_side: int) -> np.ndarray:
    """Box-downsample a per-vertex map ``(H, W)`` (disparity, coverage) so its longest side is at most ``max_side``
    (at least 2×2); a map already small enough is returned as float32 unchanged. Returns ``(h, w)`` float32."""
    h, w = values.shape
    scale = max_side / max(h, w)
    if scale >= 1.0:
        return values.astype(np.float32, copy=False)
    size = (max(2, round(w * scale)), max(2, round(h * scale)))
    return np.asarray(Image.fromarray(values.astype(np.float32), mode="F").resize(size, Image.Resampling.BOX))


def grid_coverage(owned: np.ndarray, grid_shape: tuple[int, int]) -> np.ndarray:
    """Per-vertex coverage ``(H, W)`` float32 in {0, 1} on a mesh grid of ``grid_shape`` from a pixel map ``(h, w)``
    bool of what a layer owns (e.g. what a refinement painted): 1 at every vertex whose cell holds an owned pixel,
    grown by one vertex so the owned content overlaps its neighbours' instead of leaving a crack."""
    h, w = grid_shape
    fraction = Image.fromarray(owned.astype(np.float32), mode="F").resize((w, h), Image.Resampling.BOX)
    small = np.asarray(fraction) > 0.01
    grown = np.pad(small, 1)
    out = np.zeros_like(small)
    for dy in range(3):
        for dx in range(3):
            out |= grown[dy : dy + h, dx : dx + w]
    return out.astype(np.float32)


@cache
def grid_indices(height: int, width: int) -> np.ndarray:
    """Triangle indices ``(2·(H−1)·(W−1)·3,)`` uint32 of a row-major H×W vertex grid, two per pixel quad."""
    idx = np.arange(height * width, dtype=np.uint32).reshape(height, width)
    tl, tr = idx[:-1, :-1].ravel(), idx[:-1, 1:].ravel()
    bl, br = idx[1:, :-1].ravel(), idx[1:, 1:].ravel()
    tris = np.stack([tl, bl, tr, tr, bl, br], axis=1)
    out = tris.ravel()
    out.flags.writeable = False
    return out


def skirt_indices(height: int, width: int) -> np.ndarray:
    """Triangle indices ``(6·P,)`` uint32 joining the border of an H×W vertex grid to its skirt: the P = 2·W + 2·H − 4
    extra vertices ``H·W + k`` that ``shaders/mesh.vert`` places outside border vertex k (clockwise from the top-left
    corner, as its ``border_vertex``)."""
    top = [(0, j) for j in range(width)]
    right = [(i, width - 1) for i in range(1, height)]
    bottom = [(height - 1, j) for j in range(width - 2, -1, -1)]
    left = [(i, 0) for i in range(height - 2, 0, -1)]
    border = np.array([i * width + j for i, j in top + right + bottom + left], np.uint32)
    skirt = height * width + np.arange(border.size, dtype=np.uint32)
    following = np.roll(np.arange(border.size), -1)
    tris = np.stack([border, skirt, border[following], border[following], skirt, skirt[following]], axis=1)
    return tris.ravel()


TILE_QUADS = 16
"""Quads per side of a culling tile (``tiled_grid``)."""


@dataclass(frozen=True)
class GridTiles:
    """A vertex grid's triangles ordered tile by tile (square tiles of quads), so each tile is one contiguous index
    range and a renderer can draw only the tiles a view can see."""

    indices: np.ndarray  # (N,) uint32 triangle indices, tile-major
    first: np.ndarray  # (T,) int: first index of each tile in ``indices``
    count: np.ndarray  # (T,) int: number of indices of each tile
    rows: np.ndarray  # (T, 2) int: first and last vertex row a tile uses
    cols: np.ndarray  # (T, 2) int: first and last vertex column a tile uses


@cache
def tiled_grid(height: int, width: int, tile: int = TILE_QUADS) -> GridTiles:
    """The triangles of ``grid_indices(height, width)`` in tiles of ``tile``×``tile`` quads (row-major tiles)."""
    quads_h, quads_w = height - 1, width - 1
    tiles_w = -(-quads_w // tile)
    qi, qj = np.mgrid[0:quads_h, 0:quads_w]
    tile_of_quad = ((qi // tile) * tiles_w + qj // tile).ravel()
    order = np.argsort(tile_of_quad, kind="stable")
    indices = grid_indices(height, width).reshape(-1, 6)[order].ravel()
    per_tile = np.bincount(tile_of_quad) * 6
    first = np.concatenate([[0], np.cumsum(per_tile)[:-1]])
    ti, tj = np.divmod(np.arange(per_tile.size), tiles_w)
    rows = np.stack([ti * tile, np.minimum((ti + 1) * tile, quads_h)], axis=1)
    cols = np.stack([tj * tile, np.minimum((tj + 1) * tile, quads_w)], axis=1)
    for a in (indices, first, per_tile, rows, cols):
        a.flags.writeable = False
    return GridTiles(indices, first, per_tile, rows, cols)


def tile_extremes(values: np.ndarray, tiles: GridTiles) -> tuple[np.ndarray, np.ndarray]:
    """Least and greatest of a per-vertex map ``(H, W)`` over each tile's vertices: two ``(T,)`` arrays."""
    quads = np.stack([values[:-1, :-1], values[1:, :-1], values[:-1, 1:], values[1:, 1:]])
    row_starts, col_starts = np.unique(tiles.rows[:, 0]), np.unique(tiles.cols[:, 0])

    def per_tile(reduce: np.ufunc) -> np.ndarray:
        per_quad = reduce.reduce(quads, axis=0)
        return reduce.reduceat(reduce.reduceat(per_quad, row_starts, axis=0), col_starts, axis=1).ravel()

    return per_tile(np.minimum), per_tile(np.maximum)


def tile_corners(disparity: np.ndarray, intrinsics: np.ndarray, tiles: GridTiles) -> np.ndarray:
    """Corners ``(T, 8, 4)`` (homogeneous, keyframe camera space) of a box around each tile's vertices.

    ``disparity (H, W)`` is the mesh's (clamped to [0.01, 1] as the vertex shader does), ``intrinsics (4,)`` the
    keyframe's in texture units. A tile's vertices span a range of pixel-centre coordinates (u, v) and of depths z;
    the eight (u, v, z) extremes, lifted to 3-D, span a convex frustum piece that holds all of them.
    """
    h, w = disparity.shape
    least, greatest = tile_extremes(np.clip(disparity, 0.01, 1.0), tiles)
    fx, fy, cx, cy = (float(v) for v in intrinsics)
    u = (tiles.cols + 0.5) / w  # (T, 2)
    v = (tiles.rows + 0.5) / h
    z = np.stack([1.0 / greatest, 1.0 / least], axis=1)
    # Corner k takes u[k // 4], v[k // 2 % 2], z[k % 2].
    pick = np.arange(8)
    zz = z[:, pick % 2]
    corners = np.empty((tiles.first.size, 8, 4), np.float64)
    corners[..., 0] = (u[:, pick // 4] - cx) / fx * zz
    corners[..., 1] = (v[:, pick // 2 % 2] - cy) / fy * zz
    corners[..., 2] = zz
    corners[..., 3] = 1.0
    return corners


def visible_tiles(corners: np.ndarray, clip_from_key: np.ndarray) -> np.ndarray:
    """Which tiles ``(T,)`` bool may show in a view: those whose corners ``(T, 8, 4)`` (``tile_corners``) are not
    all beyond one side or the near plane of the view's clip space (``clip_from_key (4, 4)``; conservative)."""
    clip = corners @ clip_from_key.T  # (T, 8, 4)
    x, y, z, w = clip[..., 0], clip[..., 1], clip[..., 2], clip[..., 3]
    outside = ((x > w).all(1) | (x < -w).all(1) | (y > w).all(1) | (y < -w).all(1) | (z < -w).all(1))
    return ~outside
