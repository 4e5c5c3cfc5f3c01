"""Image metrics of the evaluation (numpy): PSNR, sharpness, CIELAB colour and ΔE, sky fraction."""

from __future__ import annotations

import numpy as np
import torch
from kornia.color import rgb_to_lab

from infnat_core.flight.autopilot import AutopilotConfig, sky_weight


def psnr(a: np.ndarray, b: np.ndarray, mask: np.ndarray | None = None) -> float:
    """Peak signal-to-noise ratio in dB of two images ``(H, W, 3)`` in [0, 1] (inf when identical), over the pixels
    of ``mask (H, W)`` bool only when one is given (NaN when it is empty)."""
    squared = (np.asarray(a, np.float64) - np.asarray(b, np.float64)) ** 2
    if mask is not None:
        mask = np.asarray(mask, bool)
        if not mask.any():
            return float("nan")
        squared = squared[mask]
    mse = float(np.mean(squared))
    return float("inf") if mse == 0.0 else 10.0 * np.log10(1.0 / mse)


def sharpness(rgb: np.ndarray) -> float:
    """Mean gradient magnitude of the luminance of ``(H, W, 3)`` in [0, 1] (forward differences; 0 when flat)."""
    gray = np.asarray(rgb, np.float64) @ np.array([0.299, 0.587, 0.114])
    gx = np.diff(gray, axis=1)[:-1, :]
    gy = np.diff(gray, axis=0)[:, :-1]
    return float(np.mean(np.sqrt(gx * gx + gy * gy)))


def srgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """CIELAB (D65) ``(..., 3)`` float64 of sRGB ``(..., 3)`` in [0, 1] (kornia's conversion)."""
    c = torch.from_numpy(np.clip(np.asarray(rgb, np.float64), 0.0, 1.0))
    flat = c.reshape(-1, 3).T[:, :, None]  # (3, N, 1): kornia wants channels first
    return rgb_to_lab(flat)[:, :, 0].T.reshape(c.shape).numpy()


def mean_lab(rgb: np.ndarray) -> np.ndarray:
    """Mean CIELAB colour ``(3,)`` of an image ``(H, W, 3)`` in [0, 1]."""
    return srgb_to_lab(rgb).reshape(-1, 3).mean(axis=0)


def delta_e(lab_a: np.ndarray, lab_b: np.ndarray) -> float:
    """CIE76 colour difference of two CIELAB colours ``(3,)`` (≈2.3 is just noticeable)."""
    return float(np.linalg.norm(np.asarray(lab_a, np.float64) - np.asarray(lab_b, np.float64)))


def sky_fraction(disparity: np.ndarray) -> float:
    """Mean of the autopilot's soft sky weight (Infinite Nature's constants) over a disparity map ``(H, W)``."""
    return float(np.mean(sky_weight(disparity, AutopilotConfig())))
