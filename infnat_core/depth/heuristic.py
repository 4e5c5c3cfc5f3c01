"""The built-in depth estimator: no weights, made for landscape photos.

Pipeline: reduce the photo to ``working_width`` → sky probability (``sky.py``) → horizon → ground/occlusion model
on a coarse grid (``relief.py``) → upsample → photo-guided filter so depth edges sit on photo edges → min–max
normalise over non-sky (like MiDaS in Infinite Nature's demo) → resize to the input size.
"""

from __future__ import annotations

import numpy as np

from infnat_core.depth.config import HeuristicDepthConfig
from infnat_core.depth.filters import guided_filter
from infnat_core.depth.interface import DepthEstimate, check_rgb
from infnat_core.depth.relief import horizon_from_sky, relief_disparity
from infnat_core.depth.resample import resize, size_for_width
from infnat_core.depth.sky import sky_probability

SKY_DECISION = 0.5
"""Sky probability above which a pixel is left out of the normalisation and the horizon estimate."""


class HeuristicDepthEstimator:
    """Sky at infinity, ground receding to the horizon, objects standing on the ground (see ``relief.py``)."""

    name = "heuristic"

    def __init__(self, config: HeuristicDepthConfig = HeuristicDepthConfig()) -> None:
        self.config = config

    def estimate(self, rgb: np.ndarray) -> DepthEstimate:
        """Depth of ``rgb (H, W, 3)`` float32 in [0, 1]; disparity and sky ``(H, W)`` float32 in [0, 1]."""
        cfg = self.config
        rgb = check_rgb(rgb)
        height, width = rgb.shape[:2]
        wh, ww = size_for_width(height, width, cfg.working_width)
        work = np.clip(resize(rgb, wh, ww), 0.0, 1.0)

        sky = sky_probability(work, cfg.horizon)
        sky_mask = sky > SKY_DECISION
        horizon = horizon_from_sky(sky_mask, cfg.horizon)

        ch, cw = size_for_width(wh, ww, cfg.relief_width)
        coarse = relief_disparity(resize(work, ch, cw), resize(sky_mask, ch, cw) > 0.5, horizon, cfg)
        disparity = guided_filter(work, resize(coarse, wh, ww), cfg.edge_radius, cfg.edge_eps, subsample=2)

        terrain = disparity[~sky_mask] if (~sky_mask).any() else disparity
        lo, hi = float(terrain.min()), float(terrain.max())
        disparity = np.clip((disparity - lo) / max(hi - lo, 1e-6), 0.0, 1.0)
        return DepthEstimate(
            disparity=np.clip(resize(disparity, height, width), 0.0, 1.0),
            sky=np.clip(resize(sky, height, width), 0.0, 1.0),
        )
