"""Training configuration of the refiner and the named presets (``tiny`` for tests, ``cpu``, ``gpu``)."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field, replace

from infnat_core.data.photos import PhotoRoundTripConfig
from infnat_core.data.synthetic import SyntheticConfig
from infnat_core.data.terrain import TerrainConfig
from infnat_core.data.terrain_mesh import TerrainMeshConfig
from infnat_core.data.terrain_render import TerrainRenderConfig
from infnat_core.data.trajectory import TrajectoryConfig
from infnat_core.errors import InfnatError
from infnat_core.refiner.config import RefinerConfig
from infnat_core.training.discriminator import DiscriminatorConfig
from infnat_core.training.losses import LossWeights


@dataclass(frozen=True)
class TrainConfig:
    """Everything that decides what a training run computes (not where it writes or for how long it runs)."""

    refiner: RefinerConfig = field(default_factory=lambda: RefinerConfig(height=96, width=160))
    """Generator and style encoder shape; its height × width is the training (and shipped inference) resolution."""
    discriminator: DiscriminatorConfig = field(default_factory=DiscriminatorConfig)
    """Multi-scale patch discriminator shape."""
    losses: LossWeights = field(default_factory=LossWeights)
    """Weights of the generator's and discriminator's loss terms."""
    synthetic: SyntheticConfig = field(default_factory=SyntheticConfig)
    """Synthetic flight data; its height and width are replaced by the refiner's."""
    photos: PhotoRoundTripConfig = field(default_factory=PhotoRoundTripConfig)
    """Photo round-trip data (used only when photos are given); its height and width are replaced by the refiner's."""
    photo_weight: float = 0.4
    """Share of photo round-trip samples in the pool when photos are given (the rest are synthetic)."""
    pool_size: int = 1000
    """Samples drawn once from the data mixture at the start and reused: on a CPU drawing samples costs as much as
    a training step, so a fixed pool trains several epochs for the cost of one draw."""
    batch_size: int = 4
    """Samples per optimiser step (per process under DDP)."""
    generator_lr: float = 2e-4
    """Adam learning rate of the generator and style encoder."""
    discriminator_lr: float = 4e-4
    """Adam learning rate of the discriminator (two-time-scale update rule: faster than the generator)."""
    betas: tuple[float, float] = (0.5, 0.999)
    """Adam betas of both optimisers."""
    perceptual_downsample: int = 2
    """The VGG16 perceptual loss sees pred and target average-pooled by this factor (1 = full size): VGG16 is the
    most expensive part of a CPU step."""
    composite_loss: bool = True
    """Judge the composite ``keep · input + (1 − keep) · prediction`` (what the engine shows, since it keeps valid
    rendered pixels; ``keep`` is the render's mask without its depth-edge band,
    :func:`infnat_core.refiner.edges.paint_mask`) instead of the raw prediction, so the network spends its capacity
    on what it paints."""
    rollout_every: int = 0
    """Steps between refreshes of part of the pool with the network's own chained outputs
    (:func:`infnat_core.data.rollout.rollout_samples`: flights flown render → refine → repeat by the current
    network, each render with the true frame as its target), so it learns to correct what its earlier outputs
    become when warped again; 0 never refreshes. A resumed run starts again from the drawn pool."""
    rollout_flights: int = 10
    """Synthetic flights (not those of the drawn pool) flown per refresh and process."""
    rollout_steps: int = 10
    """Chained steps per rolled-out flight; each refresh overwrites ``rollout_flights × rollout_steps`` samples of
    the pool, oldest first."""
    rollout_share: float = 0.5
    """Share of the pool that rollouts cycle through (the first samples of the drawn pool, a random mix of its
    sources); the rest stays as drawn, so the photos keep at least ``(1 − share) · photo_weight`` of it."""
    checkpoint_every: int = 100
    """Steps between checkpoints (and loss-curve updates)."""
    log_every: int = 10
    """Steps between progress lines."""
    seed: int = 0
    """Seed of the data, the initial weights, the batch order and the style noise."""

    def __post_init__(self) -> None:
        if self.pool_size < self.batch_size or self.batch_size < 1:
            raise InfnatError(
                f"pool_size {self.pool_size} must be at least batch_size {self.batch_size} (≥ 1); raise pool_size"
            )
        if self.perceptual_downsample not in (1, 2, 4):
            raise InfnatError(f"perceptual_downsample {self.perceptual_downsample} is invalid; use 1, 2 or 4")
        if self.rollout_every < 0 or self.rollout_flights < 1 or self.rollout_steps < 1:
            raise InfnatError("rollout_every must be 0 (off) or positive, rollout_flights and rollout_steps positive")
        if not 0.0 < self.rollout_share <= 1.0:
            raise InfnatError(f"rollout_share {self.rollout_share} is out of range; use a value in (0, 1]")
        if self.rollout_every and self.rollout_flights * self.rollout_steps > self.rollout_share * self.pool_size:
            raise InfnatError(f"a rollout refresh ({self.rollout_flights} × {self.rollout_steps} samples) must fit "
                              f"in its share of the pool ({self.rollout_share} × {self.pool_size}); lower "
                              "rollout_flights or raise pool_size")
        if self.rollout_every and self.rollout_steps >= self.synthetic.trajectory.steps:
            raise InfnatError(f"rollout_steps {self.rollout_steps} must be shorter than a synthetic flight "
                              f"({self.synthetic.trajectory.steps} poses)")
        if not 0.0 <= self.photo_weight <= 1.0:
            raise InfnatError(f"photo_weight {self.photo_weight} is out of range; use a value in [0, 1]")

    @property
    def synthetic_data(self) -> SyntheticConfig:
        """The synthetic data config at the refiner's resolution."""
        return replace(self.synthetic, height=self.refiner.height, width=self.refiner.width)

    @property
    def photo_data(self) -> PhotoRoundTripConfig:
        """The photo round-trip config at the refiner's resolution."""
        return replace(self.photos, height=self.refiner.height, width=self.refiner.width)

    def to_json(self) -> str:
        """The whole config as a JSON object string (stored with checkpoints to refuse a mismatched resume)."""
        return json.dumps(dataclasses.asdict(self), sort_keys=True)


_GPU = TrainConfig(
    refiner=RefinerConfig(height=160, width=256, spade_hidden=32, residual=True, edge_band=0.3),
    pool_size=40000,
    rollout_every=500,
    rollout_flights=50,
    rollout_steps=20,
    batch_size=16,
    perceptual_downsample=1,
    checkpoint_every=1000,
    log_every=50,
)
"""The ``gpu`` preset, also the base of ``gpu-short``."""

PRESETS: dict[str, TrainConfig] = {
    "tiny": TrainConfig(
        refiner=RefinerConfig(
            height=32, width=64, trunk_channels=(16, 16, 16, 16, 8, 8, 8), spade_hidden=8, style_dim=16,
            encoder_channels=(8, 8, 8, 8, 8), residual=True,
        ),
        discriminator=DiscriminatorConfig(channels=(8, 16, 16, 16)),
        synthetic=SyntheticConfig(
            flights=4, samples_per_flight=4, trajectory=TrajectoryConfig(steps=12),
            terrain=TerrainConfig(candidates=2), mesh=TerrainMeshConfig(vertices_per_side=64),
            render=TerrainRenderConfig(supersample=1),
        ),
        pool_size=4,
        batch_size=2,
        generator_lr=1e-3,
        discriminator_lr=1e-3,
        checkpoint_every=5,
        log_every=1,
    ),
    "cpu": TrainConfig(refiner=RefinerConfig(height=96, width=160, residual=True),
                       discriminator=DiscriminatorConfig(channels=(32, 64, 128, 256)),
                       losses=LossWeights(perceptual=0.05), batch_size=2, perceptual_downsample=2,
                       checkpoint_every=50),
    "gpu": _GPU,
    "gpu-short": replace(_GPU, pool_size=8000, rollout_every=300, rollout_flights=10, rollout_steps=10,
                         checkpoint_every=500),
}
"""Named training configs, all of residual generators (painting on top of the classical fill): ``tiny`` (seconds,
for tests), ``cpu`` (2 shared cores, about an hour: 96×160, batch 2, a slimmer discriminator, a half-size perceptual
loss weighted 5× Infinite Nature's, since the run is too short for the adversarial terms alone to shape texture),
``gpu`` (160×256, the full discriminator, batch 16, repainting the depth edges too and refreshing its pool with its
own 20-step rollouts of synthetic flights; not yet run) and ``gpu-short`` (the ``gpu`` recipe sized for a lent GPU
held for minutes, ``bench/gpu_lease.sh``: a pool of 8,000 samples, which 14 processes should draw in about 2
minutes, and smaller, cheaper refreshes; not yet run)."""


def train_preset(name: str) -> TrainConfig:
    """The training config registered as ``name``; raises ``InfnatError`` listing the known names otherwise."""
    try:
        return PRESETS[name]
    except KeyError:
        raise InfnatError(f"unknown training preset {name!r}; choose one of {', '.join(sorted(PRESETS))}") from None
