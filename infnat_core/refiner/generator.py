"""The SPADE refinement generator, its style encoder, and the tensor conventions between them.

Tensors here are batched NCHW float32. RGBD is 4 channels (rgb, disparity) in [0, 1]; the network sees and
produces it as ``2 * rgbd - 1`` in [-1, 1].
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from infnat_core.refiner.architecture import LEAKY_SLOPE, SPADEResBlock
from infnat_core.refiner.config import BASE_DOWNSAMPLING, UPSAMPLE_AFTER_BLOCK, RefinerConfig

CONDITION_CHANNELS = 5
"""Conditioning channels: rgbd mapped to [-1, 1] plus the validity mask."""


def make_condition(rgbd: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Generator conditioning ``(B, 5, H, W)`` = concat(2·rgbd − 1, mask) from rgbd ``(B, 4, H, W)`` in [0, 1]
    and mask ``(B, 1, H, W)`` in [0, 1] (1 = valid rendered content)."""
    return torch.cat([2.0 * rgbd - 1.0, mask], dim=1)


def rgbd_from_output(output: torch.Tensor) -> torch.Tensor:
    """Generator output ``(B, 4, H, W)`` in [-1, 1] → rgbd in [0, 1]."""
    return (output + 1.0) * 0.5


class SPADEGenerator(nn.Module):
    """Style vector + conditioning image → refined RGBD, at the config's one resolution."""

    def __init__(self, config: RefinerConfig) -> None:
        super().__init__()
        widths = config.trunk_channels
        self.base_size = (config.height // BASE_DOWNSAMPLING, config.width // BASE_DOWNSAMPLING)
        self.fc = nn.Linear(config.style_dim, widths[0] * self.base_size[0] * self.base_size[1])
        ins = (widths[0], *widths[:-1])
        self.blocks = nn.ModuleList(
            SPADEResBlock(i, o, CONDITION_CHANNELS, config.spade_hidden) for i, o in zip(ins, widths)
        )
        self.to_rgbd = nn.Conv2d(widths[-1], 4, 3, padding=1)
        self.residual = config.residual
        if self.residual:  # starts as the identity on its (filled) input
            nn.init.zeros_(self.to_rgbd.weight)
            nn.init.zeros_(self.to_rgbd.bias)

    def forward(self, condition: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        """condition ``(B, 5, H, W)`` from :func:`make_condition`, z ``(B, style_dim)``
        → ``(B, 4, H, W)`` in [-1, 1]. A residual generator (``RefinerConfig.residual``) adds its output to the
        condition's rgbd, which must then be filled (no holes)."""
        x = self.fc(z).view(z.shape[0], -1, *self.base_size)
        # The condition at every trunk resolution, from full size down to the base grid (2×2 average pooling).
        pyramid = [condition]
        while pyramid[-1].shape[-2] > self.base_size[0]:
            pyramid.append(F.avg_pool2d(pyramid[-1], 2))
        level = len(pyramid) - 1
        for index, block in enumerate(self.blocks):
            x = block(x, pyramid[level])
            if index in UPSAMPLE_AFTER_BLOCK:
                x = F.interpolate(x, scale_factor=2.0, mode="nearest")
                level -= 1
        out = self.to_rgbd(F.leaky_relu(x, LEAKY_SLOPE))
        if self.residual:
            return (condition[:, :4] + out).clamp(-1.0, 1.0)
        return torch.tanh(out)


class StyleEncoder(nn.Module):
    """Initial RGBD → (mu, logvar) of the style vector: stride-2 3×3 convs, each with instance norm and LeakyReLU."""

    def __init__(self, config: RefinerConfig) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        in_channels, h, w = 4, config.height, config.width
        for out_channels in config.encoder_channels:
            layers += [
                nn.Conv2d(in_channels, out_channels, 3, stride=2, padding=1),
                nn.InstanceNorm2d(out_channels, affine=False),
                nn.LeakyReLU(LEAKY_SLOPE),
            ]
            in_channels, h, w = out_channels, (h + 1) // 2, (w + 1) // 2
        self.features = nn.Sequential(*layers)
        self.fc_mu = nn.Linear(in_channels * h * w, config.style_dim)
        self.fc_logvar = nn.Linear(in_channels * h * w, config.style_dim)

    def forward(self, rgbd: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """rgbd ``(B, 4, H, W)`` in [0, 1] → mu, logvar, each ``(B, style_dim)``."""
        features = self.features(2.0 * rgbd - 1.0).flatten(1)
        return self.fc_mu(features), self.fc_logvar(features)
