"""Synthetic terrain: a DEM tile, placed, scaled and rotated into world units, plus seeded fractal detail.

World frame (the camera conventions of ``infnat_core.camera``): y points down, so a surface point at height ``h`` is
``(x, −h, z)``; x is east and z is north on the tile (rotated by ``Terrain.angle``). One world unit is
``metres_per_unit`` metres horizontally; heights are exaggerated by ``vertical_exaggeration``. Water covers
everything below ``water_level``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

from infnat_core.data.dem import DemTile
from infnat_core.data.noise import FbmConfig, fbm

NO_WATER = -1.0e4
"""``water_level`` of a terrain without water."""


@dataclass(frozen=True)
class TerrainConfig:
    """Ranges from which ``make_terrain`` draws one terrain; each ``(low, high)`` is sampled uniformly."""

    metres_per_unit: tuple[float, float] = (30.0, 60.0)
    """Horizontal metres per world unit (the engine's scenes span depth 1–100: here 30–6000 m)."""
    vertical_exaggeration: tuple[float, float] = (1.0, 1.8)
    """Factor on DEM heights (DEMs at 1 km look flatter than the real mountains they sample)."""
    detail_amplitude: tuple[float, float] = (0.4, 1.5)
    """Amplitude (world units) of the fractal detail added to the smooth DEM surface."""
    detail: FbmConfig = field(default_factory=lambda: FbmConfig(wavelength=12.0, octaves=6, gain=0.5))
    """Fractal detail shape (wavelength in world units)."""
    sea_floor_m: float = -60.0
    """Height given to DEM cells at or below 0 m (GLOBE clips the sea to 0) so coastlines interpolate smoothly."""
    lake_probability: float = 0.3
    """Chance that a tile without sea gets a lake level at a low percentile of the heights around the flight."""
    lake_percentile: tuple[float, float] = (3.0, 15.0)
    """Percentile range of that lake level."""
    candidates: int = 12
    """Random placements tried; the one with the most relief (and some land) is kept."""
    min_land_fraction: float = 0.35
    """Placements with less land than this around the flight are only used when no other is found."""
    survey_radius: float = 120.0
    """Half-size (world units) of the square around the flight start that a placement is scored on."""


@dataclass(frozen=True)
class Terrain:
    """A height function over the world's x–z plane (see the module docstring)."""

    tile_name: str
    """Name of the DEM tile the heights come from."""
    heights_m: np.ndarray
    """``(H, W)`` float32 tile heights in metres, sea cells lowered to the sea floor (rows north→south)."""
    cell_m: tuple[float, float]
    """(east–west, north–south) size of one tile cell in metres."""
    origin_cell: tuple[float, float]
    """(row, col) of the tile at world x = z = 0."""
    angle: float
    """Rotation (radians) of world x/z against the tile's east/north."""
    metres_per_unit: float
    """Horizontal metres per world unit."""
    vertical_exaggeration: float
    """Factor on DEM heights."""
    detail_amplitude: float
    """Amplitude of the fractal detail in world units."""
    detail: FbmConfig
    """Fractal detail shape."""
    detail_seed: int
    """Seed of the fractal detail."""
    water_level: float
    """World height of the water surface (``NO_WATER`` when dry)."""

    def dem_height(self, x: np.ndarray, z: np.ndarray) -> np.ndarray:
        """Smooth DEM height ``(...)`` float32 in world units at world points ``x, z`` (same shape)."""
        x = np.asarray(x, dtype=np.float64)
        z = np.asarray(z, dtype=np.float64)
        c, s = math.cos(self.angle), math.sin(self.angle)
        east = (c * x - s * z) * self.metres_per_unit
        north = (s * x + c * z) * self.metres_per_unit
        rows = self.origin_cell[0] - north / self.cell_m[1]
        cols = self.origin_cell[1] + east / self.cell_m[0]
        metres = catmull_rom(self.heights_m, rows, cols)
        return (metres * (self.vertical_exaggeration / self.metres_per_unit)).astype(np.float32)

    def height(self, x: np.ndarray, z: np.ndarray) -> np.ndarray:
        """Ground height ``(...)`` float32 (world units, under water too) at world points ``x, z``.

        Fractal detail fades out toward the water line so shores stay clean.
        """
        base = self.dem_height(x, z)
        fade = np.clip((base - self.water_level) / max(self.detail_amplitude, 1e-6), 0.0, 1.0)
        return base + self.detail_amplitude * fade * fbm(x, z, self.detail_seed, self.detail)

    def surface(self, x: np.ndarray, z: np.ndarray) -> np.ndarray:
        """Height ``(...)`` of what the camera sees: the ground, or the water surface above it."""
        return np.maximum(self.height(x, z), np.float32(self.water_level))

    def metres_to_units(self, metres: float) -> float:
        """World height of an altitude above sea level in metres."""
        return metres * self.vertical_exaggeration / self.metres_per_unit


def catmull_rom(grid: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Bicubic (Catmull–Rom) samples ``(...)`` float32 of ``grid (H, W)`` at fractional ``rows, cols``.

    Integer coordinates are cell centres; beyond the border the edge values continue.
    """
    h, w = grid.shape
    r0 = np.floor(rows)
    c0 = np.floor(cols)
    tr = (rows - r0).astype(np.float32)
    tc = (cols - c0).astype(np.float32)
    r0 = r0.astype(np.int64)
    c0 = c0.astype(np.int64)

    def weights(t: np.ndarray) -> tuple[np.ndarray, ...]:
        t2, t3 = t * t, t * t * t
        return (
            0.5 * (-t3 + 2.0 * t2 - t),
            0.5 * (3.0 * t3 - 5.0 * t2 + 2.0),
            0.5 * (-3.0 * t3 + 4.0 * t2 + t),
            0.5 * (t3 - t2),
        )

    wr, wc = weights(tr), weights(tc)
    out = np.zeros(np.shape(rows), dtype=np.float32)
    for i in range(4):
        rr = np.clip(r0 + (i - 1), 0, h - 1)
        row_sum = np.zeros_like(out)
        for j in range(4):
            cc = np.clip(c0 + (j - 1), 0, w - 1)
            row_sum += wc[j] * grid[rr, cc]
        out += wr[i] * row_sum
    return out


def make_terrain(tiles: list[DemTile], rng: np.random.Generator, config: TerrainConfig = TerrainConfig()) -> Terrain:
    """Draw a terrain: a tile, a placement with relief around the world origin, a scale and seeded detail."""
    tile = tiles[int(rng.integers(len(tiles)))]
    mpu = float(rng.uniform(*config.metres_per_unit))
    exaggeration = float(rng.uniform(*config.vertical_exaggeration))
    amplitude = float(rng.uniform(*config.detail_amplitude))
    detail_seed = int(rng.integers(2**31))
    has_sea = bool((tile.heights <= 0).any())
    lake = not has_sea and rng.random() < config.lake_probability
    lake_percentile = float(rng.uniform(*config.lake_percentile))
    h, w = tile.heights.shape
    margin = 0.15
    heights_m = np.where(tile.heights <= 0.0, np.minimum(tile.heights, config.sea_floor_m), tile.heights)
    heights_m = heights_m.astype(np.float32)

    survey = np.linspace(-config.survey_radius, config.survey_radius, 16)
    sx, sz = np.meshgrid(survey, survey)
    best: tuple[float, Terrain] | None = None
    for _ in range(config.candidates):
        terrain = Terrain(
            tile_name=tile.name,
            heights_m=heights_m,
            cell_m=tile.cell_m,
            origin_cell=(float(rng.uniform(margin, 1 - margin) * h), float(rng.uniform(margin, 1 - margin) * w)),
            angle=float(rng.uniform(0.0, 2.0 * math.pi)),
            metres_per_unit=mpu,
            vertical_exaggeration=exaggeration,
            detail_amplitude=amplitude,
            detail=config.detail,
            detail_seed=detail_seed,
            water_level=0.0 if has_sea else NO_WATER,
        )
        ground = terrain.dem_height(sx, sz)
        if lake:
            level = float(np.percentile(ground, lake_percentile))
            terrain = replace(terrain, water_level=level)
        land = float(np.mean(ground > terrain.water_level))
        score = float(np.std(np.maximum(ground, terrain.water_level))) + (1e3 if land >= config.min_land_fraction else 0)
        if best is None or score > best[0]:
            best = (score, terrain)
    return best[1]
