"""Turning a map of raw values (a user's file, a network's output) into disparity in [0, 1]."""

from __future__ import annotations

from typing import Literal

import numpy as np

from infnat_core.errors import InfnatError

DepthKind = Literal["disparity", "depth"]
DEPTH_KINDS: tuple[str, ...] = ("disparity", "depth")

MAX_DEPTH_RATIO = 100.0
"""Depths are clipped to at least ``max_depth / MAX_DEPTH_RATIO`` (the project's depth range is 1–100), so zero or
tiny depths become the nearest point instead of an infinite disparity."""


def to_disparity(values: np.ndarray, kind: DepthKind, near_is_bright: bool, what: str) -> np.ndarray:
    """Disparity ``(H, W)`` float32 in [0, 1] (1 = nearest) from raw ``values (H, W)``.

    ``kind`` says which quantity the values are linear in: ``"disparity"`` (inverse depth, MiDaS-style) or
    ``"depth"`` (distance). ``near_is_bright`` says whether larger values are nearer; when that is the opposite of
    the kind's natural order (disparity: larger = nearer, depth: larger = farther), the values are mirrored within
    their own range first. Depth becomes disparity as ``1 / max(depth, max_depth / 100)``; the result is min–max
    normalised. ``what`` names the source in error messages (e.g. ``"depth map 'd.png'"``).

    Raises ``InfnatError`` for NaN/infinite values, negative depths and maps with no variation.
    """
    v = np.asarray(values, dtype=np.float64)
    bad = int(v.size - np.count_nonzero(np.isfinite(v)))
    if bad:
        raise InfnatError(f"{what} has {bad} NaN or infinite values; fill them in (or export it again) and retry")
    lo, hi = float(v.min()), float(v.max())
    if hi - lo <= 1e-12 * max(1.0, abs(hi)):
        raise InfnatError(f"{what} is constant (every value is {lo:g}), so it has no depth; "
                          "use a real depth map or the built-in estimate")
    natural = near_is_bright if kind == "disparity" else not near_is_bright
    if not natural:
        v = (lo + hi) - v
    if kind == "depth":
        if lo < 0.0:
            raise InfnatError(f"{what} has negative depths (down to {lo:g}); distances must be ≥ 0 — "
                              "if it stores disparity (near = bright), pass kind 'disparity'")
        disp = 1.0 / np.maximum(v, hi / MAX_DEPTH_RATIO)
    else:
        disp = v
    d_lo, d_hi = float(disp.min()), float(disp.max())
    return ((disp - d_lo) / (d_hi - d_lo)).astype(np.float32)


def check_kind(kind: str) -> DepthKind:
    """``kind`` if it is a known depth kind, else ``InfnatError``."""
    if kind not in DEPTH_KINDS:
        raise InfnatError(f"depth kind must be 'disparity' or 'depth' (got {kind!r})")
    return kind  # type: ignore[return-value]
