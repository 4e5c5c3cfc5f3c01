"""The depth sliders: from a raw estimate to the disparity the keyframe mesh is built from."""

from __future__ import annotations

import numpy as np

from infnat_core.camera import MIN_DISPARITY
from infnat_core.depth.config import DepthConfig
from infnat_core.depth.interface import DepthEstimate


def apply_depth_config(est: DepthEstimate, cfg: DepthConfig) -> np.ndarray:
    """Final disparity ``(H, W)`` float32 in [0.01, 1] of an estimate under the user's depth settings.

    1. Disparity is clipped to [0.01, 1] (depth 1–100).
    2. Relief: ``log d ← m + relief_scale · (log d − m)`` with ``m`` the median log-disparity of the non-sky
       pixels, i.e. depth ratios are raised to the power ``relief_scale`` about the typical distance
       (2 = twice the relief in log-depth, 0 = everything at the median distance, a flat picture).
    3. Clipped to [0.01, near_clamp]; pixels with sky probability above ``sky_threshold`` become 0.01 (infinity).

    Costs a few milliseconds at 512² (one log, one exp and a median), so the GUI can call it on every slider move.
    """
    disparity = np.clip(est.disparity, MIN_DISPARITY, 1.0).astype(np.float32)
    sky = est.sky > cfg.sky_threshold
    if cfg.relief_scale != 1.0:
        log_d = np.log(disparity)
        terrain = log_d[~sky]
        pivot = np.float32(np.median(terrain)) if terrain.size else np.float32(0.0)
        disparity = np.exp(pivot + np.float32(cfg.relief_scale) * (log_d - pivot))
    out = np.clip(disparity, MIN_DISPARITY, cfg.near_clamp).astype(np.float32)
    out[sky] = MIN_DISPARITY
    return out
