"""Classical hole filling (no network): push-pull of colour and disparity that fills torn edges from the far side.

Used when no refiner weights are available. Valid pixels are kept, fills are smooth across hole borders, holes
touching the image border extend the image, and a hole between near and far content (a torn depth edge, i.e. a
disocclusion) is filled from the far side, since what parallax uncovers is background.

Steps, on rgbd together:

1. *Far estimate of each hole* (at most ``ESTIMATE_SIZE`` pixels wide): along every row a hole pixel takes the
   smaller of the nearest valid disparities to its left and right, likewise along columns; the two are blended
   by inverse squared gap, so the short way across the hole decides.
2. *Source weights*: that estimate is spread smoothly over the image (push-pull from the hole pixels), and each
   valid pixel nearer than the holes around it counts less, ``min(1, (estimate / disparity)^FAR_PREFERENCE)``.
3. *Push-pull* (Gortler et al. 1996) with those weights: a pyramid of weighted means over overlapping 4×4
   windows, then each level keeps its own values in proportion to its confidence and takes the rest from the
   bilinearly upsampled coarser level. The full-resolution level uses the caller's mask, so valid pixels stay.
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F

from infnat_core.camera import MIN_DISPARITY

FAR_PREFERENCE = 4.0
"""Exponent p of the near-side down-weighting: a source 2× nearer than its holes' far estimate counts 2^-p."""

VALID_THRESHOLD = 0.5
"""Mask value (or a downsampled cell's mean mask) at or above which a pixel is a valid source for step 1."""

ESTIMATE_SIZE = 512
"""Longest side at which steps 1–2 run; larger inputs are area-downsampled for them (the fill stays full size)."""

_PULL_GAIN = 4.0
"""Coarse-level coverage = min(1, gain · mean coverage of its window); 4 is Gortler et al.'s clamped sum."""


def fill_holes(rgb: np.ndarray, disparity: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fill rgb ``(H, W, 3)`` and disparity ``(H, W)`` float32 where ``mask (H, W)`` in [0, 1] is low.

    Returns rgb ``(H, W, 3)`` and disparity ``(H, W)`` float32; pixels with mask 1 are kept exactly, partly valid
    pixels are blended by their mask. An all-zero mask returns copies of the inputs.
    """
    keep = torch.from_numpy(np.ascontiguousarray(mask, dtype=np.float32)).clamp(0.0, 1.0)
    if not bool((keep >= VALID_THRESHOLD).any()):
        return rgb.astype(np.float32, copy=True), disparity.astype(np.float32, copy=True)
    planar = np.concatenate([np.moveaxis(rgb, -1, 0), disparity[None]], axis=0, dtype=np.float32)
    with torch.inference_mode():
        rgbd = torch.from_numpy(planar)
        source = _far_side_sources(rgbd[3], keep)
        filled = _push_pull(rgbd[None], source[None, None], keep[None, None])[0].numpy()
    return np.ascontiguousarray(np.moveaxis(filled[:3], 0, -1)), filled[3]


def _far_side_sources(disparity: torch.Tensor, keep: torch.Tensor) -> torch.Tensor:
    """Source weights ``(H, W)`` in [0, 1] (steps 1–2): ``keep`` lowered where a valid pixel is nearer than the
    far estimate of the holes around it. disparity, keep: ``(H, W)``."""
    factor = math.ceil(max(disparity.shape) / ESTIMATE_SIZE)
    if factor > 1:
        small_keep = F.avg_pool2d(keep[None, None], factor, ceil_mode=True)
        small_disp = F.avg_pool2d((disparity * keep)[None, None], factor, ceil_mode=True) / small_keep.clamp_min(1e-12)
        small_keep, small_disp = small_keep[0, 0], small_disp[0, 0]
    else:
        small_keep, small_disp = keep, disparity
    valid = small_keep >= VALID_THRESHOLD
    holes = (~valid).float()
    if not bool(holes.any()):
        return keep
    far = _scanline_far_fill(small_disp, valid)
    spread = _push_pull(far[None, None], holes[None, None], holes[None, None])
    if factor > 1:
        spread = F.interpolate(spread, size=disparity.shape, mode="bilinear", align_corners=False)
    near_ratio = spread[0, 0] / disparity.clamp_min(MIN_DISPARITY)
    return keep * near_ratio.clamp(0.0, 1.0) ** FAR_PREFERENCE


def _push_pull(values: torch.Tensor, source: torch.Tensor, keep: torch.Tensor) -> torch.Tensor:
    """Push-pull fill of ``values (1, C, H, W)`` from pixels weighted by ``source (1, 1, H, W)`` in [0, keep];
    the full-resolution level blends the fill with ``values`` by ``keep (1, 1, H, W)`` in [0, 1].
    Returns ``(1, C, H, W)``.

    A coarse cell's value is the source-weighted mean of its window; its confidence is its coverage (clamped sum
    of ``keep``) times the mean ``source / keep`` of its window, so down-weighted pixels never become trusted
    just by being many."""
    weight, kept, coverage = source, keep, keep
    levels = []
    coarse_values = values
    while max(coarse_values.shape[-2:]) > 1:
        summed = _pull(coarse_values * weight)
        weight, kept = _pull(weight), _pull(kept)
        coarse_values = summed / weight.clamp_min(1e-30)
        coverage = (_pull(coverage) * _PULL_GAIN).clamp_max(1.0)
        levels.append((coarse_values, coverage * (weight / kept.clamp_min(1e-30)).clamp_max(1.0)))
    filled = levels[-1][0] if levels else values
    for level_values, confidence in reversed(levels[:-1]):
        coarse = F.interpolate(filled, size=level_values.shape[-2:], mode="bilinear", align_corners=False)
        filled = torch.lerp(coarse, level_values, confidence)
    coarse = F.interpolate(filled, size=values.shape[-2:], mode="bilinear", align_corners=False)
    return torch.lerp(coarse, values, keep)


def _pull(image: torch.Tensor) -> torch.Tensor:
    """Half-resolution ``(1, C, ceil(H/2), ceil(W/2))`` mean of ``(1, C, H, W)`` over 4×4 windows centred on each
    2×2 cell (zero padding). Overlapping windows carry valid content further than 2×2 cells, so fills close to
    valid pixels blur less."""
    return F.avg_pool2d(image, 4, stride=2, padding=1, ceil_mode=True, count_include_pad=True)


def _scanline_far_fill(disparity: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
    """Far-side estimate ``(h, w)`` (step 1) of disparity ``(h, w)`` from the pixels where ``valid (h, w)``."""
    estimates, inverse_gaps = [], []
    for transposed in (False, True):
        values = disparity.t().contiguous() if transposed else disparity
        ok = valid.t().contiguous() if transposed else valid
        before, gap_before = _nearest_valid_in_rows(values, ok)
        after, gap_after = (t.flip(1) for t in _nearest_valid_in_rows(values.flip(1), ok.flip(1)))
        estimate = torch.minimum(before, after)  # a missing side is +inf
        one_sided = torch.isinf(before) ^ torch.isinf(after)
        gap = torch.where(one_sided, 2.0 * torch.minimum(gap_before, gap_after), gap_before + gap_after)
        found = torch.isfinite(estimate)
        estimate = torch.where(found, estimate, 0.0)
        inverse_gap = torch.where(found, gap.clamp_min(1.0) ** -2, 0.0)
        estimates.append(estimate.t() if transposed else estimate)
        inverse_gaps.append(inverse_gap.t() if transposed else inverse_gap)
    total = (inverse_gaps[0] + inverse_gaps[1]).clamp_min(1e-30)
    return (estimates[0] * inverse_gaps[0] + estimates[1] * inverse_gaps[1]) / total


def _nearest_valid_in_rows(values: torch.Tensor, valid: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """For each pixel of ``(h, w)`` tensors: the value of, and distance to, the nearest valid pixel at or to its
    left in the same row; +inf for both where there is none."""
    index = torch.arange(values.shape[1], dtype=torch.int64).expand_as(values)
    last = torch.cummax(torch.where(valid, index, -1), dim=1).values
    found = last >= 0
    nearest = torch.where(found, values.gather(1, last.clamp_min(0)), torch.inf)
    distance = torch.where(found, (index - last).float(), torch.inf)
    return nearest, distance
