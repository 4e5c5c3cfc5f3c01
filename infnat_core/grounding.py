"""Geometry grounding: rescale refined disparity to agree with the rendered geometry where it is valid.

Infinite Nature applies this after every refinement so depth cannot drift over a long flight:
``s = Σ mask·(log D_render − log D_refined) / Σ mask`` with both disparities clipped to [MIN_DISPARITY, 1],
then ``D = clip(exp(s)·D_refined, 0, 1)``. Only the scale changes.
"""

from __future__ import annotations

import numpy as np

from infnat_core.camera import MIN_DISPARITY


def grounding_scale(rendered_disp: np.ndarray, refined_disp: np.ndarray, mask: np.ndarray) -> float:
    """Scale ``exp(s)`` that best maps ``refined_disp`` onto ``rendered_disp`` in the log domain over ``mask``.

    All inputs ``(H, W)``; mask in [0, 1] weights each pixel (1 = valid rendered content). Returns 1.0 for an
    empty mask.
    """
    weights = mask.astype(np.float64)
    total = weights.sum()
    if total <= 0.0:
        return 1.0
    log_ratio = np.log(np.clip(rendered_disp, MIN_DISPARITY, 1.0).astype(np.float64)) - np.log(
        np.clip(refined_disp, MIN_DISPARITY, 1.0).astype(np.float64)
    )
    return float(np.exp((weights * log_ratio).sum() / total))


def ground_disparity(rendered_disp: np.ndarray, refined_disp: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Refined disparity ``(H, W)`` float32 rescaled by :func:`grounding_scale` and clipped to [0, 1].

    rendered_disp, refined_disp, mask: ``(H, W)``. An empty mask returns ``refined_disp`` unchanged.
    """
    scale = grounding_scale(rendered_disp, refined_disp, mask)
    if scale == 1.0:
        return refined_disp.astype(np.float32, copy=True)
    return np.clip(scale * refined_disp, 0.0, 1.0).astype(np.float32)
