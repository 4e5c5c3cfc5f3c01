"""A small depth network trained by infnat (synthetic renders with exact depth, plus real photos labelled by the
heuristic), and the estimator that runs it; the shipped one is the default depth.

``DepthUNet`` is a compact U-Net (≈1.2 M parameters with the default widths). In its *blend* form
(``use_heuristic``) it also sees the built-in heuristic's disparity and sky probability and outputs a correction of
them: its last layer starts at zero, so an untrained blend network reproduces the heuristic. Its outputs are relative
disparity (trained scale-and-shift invariant, so only the shape matters; min–max normalised by the estimator) and a
sky logit (sky = at infinity; trained on the renders' true sky mask, so far terrain on the 0.01 disparity floor is not
sky).

Weights are safetensors files (``save_depth_net`` / ``load_depth_net``) with the architecture as JSON metadata;
training: ``python -m infnat_core.training.depth_train`` (see docs/model-card.md, "Depth").
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from safetensors import safe_open
from safetensors.torch import save_file
from torch import nn

from infnat_core.depth.config import HeuristicDepthConfig
from infnat_core.depth.filters import guided_filter
from infnat_core.depth.heuristic import HeuristicDepthEstimator
from infnat_core.depth.interface import DepthEstimate, check_rgb
from infnat_core.depth.resample import resize, size_for_width
from infnat_core.errors import InfnatError

LEARNED_SUFFIXES = (".safetensors",)
"""File suffixes ``make_depth_estimator`` reads as a learned depth network."""
FORMAT_NAME = "infnat-depth"
"""Value of the ``format`` metadata key that marks a file as an infnat depth network."""
FORMAT_VERSION = "1"
"""Value of the ``format_version`` metadata key written by this code."""
SKY_CLAMP = 0.02
"""The heuristic's sky probability is clamped to [SKY_CLAMP, 1 − SKY_CLAMP] before its logit is taken."""
NORMALISE_PERCENTILES = (0.5, 99.5)
"""Percentiles of the non-sky disparity mapped to 0 and 1 (robust min–max)."""


@dataclass(frozen=True)
class DepthNetConfig:
    """Architecture of ``DepthUNet`` (stored in the weights file)."""

    widths: tuple[int, ...] = (16, 32, 64, 128, 128)
    """Channels per level, finest first; each level after the first halves the resolution."""
    use_heuristic: bool = True
    """Blend: the heuristic's disparity and sky are inputs and the network outputs a correction of them."""
    groups: int = 4
    """Group-norm groups per convolution (every width must be divisible by it)."""
    input_long_side: int = 160
    """Longer side of the image the network sees (the size it was trained at); the other side keeps the aspect."""

    def __post_init__(self) -> None:
        if len(self.widths) < 2 or any(w <= 0 or w % self.groups for w in self.widths):
            raise InfnatError(f"depth network widths {self.widths} must be ≥ 2 positive multiples of {self.groups}")
        if not 16 <= self.input_long_side <= 2048:
            raise InfnatError(f"depth network input_long_side must be 16–2048 (got {self.input_long_side})")

    @property
    def multiple(self) -> int:
        """Input sides must be multiples of this (one halving per level after the first)."""
        return 2 ** (len(self.widths) - 1)

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> DepthNetConfig:
        """Parse ``to_json`` output; ``InfnatError`` for anything else."""
        try:
            fields = json.loads(text)
            fields["widths"] = tuple(int(w) for w in fields["widths"])
            return cls(**fields)
        except (json.JSONDecodeError, TypeError, KeyError, ValueError) as exc:
            raise InfnatError(f"depth network config {text[:80]!r} is not readable ({exc})") from None


def _block(cin: int, cout: int, groups: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, padding=1), nn.GroupNorm(groups, cout), nn.SiLU(),
        nn.Conv2d(cout, cout, 3, padding=1), nn.GroupNorm(groups, cout), nn.SiLU(),
    )


class DepthUNet(nn.Module):
    """U-Net: ``(rgb, heuristic)`` → ``(disparity, sky logit)``."""

    def __init__(self, config: DepthNetConfig = DepthNetConfig()) -> None:
        super().__init__()
        self.config = config
        w, g = config.widths, config.groups
        channels = 3 + (2 if config.use_heuristic else 0)
        self.encoder = nn.ModuleList()
        for width in w:
            self.encoder.append(_block(channels, width, g))
            channels = width
        self.context = nn.Linear(w[-1], w[-1])  # image-wide context (where the horizon is, how far things are)
        self.decoder = nn.ModuleList()
        for width in reversed(w[:-1]):
            self.decoder.append(_block(channels + width, width, g))
            channels = width
        self.head = nn.Conv2d(channels, 2, 1)
        if config.use_heuristic:  # start as the identity on the heuristic's answer
            nn.init.zeros_(self.head.weight)
            nn.init.zeros_(self.head.bias)

    def forward(self, rgb: torch.Tensor, heuristic: torch.Tensor | None = None) -> torch.Tensor:
        """``rgb (B, 3, H, W)`` in [0, 1] and, for a blend network, ``heuristic (B, 2, H, W)`` (disparity, sky
        probability, both in [0, 1]); H and W multiples of ``config.multiple``. Returns ``(B, 2, H, W)``: relative
        disparity (larger = nearer, any scale) and the sky logit."""
        if self.config.use_heuristic:
            if heuristic is None:
                raise ValueError("this depth network blends with the heuristic: pass its (disparity, sky)")
            x = torch.cat([rgb, heuristic], dim=1) * 2.0 - 1.0
        else:
            x = rgb * 2.0 - 1.0
        skips = []
        for level, block in enumerate(self.encoder):
            if level:
                x = F.avg_pool2d(x, 2)
            x = block(x)
            skips.append(x)
        x = x + self.context(x.mean(dim=(2, 3)))[:, :, None, None]
        skips.pop()
        for block in self.decoder:
            skip = skips.pop()
            x = F.interpolate(x, size=skip.shape[-2:], mode="bilinear", align_corners=False)
            x = block(torch.cat([x, skip], dim=1))
        out = self.head(x)
        if self.config.use_heuristic:
            sky = heuristic[:, 1:2].clamp(SKY_CLAMP, 1.0 - SKY_CLAMP)
            out = out + torch.cat([heuristic[:, 0:1], torch.logit(sky)], dim=1)
        return out


def save_depth_net(path: str | Path, net: DepthUNet, half: bool = True) -> None:
    """Write ``net`` (float16 when ``half``) and its config to ``path`` (replaced atomically)."""
    dtype = torch.float16 if half else torch.float32
    tensors = {k: v.detach().to("cpu", dtype).contiguous().clone() for k, v in net.state_dict().items()}
    metadata = {"format": FORMAT_NAME, "format_version": FORMAT_VERSION, "config": net.config.to_json()}
    path = Path(path)
    partial = path.with_name(path.name + ".partial")
    save_file(tensors, str(partial), metadata=metadata)
    os.replace(partial, path)


def load_depth_net(path: str | Path) -> DepthUNet:
    """The network in ``path`` (float32, eval mode). ``InfnatError`` for a missing, corrupt, foreign or
    mismatched file."""
    path = Path(path)
    if not path.is_file():
        raise InfnatError(f"depth network weights {path} do not exist; check the path or train them "
                          "(python -m infnat_core.training.depth_train)")
    try:
        with safe_open(str(path), framework="pt", device="cpu") as handle:
            metadata = handle.metadata() or {}
            tensors = {key: handle.get_tensor(key) for key in handle.keys()}
    except Exception as exc:  # safetensors raises several exception types for damaged files
        raise InfnatError(f"depth network weights {path.name} are truncated or corrupt ({exc}); "
                          "re-export or re-download them") from None
    if metadata.get("format") != FORMAT_NAME:
        raise InfnatError(f"{path.name} is not an infnat depth network file; pass one written by infnat")
    if metadata.get("format_version") != FORMAT_VERSION:
        raise InfnatError(f"{path.name} has depth format version {metadata.get('format_version')!r}, this infnat "
                          f"reads {FORMAT_VERSION!r}; re-export it with this version")
    net = DepthUNet(DepthNetConfig.from_json(metadata.get("config", "")))
    expected = net.state_dict()
    for key, value in expected.items():
        if key not in tensors or tensors[key].shape != value.shape:
            found = tuple(tensors[key].shape) if key in tensors else "missing"
            raise InfnatError(f"depth network weights {path.name} do not fit their config ({key}: {found}, "
                              f"expected {tuple(value.shape)}); re-export them")
    if set(tensors) - set(expected):
        raise InfnatError(f"depth network weights {path.name} hold unexpected tensors "
                          f"({sorted(set(tensors) - set(expected))[0]}); re-export them")
    if not all(bool(torch.isfinite(t).all()) for t in tensors.values()):
        raise InfnatError(f"depth network weights {path.name} contain NaN or infinite values; re-export them")
    net.load_state_dict({k: v.float() for k, v in tensors.items()})
    return net.eval()


def network_input_size(height: int, width: int, long_side: int, multiple: int) -> tuple[int, int]:
    """``(h, w)`` with the longer side ``long_side`` (rounded), the aspect ratio kept, both multiples of
    ``multiple`` and at least ``multiple``."""
    scale = long_side / max(height, width)

    def snap(v: float) -> int:
        return max(multiple, int(round(v / multiple)) * multiple)

    return snap(height * scale), snap(width * scale)


@dataclass(frozen=True)
class LearnedDepthConfig:
    """How the learned estimator runs around its network."""

    working_width: int = 512
    """Width at which the network's output is aligned to the photo's edges (narrower inputs are used as they are)."""
    edge_radius: int = 8
    """Window radius (working pixels) of the photo-guided filter that snaps depth edges to photo edges."""
    edge_eps: float = 2e-3
    """Colour variance below which the guided filter treats a window as flat."""
    sky_radius: int = 3
    """Guided-filter radius (working pixels) for the sky probability."""
    heuristic: HeuristicDepthConfig = field(default_factory=HeuristicDepthConfig)
    """Settings of the heuristic a blend network corrects."""


class LearnedDepthEstimator:
    """Depth from a ``DepthUNet`` weights file (blend networks run the heuristic first)."""

    def __init__(self, path: str | Path, config: LearnedDepthConfig = LearnedDepthConfig()) -> None:
        """Load and check the weights now, so a broken file fails when it is chosen (``InfnatError``)."""
        self.path = Path(path)
        self.config = config
        self.net = load_depth_net(self.path)
        self.name = f"learned {self.path.name}"
        self._heuristic = HeuristicDepthEstimator(config.heuristic) if self.net.config.use_heuristic else None

    def estimate(self, rgb: np.ndarray) -> DepthEstimate:
        """Depth of ``rgb (H, W, 3)`` float32 in [0, 1]; disparity and sky ``(H, W)`` float32 in [0, 1]."""
        cfg, net_cfg = self.config, self.net.config
        rgb = check_rgb(rgb)
        height, width = rgb.shape[:2]
        wh, ww = size_for_width(height, width, cfg.working_width)
        work = np.clip(resize(rgb, wh, ww), 0.0, 1.0)
        nh, nw = network_input_size(wh, ww, net_cfg.input_long_side, net_cfg.multiple)
        x = torch.from_numpy(resize(work, nh, nw)).permute(2, 0, 1)[None].clamp(0.0, 1.0)
        heuristic = None
        if self._heuristic is not None:
            h_est = self._heuristic.estimate(work)
            h_maps = np.stack([resize(h_est.disparity, nh, nw), resize(h_est.sky, nh, nw)])
            heuristic = torch.from_numpy(h_maps)[None].clamp(0.0, 1.0)
        with torch.no_grad():
            out = self.net(x, heuristic)[0].numpy()

        sky = guided_filter(work, 1.0 / (1.0 + np.exp(-resize(out[1], wh, ww))), cfg.sky_radius, 1e-3, subsample=2)
        sky = np.clip(sky, 0.0, 1.0)
        disparity = guided_filter(work, resize(out[0], wh, ww), cfg.edge_radius, cfg.edge_eps, subsample=2)
        terrain = disparity[sky <= 0.5] if (sky <= 0.5).any() else disparity
        lo, hi = np.percentile(terrain, NORMALISE_PERCENTILES)
        disparity = np.clip((disparity - lo) / max(float(hi - lo), 1e-6), 0.0, 1.0)
        return DepthEstimate(
            disparity=np.clip(resize(disparity, height, width), 0.0, 1.0).astype(np.float32),
            sky=np.clip(resize(sky, height, width), 0.0, 1.0).astype(np.float32),
        )
