"""Bilinear resizing of maps and images (torch), antialiased when shrinking."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F


def resize(x: np.ndarray, height: int, width: int) -> np.ndarray:
    """Bilinear resize of ``x (H, W)`` or ``(H, W, C)`` to ``(height, width[, C])`` float32.

    Pixel centres are aligned (``align_corners=False``), and a shrink averages over the footprint (antialias), so a
    large photo reduced to a working size does not alias.
    """
    src = np.ascontiguousarray(x, dtype=np.float32)
    if src.shape[:2] == (height, width):
        return src.copy()
    t = torch.from_numpy(src)
    t = t[None, None] if src.ndim == 2 else t.permute(2, 0, 1)[None]
    shrink = height < src.shape[0] or width < src.shape[1]
    out = F.interpolate(t, size=(height, width), mode="bilinear", align_corners=False, antialias=shrink)[0]
    return (out[0] if src.ndim == 2 else out.permute(1, 2, 0)).contiguous().numpy()


def size_for_width(height: int, width: int, target_width: int) -> tuple[int, int]:
    """``(h, w)`` with ``w = min(width, target_width)`` and the aspect ratio kept (each side at least 2)."""
    w = min(width, target_width)
    return max(2, round(height * w / width)), max(2, w)
