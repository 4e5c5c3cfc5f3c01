"""Monocular depth metrics against exact ground truth, MiDaS-style (relative depth, scale and shift unknown).

A monocular estimate is only defined up to an affine map of disparity, so each predicted map is first aligned to the
ground truth per image: ``(s, t) = argmin Σ_valid (s·d_pred + t − d_gt)²`` (ordinary least squares in *disparity*,
over the valid pixels only). The aligned disparity ``s·d_pred + t`` is clipped to ``[min_disparity, 1]`` (the
ground truth's own range, depth 1–100) and turned into depth ``1 / d``; then, over the valid pixels,

* ``abs_rel = mean(|z_pred − z_gt| / z_gt)`` (lower is better), and
* ``delta1 = mean(max(z_pred / z_gt, z_gt / z_pred) < 1.25)`` (higher is better).

Valid pixels are those with ground-truth disparity above ``min_disparity``: pixels *at* the floor (sky, and terrain
farther than depth 100) have no finite depth to compare. The sky among them is scored separately by
``infinity_iou``, which checks that an estimator puts exactly the sky at infinity (far terrain belongs on the far
plane, not at infinity).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from infnat_core.camera import MIN_DISPARITY

DELTA_THRESHOLD = 1.25
"""Ratio below which a pixel counts for ``delta1``."""
FLOOR_TOLERANCE = 1e-4
"""Ground-truth disparity within this of the floor counts as 'at infinity'."""


@dataclass(frozen=True)
class DepthErrors:
    """Scores of one predicted disparity map."""

    abs_rel: float
    """Mean absolute relative depth error over the valid pixels, after alignment."""
    delta1: float
    """Fraction of valid pixels whose depth ratio to the truth is below 1.25, after alignment."""
    scale: float
    """Fitted ``s`` of the alignment."""
    shift: float
    """Fitted ``t`` of the alignment."""
    valid: int
    """Number of pixels scored."""


def at_infinity(gt_disparity: np.ndarray, min_disparity: float = MIN_DISPARITY) -> np.ndarray:
    """``(H, W)`` bool: ground-truth pixels at the disparity floor (sky, or beyond depth ``1 / min_disparity``)."""
    return np.asarray(gt_disparity) <= min_disparity + FLOOR_TOLERANCE


def align_scale_shift(pred: np.ndarray, gt: np.ndarray, valid: np.ndarray) -> tuple[float, float]:
    """Least-squares ``(s, t)`` with ``s·pred + t ≈ gt`` over ``valid``; all ``(H, W)``.

    A constant prediction (no variation to scale) gets ``s = 0`` and ``t`` = the mean of ``gt``.
    """
    p = np.asarray(pred, np.float64)[valid]
    g = np.asarray(gt, np.float64)[valid]
    if p.size == 0:
        raise ValueError("no valid pixels to align on")
    p_mean, g_mean = p.mean(), g.mean()
    var = float(np.mean((p - p_mean) ** 2))
    if var <= 1e-18:
        return 0.0, float(g_mean)
    s = float(np.mean((p - p_mean) * (g - g_mean)) / var)
    return s, float(g_mean - s * p_mean)


def depth_errors(pred_disparity: np.ndarray, gt_disparity: np.ndarray,
                 min_disparity: float = MIN_DISPARITY) -> DepthErrors:
    """Aligned abs-rel and δ<1.25 of ``pred_disparity (H, W)`` (any affine scale) against ``gt_disparity (H, W)``
    in ``[min_disparity, 1]`` (1 / depth). Raises ``ValueError`` when the truth has no valid pixel."""
    pred = np.asarray(pred_disparity, np.float64)
    gt = np.asarray(gt_disparity, np.float64)
    if pred.shape != gt.shape:
        raise ValueError(f"prediction {pred.shape} and ground truth {gt.shape} differ in shape")
    valid = ~at_infinity(gt, min_disparity)
    s, t = align_scale_shift(pred, gt, valid)
    aligned = np.clip(s * pred[valid] + t, min_disparity, 1.0)
    z_pred, z_gt = 1.0 / aligned, 1.0 / gt[valid]
    ratio = np.maximum(z_pred / z_gt, z_gt / z_pred)
    return DepthErrors(
        abs_rel=float(np.mean(np.abs(z_pred - z_gt) / z_gt)),
        delta1=float(np.mean(ratio < DELTA_THRESHOLD)),
        scale=s,
        shift=t,
        valid=int(valid.sum()),
    )


def infinity_iou(pred_infinity: np.ndarray, gt_sky: np.ndarray) -> float:
    """Intersection over union of a predicted 'at infinity' mask ``(H, W)`` bool (e.g. sky probability > 0.5) and
    the true sky ``(H, W)`` bool. 1 when both are empty."""
    pred = np.asarray(pred_infinity, bool)
    truth = np.asarray(gt_sky, bool)
    union = int((pred | truth).sum())
    return 1.0 if union == 0 else float((pred & truth).sum()) / union
