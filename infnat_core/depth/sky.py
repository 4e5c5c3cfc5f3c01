"""Sky detection for the built-in estimator: bright or blue, untextured, and reachable from the top of the photo.

A pixel is a sky *candidate* when it is smooth (little local luminance gradient) and either blue-ish or bright
(clouds, haze, a sunset glow), and not green. Sky is the candidates connected to the top border (or to the side
borders above the horizon, for sky cut off by a branch or cable), plus candidates elsewhere that match the colour of
the sky found on the same row (sky seen between cables). Bright smooth things below the sky — snow, water, a white
wall — are not connected and have no matching sky on their rows, so they stay terrain.
"""

from __future__ import annotations

import numpy as np

from infnat_core.depth.connectivity import connected_to
from infnat_core.depth.filters import box_mean, guided_filter

FLAT_GRADIENT = 0.01
"""Mean absolute luminance gradient (per pixel at 512 px width) at which a region stops being fully smooth..."""
TEXTURE_SPAN = 0.02
"""...and how much more gradient makes it fully textured (not sky)."""
BLUE_SPAN = 0.12
"""Blue-minus-red excess that makes a pixel fully blue-sky coloured."""
MIN_SKY_LUMA = 0.25
"""Blue pixels darker than this (plus a 0.15 ramp) are water or shade, not sky."""
BRIGHT_LUMA = 0.6
"""Luminance from which (plus a 0.15 ramp) any colour counts as bright sky: clouds, haze, sunset glow."""
GREEN_EXCESS = 0.02
"""Green above both red and blue by this much (plus a 0.05 ramp) marks vegetation, never sky."""
ROW_COLOUR_TOLERANCE = 0.08
"""Largest per-channel difference to the mean sky colour of a row for a disconnected candidate to count as sky."""
SOFT_RADIUS = 3
"""Radius (working pixels) of the guided filter that turns the hard sky mask into a soft, edge-aligned probability."""


def luminance(rgb: np.ndarray) -> np.ndarray:
    """Rec. 601 luma ``(H, W)`` of ``rgb (H, W, 3)``."""
    return rgb @ np.array([0.299, 0.587, 0.114], dtype=np.float32)


def _ramp(x: np.ndarray, start: float, span: float) -> np.ndarray:
    return np.clip((x - start) / span, 0.0, 1.0)


def sky_candidate(rgb: np.ndarray) -> np.ndarray:
    """How sky-like each pixel looks on its own, ``(H, W)`` float32 in [0, 1] (colour and smoothness only)."""
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    luma = luminance(rgb)
    grad = np.zeros_like(luma)
    grad[:, 1:-1] += np.abs(luma[:, 2:] - luma[:, :-2]) * 0.5
    grad[1:-1, :] += np.abs(luma[2:, :] - luma[:-2, :]) * 0.5
    scale = 512.0 / rgb.shape[1]  # a smooth gradient spans fewer pixels in a smaller image: steeper per pixel
    smooth = 1.0 - _ramp(box_mean(grad, 2), FLAT_GRADIENT * scale, TEXTURE_SPAN * scale)
    blue = _ramp(b - r, 0.0, BLUE_SPAN) * _ramp(luma, MIN_SKY_LUMA, 0.15)
    bright = _ramp(luma, BRIGHT_LUMA, 0.15)
    green = _ramp(g - np.maximum(r, b), GREEN_EXCESS, 0.05)
    return (np.maximum(blue, bright) * (1.0 - green) * smooth).astype(np.float32)


def sky_probability(rgb: np.ndarray, horizon: float) -> np.ndarray:
    """Sky probability ``(H, W)`` float32 in [0, 1] of ``rgb (H, W, 3)`` float32 in [0, 1].

    ``horizon`` (fraction of the height) limits where sky may enter from the side borders.
    """
    h, w = rgb.shape[:2]
    candidate = sky_candidate(rgb)
    mask = candidate > 0.5
    seed = np.zeros((h, w), dtype=bool)
    seed[0, :] = True
    side = max(1, int(horizon * h))
    seed[:side, 0] = True
    seed[:side, -1] = True
    sky = connected_to(mask, seed)

    per_row = sky.sum(axis=1)
    rows = per_row > 0
    if rows.any():
        row_colour = (rgb * sky[..., None]).sum(axis=1) / np.maximum(per_row, 1)[:, None]
        close = np.abs(rgb - row_colour[:, None, :]).max(axis=-1) < ROW_COLOUR_TOLERANCE
        sky |= mask & close & rows[:, None]

    soft = guided_filter(rgb, sky * candidate, SOFT_RADIUS, 1e-3, subsample=2)
    return np.clip(soft, 0.0, 1.0)
