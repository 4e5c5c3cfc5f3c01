"""A weighted mixture of training sources, deterministic per index."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch.utils.data import Dataset

from infnat_core.errors import InfnatError


class MixedDataset(Dataset):
    """Sample ``i`` comes from source ``s`` with probability ``weights[s] / sum(weights)``, at its index ``i mod len(s)``.

    The choice depends only on ``(seed, i)``. Reading in order keeps each source's own locality (consecutive synthetic
    samples share a cached flight). Every source must return the same keys and shapes.
    """

    def __init__(self, sources: Sequence[Dataset], weights: Sequence[float], length: int, seed: int = 0):
        if len(sources) == 0 or len(sources) != len(weights):
            raise InfnatError("give one weight per data source (and at least one source)")
        w = np.asarray(weights, dtype=np.float64)
        if np.any(w < 0) or not np.isfinite(w).all() or w.sum() <= 0:
            raise InfnatError(f"source weights must be non-negative with a positive sum, got {list(weights)}")
        if any(len(s) == 0 for s in sources):
            raise InfnatError("a data source in the mixture is empty")
        self.sources = list(sources)
        self.probabilities = w / w.sum()
        self.length = length
        self.seed = seed

    def __len__(self) -> int:
        return self.length

    def locate(self, index: int) -> tuple[int, int]:
        """(source number, index within that source) of sample ``index``."""
        if not 0 <= index < self.length:
            raise IndexError(index)
        rng = np.random.default_rng([self.seed, index])
        source = int(rng.choice(len(self.sources), p=self.probabilities))
        return source, index % len(self.sources[source])

    def __getitem__(self, index: int) -> dict[str, torch.Tensor]:
        source, inner = self.locate(index)
        return self.sources[source][inner]
