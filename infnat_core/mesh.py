"""Keyframe mesh topology and Infinite Nature's edge mask (numpy)."""

from __future__ import annotations

from functools import cache

import numpy as np

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
