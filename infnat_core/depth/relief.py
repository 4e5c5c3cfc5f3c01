"""The built-in estimator's geometry: a ground plane receding to the horizon with objects standing on it.

Worked out on a coarse grid (``HeuristicDepthConfig.relief_width`` wide), column by column from the bottom up:

* **Ground ramp** ``G(v)``: a flat ground seen from a level camera has disparity linear in the image row,
  reaching ``far_disparity`` at the horizon ``v_h``; above the horizon, far terrain (mountains) recedes linearly to
  0 at the top edge.
* **Ground region**: pixels below the horizon whose colour resembles the bottom strip of the photo and that connect
  to the bottom edge. Ground pixels take ``G(v)``.
* **Standing objects**: anything else keeps the disparity of what is below it (it stands on it), so a tree or a
  rock is as near at its top as at its foot, and objects lower in the frame are nearer.
* **Occlusion steps**: at the top boundary of an object (a strong colour step with no ground just below it), what
  lies above is behind it: the disparity drops to ``occlusion_ratio · G(v)``. Boundaries are thinned to one row
  (non-maximum suppression) so that one boundary makes one step.

Ground follows the ramp; anything else never comes nearer going up a column, so an object higher in the frame is
never in front of the one below it.
"""

from __future__ import annotations

import numpy as np

from infnat_core.depth.config import HeuristicDepthConfig
from infnat_core.depth.connectivity import connected_to
from infnat_core.depth.filters import box_mean, guided_filter

BOUNDARY_ROWS = 3
"""Rows (on the coarse grid) averaged above and below a pixel to measure a region boundary, not texture."""
BOTTOM_STRIP = 0.1
"""Fraction of the height at the bottom whose colours define what ground looks like."""
SKY_BOTTOM_PERCENTILE = 80
"""Columns ranked by how low the sky reaches: the sky reaching this low in 20% of columns can lower the horizon."""


def horizon_from_sky(sky_mask: np.ndarray, prior: float) -> float:
    """Horizon height (fraction of the height, 0 = top) from a sky mask ``(H, W)`` bool.

    The horizon is never above ``prior`` (a level camera); it moves down when the sky reaches lower across a good
    part of the width (a low horizon over the sea), and stays above the bottom 5% of the frame.
    """
    h = sky_mask.shape[0]
    has_sky = sky_mask.any(axis=0)
    lowest = np.where(has_sky, h - np.argmax(sky_mask[::-1], axis=0), 0) / h
    return float(min(max(prior, np.percentile(lowest, SKY_BOTTOM_PERCENTILE)), 0.95))


def ground_ramp(height: int, horizon: float, far: float) -> np.ndarray:
    """Disparity ``(height,)`` of each coarse row: ``far`` at the horizon, 1 at the bottom, 0 at the top."""
    v = (np.arange(height, dtype=np.float32) + 0.5) / height
    below = far + (1.0 - far) * (v - horizon) / (1.0 - horizon)
    above = far * v / horizon
    return np.where(v >= horizon, below, above).astype(np.float32)


def region_step(rgb: np.ndarray, rows: int) -> np.ndarray:
    """Colour step ``(H, W)`` between the ``rows`` rows above and below each pixel (summed |ΔRGB|), thinned to
    local maxima along each column."""
    h = rgb.shape[0]
    csum = np.concatenate([np.zeros_like(rgb[:1]), np.cumsum(rgb, axis=0)], axis=0)
    i = np.arange(h)
    top, bottom = np.maximum(i - rows, 0), np.minimum(i + 1 + rows, h)
    above = (csum[i] - csum[top]) / np.maximum(i - top, 1)[:, None, None]
    below = (csum[bottom] - csum[i + 1]) / np.maximum(bottom - i - 1, 1)[:, None, None]
    above[0], below[-1] = rgb[0], rgb[-1]
    step = box_mean(np.abs(above - below).sum(axis=-1), 1)
    up = np.vstack([step[:1], step[:-1]])
    down = np.vstack([step[1:], step[-1:]])
    return np.where((step >= up) & (step >= down), step, 0.0).astype(np.float32)


def ground_likeness(rgb: np.ndarray, horizon: float) -> np.ndarray:
    """How much each pixel of ``rgb (H, W, 3)`` belongs to the ground region, ``(H, W)`` float32 in [0, 1]."""
    h, w = rgb.shape[:2]
    strip = rgb[-max(2, int(round(BOTTOM_STRIP * h))):].reshape(-1, 3)
    median = np.median(strip, axis=0)
    spread = np.median(np.abs(strip - median), axis=0)
    distance = (np.abs(rgb - median) / (2.0 * spread + 0.05)).max(axis=-1)
    v = (np.arange(h, dtype=np.float32) + 0.5) / h
    likeness = np.clip(1.5 - distance, 0.0, 1.0) * (v[:, None] >= horizon)
    seed = np.zeros((h, w), dtype=bool)
    seed[-1, :] = True
    return box_mean(likeness * connected_to(likeness > 0.3, seed), 1)


def relief_disparity(rgb: np.ndarray, sky: np.ndarray, horizon: float, cfg: HeuristicDepthConfig) -> np.ndarray:
    """Coarse disparity ``(h, w)`` float32 (1 = nearest ground) of a coarse ``rgb (h, w, 3)`` with sky mask
    ``sky (h, w)`` bool; sky gets ``occlusion_ratio · G(v)`` (what terrain there would be, were it not sky)."""
    h, w = rgb.shape[:2]
    ramp = ground_ramp(h, horizon, cfg.far_disparity)
    ground = ground_likeness(rgb, horizon)
    contrast = cfg.boundary_contrast
    boundary = np.clip((region_step(rgb, BOUNDARY_ROWS) - 0.4 * contrast) / (0.6 * contrast), 0.0, 1.0)
    # Only the top of an object occludes: no step where ground lies just below (an object standing on it).
    below = ground[np.minimum(np.arange(h) + BOUNDARY_ROWS, h - 1)]
    step = boundary * (1.0 - below)
    behind = cfg.occlusion_ratio * ramp

    out = np.empty((h, w), dtype=np.float32)
    cur = np.full(w, ramp[-1], dtype=np.float32)
    for i in range(h - 1, -1, -1):
        cur = cur - step[i] * np.maximum(cur - behind[i], 0.0)
        cur = cur + ground[i] * (ramp[i] - cur)
        cur = np.where(sky[i], behind[i], cur)
        out[i] = cur
    # Columns are independent above; a guided filter at this scale evens them out within photo regions.
    radius = max(1, round(6 * w / 128))
    return guided_filter(rgb, out, radius, 1e-3)
