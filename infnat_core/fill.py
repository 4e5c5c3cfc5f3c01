"""Classical hole filling (no network): push-pull of colour and disparity that fills torn edges from the far side.

Used when no refiner weights are available. Valid pixels are kept, fills are smooth across hole borders, holes
touching the image border extend the image, and a hole between near and far content (a torn depth edge, i.e. a
disocclusion) is filled from the far side, since what parallax uncovers is background.

The fill is solved at most ``WORK_SIZE`` pixels wide (larger renders are area-downsampled for it, and the fill
is upsampled and composited under the full-resolution valid pixels), on rgbd together:

1. *Far estimate of each hole*: along every row a hole pixel takes the smaller of the nearest valid disparities
   to its left and right, likewise along columns; the two are blended by inverse squared gap, so the short way
   across the hole decides.
2. *Source weights*: that estimate is spread smoothly over the image (push-pull from the hole pixels), and each
   valid pixel nearer than the holes around it counts less, ``min(1, (estimate / disparity)^FAR_PREFERENCE)``.
3. *Push-pull* (Gortler et al. 1996) from those sources: a pyramid of weighted means over overlapping 4×4
   windows, then each level keeps its own values in proportion to its confidence and takes the rest from the
   bilinearly upsampled coarser level.
"""

from __future__ import annotations

import math
from contextlib import contextmanager

import numpy as np
import torch
import torch.nn.functional as F

from infnat_core.camera import MIN_DISPARITY

FAR_PREFERENCE = 4.0
"""Exponent p of the near-side down-weighting: a source 2× nearer than its holes' far estimate counts 2^-p."""

VALID_THRESHOLD = 0.5
"""Mask value (at the working size) at or above which a pixel is a valid source for the far estimate."""

WORK_SIZE = 512
"""Longest side in pixels at which the fill is solved; larger renders are area-downsampled for it."""

_PULL_GAIN = 4.0
"""Coarse-level coverage = min(1, gain · mean coverage of its window); 4 is Gortler et al.'s clamped sum."""


def fill_holes(rgb: np.ndarray, disparity: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fill rgb ``(H, W, 3)`` and disparity ``(H, W)`` float32 where ``mask (H, W)`` in [0, 1] is low.

    Returns rgb ``(H, W, 3)`` and disparity ``(H, W)`` float32; pixels with mask 1 are kept exactly, partly valid
    pixels are blended by their mask. An all-invalid mask returns copies of the inputs.
    """
    keep = np.clip(mask, 0.0, 1.0, dtype=np.float32)
    if not bool((keep >= VALID_THRESHOLD).any()):
        return rgb.astype(np.float32, copy=True), disparity.astype(np.float32, copy=True)
    # Mask-premultiplied planar rgbd: area means of it divided by those of the mask are the valid pixels' means,
    # and the result below is ``premultiplied + (1 - mask) * fill``, exact where the mask is 1.
    premultiplied = np.concatenate([np.moveaxis(rgb, -1, 0), disparity[None]], axis=0, dtype=np.float32)
    premultiplied *= keep
    with torch.inference_mode(), _one_thread():
        small_keep, small_rgbd = torch.from_numpy(keep)[None, None], torch.from_numpy(premultiplied)[None]
        factor = math.ceil(max(keep.shape) / WORK_SIZE)
        if factor > 1:
            small_keep = F.avg_pool2d(small_keep, factor, ceil_mode=True)
            small_rgbd = F.avg_pool2d(small_rgbd, factor, ceil_mode=True)
        small_rgbd = small_rgbd / small_keep.clamp_min(1e-12)
        source = _far_side_sources(small_rgbd[0, 3], small_keep[0, 0])[None, None]
        filled = _push_pull(small_rgbd, source, small_keep)
        if factor > 1:
            filled = F.interpolate(filled, size=keep.shape, mode="bilinear", align_corners=False)
        out = filled[0].numpy()
    out *= 1.0 - keep
    out += premultiplied
    return np.ascontiguousarray(np.moveaxis(out[:3], 0, -1)), out[3]


@contextmanager
def _one_thread():
    """Run torch on one thread: the fill is many small ops, which extra threads only slow down (on a busy 2-core
    machine spinning worker threads made it 30× slower)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def _far_side_sources(disparity: torch.Tensor, keep: torch.Tensor) -> torch.Tensor:
    """Source weights ``(h, w)`` in [0, keep] (steps 1–2): ``keep`` lowered where a valid pixel is nearer than
    the far estimate of the holes around it. disparity, keep: ``(h, w)``."""
    valid = keep >= VALID_THRESHOLD
    holes = (~valid).float()[None, None]
    if not bool(holes.any()):
        return keep
    far = _scanline_far_fill(disparity, valid)[None, None]
    spread = _push_pull(far, holes, holes)[0, 0]
    return keep * (spread / disparity.clamp_min(MIN_DISPARITY)).clamp(0.0, 1.0) ** FAR_PREFERENCE


def _push_pull(values: torch.Tensor, source: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
    """Push-pull fill of ``values (1, C, h, w)`` from pixels weighted by ``source (1, 1, h, w)``, where ``valid
    (1, 1, h, w)`` in [0, 1] marks the pixels that have data and ``source <= valid``. Returns ``(1, C, h, w)``:
    ``values`` blended with the fill by ``source``.

    A coarse cell's value is the source-weighted mean of its window; its confidence is its coverage (clamped sum
    of ``valid``) times the window's mean ``source / valid``, so down-weighted pixels never become trusted just
    by being many."""
    weight, kept, coverage = source, valid, valid
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
    return torch.lerp(coarse, values, source)


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
