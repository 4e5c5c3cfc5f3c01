"""Refiner settings the engine's ``Refiner`` protocol does not cover: whether it is the network, and its blend."""

from __future__ import annotations

import numpy as np

from infnat_core.refiner.inference import NetworkRefiner, Refiner


def is_network(refiner: Refiner) -> bool:
    """Whether the refiner is the network (style seed and blend only apply to it)."""
    return isinstance(refiner, NetworkRefiner)


def apply_blend(refiner: Refiner, blend: float) -> None:
    """How much the network may repaint valid rendered pixels, in [0, 1] (0 = it paints holes only)."""
    if isinstance(refiner, NetworkRefiner):
        refiner.blend = float(np.clip(blend, 0.0, 1.0))
