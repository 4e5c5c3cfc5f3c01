"""Sky at infinity (as InfiniteNature-Zero): sky is indexed by direction only, so it never moves with translation.

The photo's own sky is drawn by the renderer's sky pass straight from the photo; what the refiner paints as sky
beyond it is kept here, in a world-aligned equirectangular dome that the same pass reads. The first sky painted
in a direction stays: flying back shows the same clouds.
"""

from __future__ import annotations

import math

import numpy as np

from infnat_core import camera

SKY_DISPARITY = camera.MIN_DISPARITY * 1.01
"""Disparity at or below which a pixel is sky (at the far plane; the depth estimators put sky exactly there)."""


def is_sky(disparity: np.ndarray) -> np.ndarray:
    """Boolean ``(...)`` sky mask of a disparity map ``(...)``."""
    return disparity <= SKY_DISPARITY


def dome_coordinates(directions: np.ndarray, height: int) -> tuple[np.ndarray, np.ndarray]:
    """Row and column ``(N,)`` int of world directions ``(N, 3)`` in a ``height``×``2·height`` equirectangular dome:
    columns are longitude (atan2(x, z), −π at column 0), rows latitude (world up, −y, at row 0)."""
    d = directions / np.linalg.norm(directions, axis=-1, keepdims=True)
    lon = np.arctan2(d[:, 0], d[:, 2])
    lat = np.arcsin(np.clip(-d[:, 1], -1.0, 1.0))
    width = 2 * height
    col = np.clip(((lon / (2 * math.pi) + 0.5) * width).astype(np.int64), 0, width - 1)
    row = np.clip(((0.5 - lat / math.pi) * height).astype(np.int64), 0, height - 1)
    return row, col


class SkyDome:
    """Painted sky by world direction: ``rgba (height, 2·height, 4)`` uint8, alpha 255 where painted."""

    def __init__(self, height: int = 1024):
        self.rgba = np.zeros((height, 2 * height, 4), np.uint8)

    def paint(self, rgb: np.ndarray, disparity: np.ndarray, painted: np.ndarray, pose: np.ndarray,
              intrinsics: np.ndarray) -> bool:
        """Keep the sky a view painted where the dome has none yet: rgb ``(H, W, 3)`` float32 in [0, 1], disparity
        ``(H, W)``, painted ``(H, W)`` bool (pixels the refiner made), pose ``(3, 4)`` cam_from_world, intrinsics
        ``(4,)``. Returns whether the dome changed."""
        new = painted & is_sky(disparity)
        if not new.any():
            return False
        # Inverse mapping (dome cell -> view pixel), so a view coarser than the dome leaves no gaps in it.
        h, w = disparity.shape
        u, v = camera.pixel_centres(h, w)
        fx, fy, cx, cy = intrinsics
        rays = np.stack([(u[new] - cx) / fx, (v[new] - cy) / fy, np.ones(int(new.sum()))], axis=-1)
        rows, cols = dome_coordinates(rays @ pose[:, :3], self.rgba.shape[0])  # world = Rᵀ·ray (rows as vectors)
        dome_h, dome_w = self.rgba.shape[:2]
        row_range = np.arange(max(0, rows.min() - 1), min(dome_h, rows.max() + 2))
        col_range = np.arange(dome_w) if cols.max() - cols.min() > dome_w // 2 else np.arange(
            max(0, cols.min() - 1), min(dome_w, cols.max() + 2))
        cell_rows, cell_cols = (a.ravel() for a in np.meshgrid(row_range, col_range, indexing="ij"))
        empty = self.rgba[cell_rows, cell_cols, 3] == 0
        cell_rows, cell_cols = cell_rows[empty], cell_cols[empty]
        lon = ((cell_cols + 0.5) / dome_w - 0.5) * 2 * math.pi
        lat = (0.5 - (cell_rows + 0.5) / dome_h) * math.pi
        world = np.stack([np.cos(lat) * np.sin(lon), -np.sin(lat), np.cos(lat) * np.cos(lon)], axis=-1)
        cam = world @ pose[:, :3].T
        front = cam[:, 2] > 1e-6
        uv, _ = camera.project(cam[front], intrinsics)
        # Cells up to one cell outside the view take its border pixels, so the dome's filtered edge stays painted.
        margin = np.array([2 * math.pi / dome_w * fx, math.pi / dome_h * fy])
        inside = np.all((uv > -margin) & (uv < 1.0 + margin), axis=1)
        cells = np.flatnonzero(front)[inside]
        col = np.clip(np.floor(uv[inside, 0] * w).astype(np.int64), 0, w - 1)
        row = np.clip(np.floor(uv[inside, 1] * h).astype(np.int64), 0, h - 1)
        hit = new[row, col]
        if not hit.any():
            return False
        cells, row, col = cells[hit], row[hit], col[hit]
        self.rgba[cell_rows[cells], cell_cols[cells], :3] = np.clip(rgb[row, col] * 255.0 + 0.5, 0, 255).astype(np.uint8)
        self.rgba[cell_rows[cells], cell_cols[cells], 3] = 255
        return True
