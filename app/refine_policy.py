"""When the viewport asks for a refinement, and at what size (pure; no Qt)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from infnat_core.camera import camera_position


@dataclass(frozen=True)
class RefinePolicyConfig:
    """The refine trigger (the refinement sliders set ``enabled`` and ``hole_fraction``)."""

    enabled: bool = True
    """Refine at all; off = fly on the photo's mesh alone."""
    hole_fraction: float = 0.03
    """Refine when the fraction of the view that is hole / torn edge / out of frame exceeds the keyframe's own
    (seen from its own camera) by more than this."""
    distance: float = 0.5
    """Refine when the camera is this far (world units) from the keyframe camera."""
    rest_seconds: float = 0.3
    """Refine a view that differs from the keyframe once the camera has rested this long."""
    probe_interval: float = 0.15
    """Seconds between small off-screen probe renders (hole fraction, the autopilot's disparity)."""
    probe_long_side: int = 256
    """Longest side in pixels of a probe render (the viewport's aspect ratio)."""
    long_side: int = 768
    """Longest side in pixels of the render sent to the refiner (the viewport's aspect ratio, never larger than
    the viewport): the new keyframe's colour resolution."""


def refine_size(view_width: int, view_height: int, long_side: int) -> tuple[int, int]:
    """(width, height) with the view's aspect ratio and ``long_side`` as its longest side, never larger than the
    view (at least 16×16)."""
    scale = min(1.0, long_side / max(view_width, view_height))
    return max(16, round(view_width * scale)), max(16, round(view_height * scale))


def pose_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Distance between the camera centres of two 3×4 poses."""
    return float(np.linalg.norm(camera_position(a) - camera_position(b)))


def same_view(a: np.ndarray, b: np.ndarray, tolerance: float = 1e-6) -> bool:
    """Whether two 3×4 poses are the same camera (within ``tolerance``)."""
    return bool(np.allclose(a, b, atol=tolerance))


def refine_reason(new_holes: float, distance: float, rest_seconds: float, refined_here: bool,
                  cfg: RefinePolicyConfig) -> str | None:
    """Why the current view should be refined now, or None.

    ``new_holes``: hole fraction of the latest probe render minus the keyframe's own; ``distance``: from the
    keyframe camera; ``rest_seconds``: how long the camera has been still (0 while moving); ``refined_here``: this
    view is the keyframe or was already sent.
    """
    if not cfg.enabled or refined_here:
        return None
    if new_holes > cfg.hole_fraction:
        return "holes"
    if distance > cfg.distance:
        return "distance"
    if rest_seconds >= cfg.rest_seconds:
        return "rest"
    return None


def probe_due(since_last_probe: float, cfg: RefinePolicyConfig) -> bool:
    """Whether the next probe render is due."""
    return since_last_probe >= cfg.probe_interval
