"""Synthetic flights with exact depth: terrain + look + camera path, rendered to (frame t, frame t+k) pairs.

Sample ``i`` belongs to flight ``i // samples_per_flight``; everything about it (terrain, look, path, which frames)
is drawn from ``(seed, flight, i)``, so a sample is the same in any process and in any order. Consecutive indices
share a flight, whose mesh and rendered frames are cached: reading in order is several times faster than shuffled.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np
import torch
from torch.utils.data import Dataset

from infnat_core import camera
from infnat_core.data.appearance import Appearance, AppearanceConfig, random_appearance
from infnat_core.data.dem import DemTile, load_dem_tiles
from infnat_core.data.gl_process import ProcessRenderers
from infnat_core.data.sample import make_sample, rgbd, warp
from infnat_core.data.terrain import Terrain, TerrainConfig, make_terrain
from infnat_core.data.terrain_mesh import TerrainMesh, TerrainMeshConfig, build_terrain_mesh
from infnat_core.data.terrain_render import TerrainRenderConfig, TerrainView
from infnat_core.data.trajectory import TrajectoryConfig, flight_path


@dataclass(frozen=True)
class SyntheticConfig:
    """Synthetic flight data."""

    height: int = 160
    """Frame height in pixels."""
    width: int = 256
    """Frame width in pixels."""
    fov_deg: float = 64.0
    """Horizontal field of view (Infinite Nature's fx = 0.8 ≈ 64°)."""
    flights: int = 2000
    """Number of distinct flights (terrain + look + path)."""
    samples_per_flight: int = 8
    """Frame pairs drawn from each flight; the dataset length is ``flights · samples_per_flight``."""
    max_gap: int = 6
    """Largest step count k between the warped frame t and the target frame t + k (k is drawn from 1..max_gap)."""
    edge_threshold: float = 0.3
    """Edge-mask threshold of the warp (the engine's default)."""
    cached_flights: int = 2
    """Flights (meshes and rendered frames) kept in memory per process."""
    terrain: TerrainConfig = field(default_factory=TerrainConfig)
    """How terrains are drawn."""
    appearance: AppearanceConfig = field(default_factory=AppearanceConfig)
    """How looks are drawn."""
    trajectory: TrajectoryConfig = field(default_factory=TrajectoryConfig)
    """How camera paths are drawn."""
    mesh: TerrainMeshConfig = field(default_factory=TerrainMeshConfig)
    """Terrain grid resolution and extent."""
    render: TerrainRenderConfig = field(default_factory=TerrainRenderConfig)
    """Terrain renderer quality."""


@dataclass(frozen=True)
class SyntheticFlight:
    """One flight: a terrain, its look and a camera path (no pixels yet)."""

    terrain: Terrain
    """Height function."""
    appearance: Appearance
    """Sun, sky, haze and materials."""
    poses: np.ndarray
    """``(T, 3, 4)`` cam_from_world per step."""
    intrinsics: np.ndarray
    """``(4,)`` texture-unit intrinsics of every frame."""


@dataclass(frozen=True)
class FramePair:
    """Ground truth for one example: frame t (to be warped), frame t + k (the target) and the flight's first frame."""

    source: TerrainView
    """Frame t."""
    target: TerrainView
    """Frame t + k."""
    first: TerrainView
    """Frame 0 of the flight."""
    source_pose: np.ndarray
    """``(3, 4)`` cam_from_world at step t."""
    target_pose: np.ndarray
    """``(3, 4)`` cam_from_world at step t + k."""
    intrinsics: np.ndarray
    """``(4,)`` texture-unit intrinsics."""
    step: int
    """t."""
    gap: int
    """k."""


class SyntheticFlights(Dataset):
    """Map-style dataset of synthetic flight samples (dicts with ``sample.SAMPLE_KEYS``)."""

    def __init__(self, config: SyntheticConfig = SyntheticConfig(), seed: int = 0, tiles: list[DemTile] | None = None):
        if config.max_gap >= config.trajectory.steps:
            raise ValueError("max_gap must be smaller than the trajectory's step count")
        self.config = config
        self.seed = seed
        self.tiles = load_dem_tiles() if tiles is None else tiles
        self.intrinsics = camera.intrinsics_from_fov(config.fov_deg, config.width, config.height)
        self.renderers = ProcessRenderers(config.render)
        self._flights: OrderedDict[int, tuple[SyntheticFlight, TerrainMesh, dict[int, TerrainView]]] = OrderedDict()
        self._uploaded: tuple[int, int] | None = None  # (id of the terrain renderer, flight index) on the GPU

    def __len__(self) -> int:
        return self.config.flights * self.config.samples_per_flight

    def flight(self, index: int) -> SyntheticFlight:
        """Flight ``index`` (deterministic in the dataset seed)."""
        rng = np.random.default_rng([self.seed, index])
        terrain = make_terrain(self.tiles, rng, self.config.terrain)
        appearance = random_appearance(terrain, rng, self.config.appearance)
        poses = flight_path(terrain, self.intrinsics, rng, self.config.trajectory)
        return SyntheticFlight(terrain, appearance, poses, self.intrinsics)

    def _cached(self, index: int) -> tuple[SyntheticFlight, TerrainMesh, dict[int, TerrainView]]:
        entry = self._flights.get(index)
        if entry is None:
            flight = self.flight(index)
            centre = camera.camera_position(flight.poses[len(flight.poses) // 2])
            mesh = build_terrain_mesh(flight.terrain, (float(centre[0]), float(centre[2])), self.config.mesh)
            entry = (flight, mesh, {})
            self._flights[index] = entry
            while len(self._flights) > self.config.cached_flights:
                self._flights.popitem(last=False)
        self._flights.move_to_end(index)
        return entry

    def cached_flight(self, index: int) -> SyntheticFlight:
        """Flight ``index`` as :meth:`frame` renders it: built once, then kept with its mesh while it is among the
        ``cached_flights`` latest."""
        return self._cached(index)[0]

    def frame(self, flight_index: int, step: int) -> TerrainView:
        """Rendered frame ``step`` of flight ``flight_index`` (ground-truth rgb and disparity)."""
        flight, mesh, frames = self._cached(flight_index)
        view = frames.get(step)
        if view is None:
            renderer = self.renderers.terrain
            if self._uploaded != (id(renderer), flight_index):
                renderer.set_scene(mesh, flight.appearance, self.config.mesh.radius)
                self._uploaded = (id(renderer), flight_index)
            view = renderer.render(flight.poses[step], flight.intrinsics, self.config.width, self.config.height)
            frames[step] = view
        return view

    def pair(self, index: int) -> FramePair:
        """The frames and poses of sample ``index``."""
        if not 0 <= index < len(self):
            raise IndexError(index)
        flight_index = index // self.config.samples_per_flight
        rng = np.random.default_rng([self.seed, flight_index, index])
        gap = int(rng.integers(1, self.config.max_gap + 1))
        step = int(rng.integers(0, self.config.trajectory.steps - gap))
        flight = self.cached_flight(flight_index)
        return FramePair(
            source=self.frame(flight_index, step),
            target=self.frame(flight_index, step + gap),
            first=self.frame(flight_index, 0),
            source_pose=flight.poses[step],
            target_pose=flight.poses[step + gap],
            intrinsics=flight.intrinsics,
            step=step,
            gap=gap,
        )

    def __getitem__(self, index: int) -> dict[str, torch.Tensor]:
        p = self.pair(index)
        rendered = warp(self.renderers.mesh, p.source.rgb, p.source.disparity, p.source_pose, p.target_pose,
                        p.intrinsics, self.config.edge_threshold)
        return make_sample(rendered, rgbd(p.target.rgb, p.target.disparity), rgbd(p.first.rgb, p.first.disparity))
