"""Multi-scale patch discriminator on RGBD (Infinite Nature's, after pix2pixHD/SPADE).

Each scale is a patch discriminator: 4×4 convs of widths 64 → 128 → 256 → 512 (strides 2, 2, 2, 1), each
followed by LeakyReLU 0.2 (instance norm on all but the first), then a 4×4 stride-1 conv to one logit per
patch. Spectral norm on the three middle convs (as in Infinite Nature's reference; the first and the logit conv
have none). Scale ``s`` sees the input average-pooled by ``2^s``. For H and W divisible by ``8 · 2^s`` the
logits of scale ``s`` are ``(B, 1, H / 2^(s+3), W / 2^(s+3))``.

Departure from the reference code: it applies no activation after the first conv (so the first two convs
compose linearly); here a LeakyReLU follows it, as in SPADE.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

LEAKY_SLOPE = 0.2
"""Negative slope of the discriminator's LeakyReLUs."""

KERNEL = 4
"""Side of every discriminator conv kernel."""


@dataclass(frozen=True)
class DiscriminatorConfig:
    """Shape of the multi-scale patch discriminator."""

    in_channels: int = 4
    """Channels of the judged image: 4 for RGBD in [0, 1]."""
    channels: tuple[int, ...] = (64, 128, 256, 512)
    """Width of each feature conv; all but the last have stride 2."""
    num_scales: int = 2
    """Number of patch discriminators, each on a 2× smaller copy of the input than the previous."""


class PatchDiscriminator(nn.Module):
    """One scale: image ``(B, in_channels, H, W)`` → (features after each conv, logits ``(B, 1, h, w)``)."""

    def __init__(self, in_channels: int, channels: tuple[int, ...]) -> None:
        super().__init__()
        convs, norms = [], []
        previous = in_channels
        for index, width in enumerate(channels):
            last = index == len(channels) - 1
            conv = nn.Conv2d(previous, width, KERNEL, stride=1 if last else 2, padding=0 if last else 1)
            convs.append(conv if index == 0 else spectral_norm(conv))
            norms.append(nn.Identity() if index == 0 else nn.InstanceNorm2d(width, affine=False))
            previous = width
        self.convs = nn.ModuleList(convs)
        self.norms = nn.ModuleList(norms)
        self.logit = nn.Conv2d(previous, 1, KERNEL)

    def forward(self, image: torch.Tensor) -> tuple[list[torch.Tensor], torch.Tensor]:
        """image ``(B, C, H, W)`` → ([``(B, channels[l], h_l, w_l)`` per layer], logits ``(B, 1, H/8, W/8)``)."""
        features = []
        x = image
        for index, (conv, norm) in enumerate(zip(self.convs, self.norms)):
            if index == len(self.convs) - 1:
                x = _same_pad(x)
            x = F.leaky_relu(norm(conv(x)), LEAKY_SLOPE)
            features.append(x)
        return features, self.logit(_same_pad(x))


class MultiScaleDiscriminator(nn.Module):
    """Patch discriminators at ``num_scales`` scales of an RGBD image in [0, 1]."""

    def __init__(self, config: DiscriminatorConfig = DiscriminatorConfig()) -> None:
        super().__init__()
        self.config = config
        self.scales = nn.ModuleList(
            PatchDiscriminator(config.in_channels, tuple(config.channels)) for _ in range(config.num_scales)
        )

    def forward(self, rgbd: torch.Tensor) -> tuple[list[list[torch.Tensor]], list[torch.Tensor]]:
        """rgbd ``(B, in_channels, H, W)`` in [0, 1] → (features[scale][layer], logits[scale]).

        Scale 0 sees full resolution; each further scale a 2×2-average-pooled copy of the previous one's input.
        """
        x = rgbd * 2.0 - 1.0
        features, logits = [], []
        for index, scale in enumerate(self.scales):
            if index > 0:
                x = F.avg_pool2d(x, 2)
            scale_features, scale_logits = scale(x)
            features.append(scale_features)
            logits.append(scale_logits)
        return features, logits


def _same_pad(x: torch.Tensor) -> torch.Tensor:
    """Zero-pad ``(B, C, H, W)`` by 1 before and 2 after each spatial axis, so a 4×4 stride-1 conv keeps the size."""
    return F.pad(x, (1, 2, 1, 2))
