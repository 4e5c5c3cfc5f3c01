"""The one interface every depth backend implements, and the estimate it returns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from infnat_core.errors import InfnatError

MIN_IMAGE_SIDE = 8
"""Smallest image side (pixels) a depth estimate is made for."""


@dataclass(frozen=True)
class DepthEstimate:
    """A backend's raw answer for one image, before the user's ``DepthConfig`` is applied."""

    disparity: np.ndarray
    """``(H, W)`` float32 in [0, 1]: 1 = nearest, 0 = infinity; the size of the input image."""
    sky: np.ndarray
    """``(H, W)`` float32 in [0, 1]: sky probability (all zeros when the backend has no notion of sky)."""

    def __post_init__(self) -> None:
        if self.disparity.ndim != 2 or self.disparity.shape != self.sky.shape:
            raise ValueError(f"disparity {self.disparity.shape} and sky {self.sky.shape} must be equal (H, W) maps")


class DepthEstimator(Protocol):
    """Anything that turns a photo into a ``DepthEstimate``."""

    name: str
    """Short human-readable description for the GUI/CLI (e.g. ``"heuristic"``, ``"network midas.onnx"``)."""

    def estimate(self, rgb: np.ndarray) -> DepthEstimate:
        """Depth of ``rgb (H, W, 3)`` float32 in [0, 1], any size; the estimate has the same ``(H, W)``."""
        ...


def check_rgb(rgb: np.ndarray) -> np.ndarray:
    """``rgb`` as a contiguous ``(H, W, 3)`` float32 array; ``InfnatError`` for another shape, a tiny or a NaN image."""
    arr = np.asarray(rgb)
    if arr.ndim != 3 or arr.shape[2] != 3:
        raise InfnatError(f"depth estimation needs an RGB image of shape (H, W, 3), got {arr.shape}; convert it to RGB")
    h, w = arr.shape[:2]
    if min(h, w) < MIN_IMAGE_SIDE:
        raise InfnatError(f"the image is {w}×{h} pixels; depth estimation needs at least "
                          f"{MIN_IMAGE_SIDE}×{MIN_IMAGE_SIDE}, use a larger image")
    out = np.ascontiguousarray(arr, dtype=np.float32)
    if not np.isfinite(out).all():
        raise InfnatError("the image has NaN or infinite pixel values; load it again from the file")
    return out
