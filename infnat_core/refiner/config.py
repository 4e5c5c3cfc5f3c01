"""Refinement network configuration and the named presets.

The generator follows Infinite Nature's SPADE generator: a style vector is mapped by a linear layer to a
``(height / 32, width / 32)`` feature grid, then seven residual SPADE blocks with five ×2 nearest upsamplings
(after blocks 0, 2, 3, 4 and 5) bring it to ``(height, width)``. The network is built for that one resolution.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass

from infnat_core.errors import InfnatError

UPSAMPLE_AFTER_BLOCK = (0, 2, 3, 4, 5)
"""Indices of the trunk blocks followed by a ×2 nearest upsampling (five in all: the base grid is 1/32 size)."""

BASE_DOWNSAMPLING = 2 ** len(UPSAMPLE_AFTER_BLOCK)
"""How much smaller than the output the generator's first feature grid is (32)."""


@dataclass(frozen=True)
class RefinerConfig:
    """Shape of the SPADE generator and its style encoder. The defaults are the slim preset."""

    height: int = 160
    """Network input/output height in pixels; a multiple of 32."""
    width: int = 256
    """Network input/output width in pixels; a multiple of 32."""
    trunk_channels: tuple[int, ...] = (256, 256, 256, 128, 64, 32, 16)
    """Output width of each of the seven residual SPADE blocks; the first is also the base grid's width."""
    spade_hidden: int = 16
    """Hidden width of every SPADE layer's shared conv (the main cost lever on CPU)."""
    style_dim: int = 256
    """Length of the style vector z produced by the encoder and consumed by the generator."""
    encoder_channels: tuple[int, ...] = (16, 32, 64, 128, 128, 128)
    """Widths of the style encoder's stride-2 convs (one halving of resolution each)."""
    residual: bool = False
    """Paint on top of the classical fill: the generator is conditioned on the render with its holes filled by
    :func:`infnat_core.fill.fill_holes` and outputs a correction added to that fill (its last layer starts at
    zero, so an untrained network reproduces the fill). False: Infinite Nature's generator, conditioned on the
    render with its holes, outputs the whole image."""
    edge_band: float = 0.0
    """Also repaint the pixels next to depth edges (:func:`infnat_core.refiner.edges.edge_band`: 4-neighbours whose
    log disparities differ by more than this, and one pixel around them), which the warp draws blended and
    stretched; 0 paints the holes only."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "trunk_channels", tuple(int(c) for c in self.trunk_channels))
        object.__setattr__(self, "encoder_channels", tuple(int(c) for c in self.encoder_channels))
        if self.height <= 0 or self.width <= 0 or self.height % BASE_DOWNSAMPLING or self.width % BASE_DOWNSAMPLING:
            raise InfnatError(
                f"refiner size {self.height}x{self.width} is invalid; height and width must be positive multiples "
                f"of {BASE_DOWNSAMPLING}"
            )
        if len(self.trunk_channels) != 7 or min(self.trunk_channels) <= 0:
            raise InfnatError(f"refiner trunk_channels {self.trunk_channels} is invalid; give 7 positive widths")
        if not self.encoder_channels or min(self.encoder_channels) <= 0:
            raise InfnatError(f"refiner encoder_channels {self.encoder_channels} is invalid; give positive widths")
        if self.edge_band < 0.0:
            raise InfnatError(f"refiner edge_band {self.edge_band} is invalid; use 0 (off) or a positive threshold")
        if self.spade_hidden <= 0 or self.style_dim <= 0:
            raise InfnatError("refiner spade_hidden and style_dim must be positive")

    def to_json(self) -> str:
        """The config as a JSON object string."""
        return json.dumps(dataclasses.asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> RefinerConfig:
        """Parse :meth:`to_json` output; raises ``InfnatError`` on anything else."""
        try:
            fields = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InfnatError(f"refiner config is not valid JSON ({exc}); re-export the weights file") from None
        if not isinstance(fields, dict):
            raise InfnatError("refiner config is not a JSON object; re-export the weights file")
        unknown = set(fields) - {f.name for f in dataclasses.fields(cls)}
        if unknown:
            raise InfnatError(f"refiner config has unknown fields {sorted(unknown)}; re-export the weights file")
        try:
            return cls(**fields)
        except (TypeError, ValueError) as exc:
            raise InfnatError(f"refiner config is invalid ({exc}); re-export the weights file") from None


PRESETS: dict[str, RefinerConfig] = {
    "infinite_nature": RefinerConfig(
        trunk_channels=(512, 512, 512, 256, 128, 64, 32),
        spade_hidden=128,
    ),
    "slim": RefinerConfig(),
}
"""Named configs: Infinite Nature's exact refiner (≈36 M params) and the CPU-friendly slim default."""

DEFAULT_PRESET = "slim"
"""The preset used when none is named."""


def preset(name: str) -> RefinerConfig:
    """The config registered as ``name``; raises ``InfnatError`` listing the known names otherwise."""
    try:
        return PRESETS[name]
    except KeyError:
        raise InfnatError(f"unknown refiner preset {name!r}; choose one of {', '.join(sorted(PRESETS))}") from None
