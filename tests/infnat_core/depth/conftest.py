"""Synthetic photos with known structure for the depth tests."""

import numpy as np
import pytest


def landscape(height: int = 192, width: int = 288, horizon: float = 0.45, seed: int = 0) -> np.ndarray:
    """``(H, W, 3)`` float32: a smooth blue sky above ``horizon`` (fraction of the height), textured grass below."""
    rng = np.random.default_rng(seed)
    t = ((np.arange(height, dtype=np.float32) + 0.5) / height)[:, None, None]
    sky = np.array([0.35, 0.55, 0.9], np.float32) + t * np.array([0.3, 0.25, 0.05], np.float32)
    grass = np.array([0.25, 0.5, 0.15], np.float32) + rng.normal(0.0, 0.04, (height, width, 3)).astype(np.float32)
    img = np.where(t < horizon, np.broadcast_to(sky, (height, width, 3)), grass)
    return np.clip(img, 0.0, 1.0).astype(np.float32)


@pytest.fixture
def scene() -> np.ndarray:
    return landscape()
