"""Depth-edge bands: the rendered pixels a refiner repaints besides the holes.

Where a warped mesh crosses a depth edge, the render draws the edge's blended pixels at the wrong depth and
stretches thin triangles between the two surfaces, so for a pixel or two on both sides its colour is neither the
near surface nor the far one. The classical fill cannot repaint these pixels (it has nothing better to copy), but a
network that sees colour and disparity can: painting them is most of what a refiner can gain over the fill on short
flights (see docs/model-card.md).
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from infnat_core import camera


def edge_band(disparity: torch.Tensor, threshold: float, radius: int = 1) -> torch.Tensor:
    """``(B, 1, H, W)`` float 1 within ``radius`` pixels of a depth edge of ``disparity (B, 1, H, W)``, else 0.

    A depth edge lies between 4-neighbours whose log disparities (clipped to ``camera.MIN_DISPARITY``, so holes
    count as far) differ by more than ``threshold``; both pixels are marked. ``threshold`` 0 marks nothing.
    """
    if threshold <= 0.0:
        return torch.zeros_like(disparity)
    log = torch.log(disparity.clamp(min=camera.MIN_DISPARITY))
    across = (log[..., :, 1:] - log[..., :, :-1]).abs() > threshold
    down = (log[..., 1:, :] - log[..., :-1, :]).abs() > threshold
    edge = torch.zeros_like(disparity, dtype=torch.bool)
    edge[..., :, 1:] |= across
    edge[..., :, :-1] |= across
    edge[..., 1:, :] |= down
    edge[..., :-1, :] |= down
    band = edge.to(disparity.dtype)
    return F.max_pool2d(band, 2 * radius + 1, 1, radius) if radius > 0 else band


def paint_mask(mask: torch.Tensor, disparity: torch.Tensor, threshold: float) -> torch.Tensor:
    """``(B, 1, H, W)`` in [0, 1]: the render's validity ``mask`` with its depth-edge band (``edge_band`` of the
    render's ``disparity (B, 1, H, W)``, holes 0) cleared: 1 = keep the rendered pixel, 0 = the refiner paints it."""
    return mask * (1.0 - edge_band(disparity, threshold))


def keep_mask(mask: np.ndarray, disparity: np.ndarray, threshold: float) -> np.ndarray:
    """:func:`paint_mask` of one render: ``mask (H, W)`` and ``disparity (H, W)`` → ``(H, W)`` float32."""
    if threshold <= 0.0:  # no band: the mask as it is (the common case, once per refined frame)
        return np.asarray(mask, np.float32)
    as_batch = lambda a: torch.from_numpy(np.asarray(a, np.float32))[None, None]  # noqa: E731
    return paint_mask(as_batch(mask), as_batch(disparity), threshold)[0, 0].numpy()
