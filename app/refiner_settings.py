"""Per-flight settings of a refiner that the engine's ``Refiner`` protocol does not cover: style seed and blend."""

from __future__ import annotations

import numpy as np
import torch

from infnat_core.refiner.inference import NetworkRefiner, Refiner


def is_network(refiner: Refiner) -> bool:
    """Whether the refiner is the network (style seed and blend only apply to it)."""
    return isinstance(refiner, NetworkRefiner)


def apply_style(refiner: Refiner, rgb: np.ndarray, disparity: np.ndarray, seed: int) -> None:
    """Set the flight's style from rgb ``(H, W, 3)`` and disparity ``(H, W)`` float32 in [0, 1].

    Seed 0 is the style encoder's mean, as in Infinite Nature. Seed k > 0 draws z = μ + σ·ε with ε from a generator
    seeded with k, so one photo can be flown in several looks.
    """
    refiner.set_style(rgb, disparity)
    if seed == 0 or not isinstance(refiner, NetworkRefiner):
        return
    # The engine's set_style has no seed yet: sample around its encoder's mean here.
    with torch.inference_mode():
        rgbd = refiner._to_network(np.concatenate([rgb, disparity[..., None]], axis=-1))
        mu, logvar = refiner.encoder(rgbd)
        noise = torch.randn(mu.shape, generator=torch.Generator().manual_seed(seed)).to(mu.device)
        refiner._style = mu + torch.exp(0.5 * logvar) * noise


def apply_blend(refiner: Refiner, blend: float) -> None:
    """How much the network may repaint valid rendered pixels, in [0, 1] (0 = it paints holes only)."""
    if isinstance(refiner, NetworkRefiner):
        refiner.blend = float(np.clip(blend, 0.0, 1.0))
