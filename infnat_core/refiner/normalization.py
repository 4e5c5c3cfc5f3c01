"""The SPADE layer: parameter-free instance norm modulated per pixel by a conditioning image."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class SPADE(nn.Module):
    """Spatially-adaptive normalisation (Park et al. 2019).

    ``out = instance_norm(x) * (1 + gamma(cond)) + beta(cond)`` where gamma and beta come from a small conv net
    on the conditioning image resized (area) to x's size. No spectral norm here.
    """

    def __init__(self, channels: int, cond_channels: int, hidden: int) -> None:
        super().__init__()
        self.norm = nn.InstanceNorm2d(channels, affine=False)
        self.shared = nn.Sequential(nn.Conv2d(cond_channels, hidden, 3, padding=1), nn.ReLU())
        self.gamma = nn.Conv2d(hidden, channels, 3, padding=1)
        self.beta = nn.Conv2d(hidden, channels, 3, padding=1)

    def forward(self, x: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        """x ``(B, C, h, w)``, cond ``(B, cond_channels, H', W')`` → ``(B, C, h, w)``."""
        if cond.shape[-2:] != x.shape[-2:]:
            cond = F.interpolate(cond, size=x.shape[-2:], mode="area")
        hidden = self.shared(cond)
        return self.norm(x) * (1.0 + self.gamma(hidden)) + self.beta(hidden)
