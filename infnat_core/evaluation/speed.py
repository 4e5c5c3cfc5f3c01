"""Refiner speed: milliseconds per refine at the engine's render size, against Infinite Nature's network."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from infnat_core.refiner.config import preset
from infnat_core.refiner.generator import SPADEGenerator, StyleEncoder
from infnat_core.refiner.inference import NetworkRefiner, Refiner
from infnat_core.refiner.weights import save_weights


def refine_ms(refiner: Refiner, width: int = 256, height: int = 160, repeats: int = 5, seed: int = 0) -> float:
    """Median milliseconds of ``refiner.refine`` on a random ``width``×``height`` render with a 20 % hole (after one
    warm-up call)."""
    rng = np.random.default_rng(seed)
    rgb = rng.random((height, width, 3), dtype=np.float32)
    disparity = rng.uniform(0.01, 1.0, (height, width)).astype(np.float32)
    mask = (rng.random((height, width)) > 0.2).astype(np.float32)
    refiner.set_style(rgb, disparity)
    refiner.refine(rgb, disparity, mask)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        refiner.refine(rgb, disparity, mask)
        times.append(time.perf_counter() - start)
    return 1000.0 * float(np.median(times))


def infinite_nature_refiner(device: str = "cpu") -> NetworkRefiner:
    """A ``NetworkRefiner`` with Infinite Nature's exact architecture (random weights: for timing only)."""
    config = preset("infinite_nature")
    torch.manual_seed(0)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "infinite_nature.safetensors"
        save_weights(path, SPADEGenerator(config), StyleEncoder(config), config)
        return NetworkRefiner(path, device=device)
