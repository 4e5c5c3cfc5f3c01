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
    hole_fraction: float = 0.01
    """Refine when more than this fraction of the view is hole / torn edge / out of frame."""
    distance: float = 0.5
    """Refine when the camera is this far (world units) from the keyframe camera."""
    rest_seconds: float = 0.3
    """Refine a view that differs from the keyframe once the camera has rested this long."""
    probe_interval: float = 0.25
    """Least seconds between off-screen probe renders of the moving view (hole fraction, the autopilot's
    disparity); a probe that fires the trigger is itself the refine request."""
    long_side: int = 640
    """Longest side in pixels of probe and refine renders (the viewport's aspect ratio, never larger than the
    viewport): the new keyframe's colour resolution."""


def refine_size(view_width: int, view_height: int, long_side: int) -> tuple[int, int]:
    """(width, height) with the view's aspect ratio and ``long_side`` as its longest side, never larger than the
    view (at least 16×16)."""
    scale = min(1.0, long_side / max(view_width, view_height))
    return max(16, round(view_width * scale)), max(16, round(view_height * scale))


def pose_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Distance between the camera centres of two 3×4 poses."""
    return float(np.linalg.norm(camera_position(a) - camera_position(b)))


def same_view(a: np.ndarray, b: np.ndarray, tolerance: float = 1e-3) -> bool:
    """Whether two 3×4 poses are practically the same camera (entries within ``tolerance``: ~1/1000 of a unit,
    ~0.06°)."""
    return bool(np.allclose(a, b, atol=tolerance))


def refine_reason(hole_fraction: float, distance: float, rest_seconds: float, refined_here: bool,
                  cfg: RefinePolicyConfig) -> str | None:
    """Why the current view should be refined now, or None.

    ``hole_fraction``: of the latest probe render; ``distance``: from the keyframe camera; ``rest_seconds``: how
    long the camera has been still (0 while moving); ``refined_here``: this view is the keyframe or was already sent.
    """
    if not cfg.enabled or refined_here:
        return None
    if hole_fraction > cfg.hole_fraction:
        return "holes"
    if distance > cfg.distance:
        return "distance"
    if rest_seconds >= cfg.rest_seconds:
        return "rest"
    return None
