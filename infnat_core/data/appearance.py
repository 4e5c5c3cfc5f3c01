"""How a synthetic landscape looks: sun, sky, clouds, haze and the colours of its materials, drawn per flight."""

from __future__ import annotations

import colorsys
import math
from dataclasses import dataclass

import numpy as np

from infnat_core.data.terrain import Terrain


@dataclass(frozen=True)
class AppearanceConfig:
    """Ranges from which ``random_appearance`` draws a look; each ``(low, high)`` is sampled uniformly."""

    sun_elevation_deg: tuple[float, float] = (8.0, 60.0)
    """Sun height above the horizon."""
    haze_visibility: tuple[float, float] = (120.0, 600.0)
    """Distance (world units) at which haze hides 63 % of a surface's colour."""
    cloud_cover: tuple[float, float] = (0.0, 0.6)
    """Fraction of the sky covered by clouds."""
    cloud_altitude: tuple[float, float] = (25.0, 60.0)
    """Height of the cloud layer above the highest ground near the flight, world units."""
    snow_line_m: tuple[float, float] = (2300.0, 3400.0)
    """Snow line in metres; raised to ``snow_line_relief`` of the local peak height in very high mountains."""
    snow_line_relief: float = 0.6
    """Least snow line as a fraction of the highest ground near the flight (keeps Himalayan valleys green)."""
    winter_probability: float = 0.15
    """Chance of a low snow line (``winter_snow_line_m``)."""
    winter_snow_line_m: tuple[float, float] = (900.0, 1800.0)
    """Snow line in metres for a winter look."""
    tree_line_below_snow_m: tuple[float, float] = (500.0, 900.0)
    """How far (metres) below the snow line forests stop."""
    warm_light_probability: float = 0.25
    """Chance of an evening look: low sun, warm light and sky."""


@dataclass(frozen=True)
class Appearance:
    """Uniforms of the terrain shaders; colours are linear-ish RGB in [0, 1], heights in world units."""

    sun_direction: np.ndarray
    """``(3,)`` unit world vector toward the sun."""
    sun_color: np.ndarray
    """``(3,)`` direct light colour."""
    zenith_color: np.ndarray
    """``(3,)`` sky colour straight up."""
    horizon_color: np.ndarray
    """``(3,)`` sky colour at the horizon; also the haze colour."""
    haze_density: float
    """Haze extinction per world unit."""
    cloud_cover: float
    """Fraction of the sky covered by clouds, in [0, 1]."""
    cloud_height: float
    """World height of the cloud layer."""
    cloud_scale: float
    """Cloud texture repeats per world unit."""
    cloud_offset: np.ndarray
    """``(2,)`` texture offset of the cloud pattern."""
    grass_color: np.ndarray
    """``(3,)`` meadow colour."""
    forest_color: np.ndarray
    """``(3,)`` forest canopy colour."""
    rock_color: np.ndarray
    """``(3,)`` bare rock colour."""
    sand_color: np.ndarray
    """``(3,)`` beach colour."""
    water_color: np.ndarray
    """``(3,)`` deep water colour."""
    tree_line: float
    """World height above which forests thin out."""
    snow_line: float
    """World height above which flat enough ground is snow-covered."""
    water_level: float
    """World height of the water surface (the terrain's)."""


def _jitter(rng: np.random.Generator, rgb: tuple[float, float, float], hue: float, sat: float, val: float) -> np.ndarray:
    h, s, v = colorsys.rgb_to_hsv(*rgb)
    h = (h + rng.uniform(-hue, hue)) % 1.0
    s = float(np.clip(s * rng.uniform(1 - sat, 1 + sat), 0, 1))
    v = float(np.clip(v * rng.uniform(1 - val, 1 + val), 0, 1))
    return np.array(colorsys.hsv_to_rgb(h, s, v), dtype=np.float32)


def random_appearance(terrain: Terrain, rng: np.random.Generator, config: AppearanceConfig = AppearanceConfig(),
                      survey_radius: float = 150.0) -> Appearance:
    """Draw a look for a terrain; snow and tree lines follow the heights within ``survey_radius`` of the origin."""
    grid = np.linspace(-survey_radius, survey_radius, 24)
    gx, gz = np.meshgrid(grid, grid)
    peak = float(terrain.dem_height(gx, gz).max())

    warm = rng.random() < config.warm_light_probability
    elevation = math.radians(rng.uniform(6.0, 18.0) if warm else rng.uniform(*config.sun_elevation_deg))
    azimuth = rng.uniform(0.0, 2.0 * math.pi)
    sun = np.array([math.cos(elevation) * math.sin(azimuth), -math.sin(elevation), math.cos(elevation) * math.cos(azimuth)])
    if warm:
        sun_color = _jitter(rng, (1.0, 0.78, 0.55), 0.02, 0.2, 0.05)
        zenith = _jitter(rng, (0.28, 0.42, 0.68), 0.03, 0.2, 0.15)
        horizon = _jitter(rng, (0.93, 0.8, 0.68), 0.03, 0.25, 0.05)
    else:
        sun_color = _jitter(rng, (1.0, 0.97, 0.9), 0.02, 0.3, 0.05)
        zenith = _jitter(rng, (0.22, 0.45, 0.82), 0.03, 0.25, 0.15)
        horizon = _jitter(rng, (0.75, 0.84, 0.92), 0.03, 0.3, 0.06)

    if rng.random() < config.winter_probability:
        snow_m = rng.uniform(*config.winter_snow_line_m)
    else:
        snow_m = max(rng.uniform(*config.snow_line_m), 0.0)
    snow_line = max(terrain.metres_to_units(snow_m), config.snow_line_relief * peak)
    tree_line = snow_line - terrain.metres_to_units(rng.uniform(*config.tree_line_below_snow_m))

    return Appearance(
        sun_direction=sun.astype(np.float32),
        sun_color=sun_color,
        zenith_color=zenith,
        horizon_color=horizon,
        haze_density=float(1.0 / rng.uniform(*config.haze_visibility)),
        cloud_cover=float(rng.uniform(*config.cloud_cover)),
        cloud_height=float(peak + rng.uniform(*config.cloud_altitude)),
        cloud_scale=float(rng.uniform(0.002, 0.006)),
        cloud_offset=rng.uniform(0.0, 1.0, size=2).astype(np.float32),
        grass_color=_jitter(rng, (0.34, 0.40, 0.2), 0.05, 0.3, 0.2),
        forest_color=_jitter(rng, (0.12, 0.19, 0.09), 0.03, 0.25, 0.2),
        rock_color=_jitter(rng, (0.45, 0.42, 0.38), 0.05, 0.4, 0.2),
        sand_color=_jitter(rng, (0.78, 0.72, 0.56), 0.02, 0.2, 0.08),
        water_color=_jitter(rng, (0.06, 0.18, 0.26), 0.04, 0.2, 0.2),
        tree_line=float(tree_line),
        snow_line=float(snow_line),
        water_level=float(terrain.water_level),
    )
