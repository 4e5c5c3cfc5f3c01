"""A tiny depth pool and a landscape photo for the depth-training tests."""

from __future__ import annotations

import numpy as np
from PIL import Image

from infnat_core.training.depth_pool import DepthPool


def tiny_pool(frames: int = 8, h: int = 32, w: int = 48) -> DepthPool:
    rng = np.random.default_rng(0)
    rows = np.linspace(0.05, 1.0, h, dtype=np.float32)[:, None].repeat(w, axis=1)
    disparity = np.repeat(rows[None], frames, axis=0)
    disparity[:, : h // 4] = 0.01
    heuristic = np.stack([disparity, (disparity <= 0.01).astype(np.float32)], axis=1)
    return DepthPool(rgb=rng.integers(0, 256, (frames, h, w, 3), dtype=np.uint8),
                     disparity=disparity.astype(np.float16), sky=(disparity <= 0.01).astype(np.float16),
                     heuristic=heuristic.astype(np.float16),
                     flight=np.arange(frames, dtype=np.int32) // 2)


def landscape_photo(path, h: int = 300, w: int = 480) -> None:
    """A blue sky over textured green ground, saved as a PNG."""
    rng = np.random.default_rng(3)
    img = np.zeros((h, w, 3), np.float32)
    img[: h // 2] = np.linspace([0.35, 0.55, 0.95], [0.7, 0.8, 0.95], h // 2)[:, None]
    img[h // 2:] = [0.2, 0.45, 0.15] + 0.15 * rng.random((h - h // 2, w, 1))
    Image.fromarray(np.round(img.clip(0, 1) * 255).astype(np.uint8)).save(path)
