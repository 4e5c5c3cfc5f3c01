"""Building blocks of the refinement generator."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

from infnat_core.refiner.normalization import SPADE

LEAKY_SLOPE = 0.2
"""Negative slope of every LeakyReLU in the refiner."""


class SPADEResBlock(nn.Module):
    """Residual block: two (SPADE → LeakyReLU → 3×3 conv) steps plus a shortcut.

    The shortcut is SPADE → 1×1 conv (no bias) when the width changes, identity otherwise. The block's convs
    carry spectral norm; the SPADE layers' convs do not.
    """

    def __init__(self, in_channels: int, out_channels: int, cond_channels: int, spade_hidden: int) -> None:
        super().__init__()
        middle = min(in_channels, out_channels)
        self.norm_0 = SPADE(in_channels, cond_channels, spade_hidden)
        self.conv_0 = spectral_norm(nn.Conv2d(in_channels, middle, 3, padding=1))
        self.norm_1 = SPADE(middle, cond_channels, spade_hidden)
        self.conv_1 = spectral_norm(nn.Conv2d(middle, out_channels, 3, padding=1))
        self.learned_shortcut = in_channels != out_channels
        if self.learned_shortcut:
            self.norm_s = SPADE(in_channels, cond_channels, spade_hidden)
            self.conv_s = spectral_norm(nn.Conv2d(in_channels, out_channels, 1, bias=False))

    def forward(self, x: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        """x ``(B, in, h, w)``, cond ``(B, cond_channels, h, w)`` (resized if not) → ``(B, out, h, w)``."""
        shortcut = self.conv_s(self.norm_s(x, cond)) if self.learned_shortcut else x
        dx = self.conv_0(F.leaky_relu(self.norm_0(x, cond), LEAKY_SLOPE))
        dx = self.conv_1(F.leaky_relu(self.norm_1(dx, cond), LEAKY_SLOPE))
        return shortcut + dx
