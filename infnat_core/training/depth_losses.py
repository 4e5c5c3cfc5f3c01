"""Losses of the depth network: scale-and-shift invariant disparity, multi-scale gradient matching, sky.

The recipe is MiDaS's (Ranftl et al., 2020): the prediction is aligned to the ground truth per image by least
squares in disparity before it is compared, so only the *shape* of the disparity is learned; a gradient-matching term
on the residual over several scales keeps depth edges sharp and surfaces flat. The comparison here is relative
(``|aligned − gt| / gt``), which is to first order the abs-rel depth error the evaluation reports.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

MIN_VALID_PIXELS = 64
"""Images with fewer valid (non-sky) pixels than this are left out of the disparity terms."""


def align_batch(pred: torch.Tensor, gt: torch.Tensor, valid: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-image least-squares ``(s, t)``, each ``(B,)``, with ``s·pred + t ≈ gt`` over ``valid``.

    ``pred``, ``gt`` ``(B, 1, H, W)`` float, ``valid`` ``(B, 1, H, W)`` bool. Differentiable in ``pred``.
    """
    m = valid.to(pred.dtype)
    n = m.sum(dim=(1, 2, 3)).clamp_min(1.0)
    p_mean = (m * pred).sum(dim=(1, 2, 3)) / n
    g_mean = (m * gt).sum(dim=(1, 2, 3)) / n
    pc = pred - p_mean[:, None, None, None]
    gc = gt - g_mean[:, None, None, None]
    var = (m * pc * pc).sum(dim=(1, 2, 3)) / n
    cov = (m * pc * gc).sum(dim=(1, 2, 3)) / n
    s = cov / var.clamp_min(1e-8)
    return s, g_mean - s * p_mean


def gradient_matching(residual: torch.Tensor, valid: torch.Tensor, scales: int = 4) -> torch.Tensor:
    """Mean |∇residual| over pixel pairs that are both valid, summed over ``scales`` halvings (nearest
    subsampling, as in MiDaS). ``residual (B, 1, H, W)``, ``valid (B, 1, H, W)`` bool → scalar."""
    total = residual.new_zeros(())
    m = valid.to(residual.dtype)
    r = residual
    for level in range(scales):
        if level:
            r, m = r[..., ::2, ::2], m[..., ::2, ::2]
        mx = m[..., :, 1:] * m[..., :, :-1]
        my = m[..., 1:, :] * m[..., :-1, :]
        gx = (r[..., :, 1:] - r[..., :, :-1]).abs() * mx
        gy = (r[..., 1:, :] - r[..., :-1, :]).abs() * my
        total = total + (gx.sum() + gy.sum()) / (mx.sum() + my.sum()).clamp_min(1.0)
    return total


def depth_losses(out: torch.Tensor, gt: torch.Tensor, gt_sky: torch.Tensor, scales: int = 4) -> dict[str, torch.Tensor]:
    """The loss terms of one batch.

    ``out (B, 2, H, W)``: the network's relative disparity and sky logit; ``gt (B, 1, H, W)``: true disparity in
    ``[0.01, 1]`` (terrain beyond the far plane sits at the 0.01 floor); ``gt_sky (B, 1, H, W)``: the share of each
    pixel that is sky, in [0, 1]. Valid pixels are the terrain (``gt_sky < 0.5``), far terrain included: it is scored
    at the floor's disparity (a clamp, not its true depth), and since the relative error divides by ``gt`` it weighs
    up to 100× a pixel of the nearest ground, which pins it to the far plane.
    Returns ``relative`` (mean |aligned − gt| / gt over valid pixels), ``gradient`` (gradient matching of the
    relative residual), ``sky`` (binary cross-entropy of the sky logit against ``gt_sky``, all pixels) and
    ``orientation`` (mean of relu(−s): the fitted scale must be positive, larger output = nearer).
    """
    pred, sky_logit = out[:, 0:1], out[:, 1:2]
    valid = gt_sky < 0.5
    usable = valid.sum(dim=(1, 2, 3)) >= MIN_VALID_PIXELS
    sky = F.binary_cross_entropy_with_logits(sky_logit, gt_sky.to(out.dtype))
    if not bool(usable.any()):
        zero = pred.sum() * 0.0
        return {"relative": zero, "gradient": zero, "sky": sky, "orientation": zero}
    pred, gt, valid = pred[usable], gt[usable], valid[usable]
    s, t = align_batch(pred, gt, valid)
    aligned = s[:, None, None, None] * pred + t[:, None, None, None]
    residual = (aligned - gt) / gt
    m = valid.to(out.dtype)
    return {
        "relative": (residual.abs() * m).sum() / m.sum(),
        "gradient": gradient_matching(residual, valid, scales),
        "sky": sky,
        "orientation": F.relu(-s).mean(),
    }
