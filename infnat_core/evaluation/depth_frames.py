"""Held-out synthetic frames with exact disparity for scoring depth estimators (``bench/eval_depth.py``)."""

from __future__ import annotations

import numpy as np

from infnat_core.data.synthetic import SyntheticConfig, SyntheticFlights
from infnat_core.evaluation.short_range import HELD_OUT_SEED


def held_out_frames(flights: int, per_flight: int, width: int = 256, height: int = 160,
                    seed: int = HELD_OUT_SEED) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """``(rgb (H, W, 3) float32 in [0, 1], disparity (H, W) float32 in [0.01, 1], sky (H, W) bool)`` of
    ``flights × per_flight`` frames: flights ``0..flights-1`` of ``seed``, frames evenly spaced along each path.
    ``sky`` marks pixels that are mostly sky (terrain beyond the disparity floor is not sky)."""
    data = SyntheticFlights(SyntheticConfig(height=height, width=width), seed=seed)
    picks = np.linspace(0, data.config.trajectory.steps - 1, per_flight).round().astype(int)
    frames = []
    for flight in range(flights):
        for step in picks:
            view = data.frame(flight, int(step))
            frames.append((view.rgb.copy(), view.disparity.copy(), view.sky >= 0.5))
    return frames
