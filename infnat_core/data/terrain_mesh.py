"""A renderable grid over a terrain: dense near the flight, sparse toward the horizon (numpy)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from infnat_core.data.terrain import Terrain

VERTEX_FLOATS = 7
"""Per vertex: world position (3), unit up-facing normal (3), ground height under any water (1)."""


@dataclass(frozen=True)
class TerrainMeshConfig:
    """Resolution and extent of the terrain grid."""

    vertices_per_side: int = 384
    """Grid vertices along x and along z (the renderer's cost grows with their square)."""
    radius: float = 400.0
    """Half-size of the square grid in world units (content beyond depth 100 still shows, hazy, up to here)."""
    warp: float = 4.5
    """Spacing grows as cosh(warp·s) from the centre (s = 0) to the edge (s = 1): ≈ e^warp / 2 times sparser there."""


@dataclass(frozen=True)
class TerrainMesh:
    """Vertex data of an N×N row-major grid (rows along z, columns along x)."""

    vertices: np.ndarray
    """``(N·N, 7)`` float32 rows of position, normal, ground height (see ``VERTEX_FLOATS``)."""
    size: int
    """N, vertices per side."""


def grid_offsets(n: int, radius: float, warp: float) -> np.ndarray:
    """``(n,)`` float64 offsets in [−radius, radius] from the grid centre, ``radius·sinh(warp·s)/sinh(warp)``."""
    s = np.linspace(-1.0, 1.0, n)
    if warp <= 0.0:
        return radius * s
    return radius * np.sinh(warp * s) / math.sinh(warp)


def build_terrain_mesh(terrain: Terrain, centre_xz: tuple[float, float],
                       config: TerrainMeshConfig = TerrainMeshConfig()) -> TerrainMesh:
    """Sample a terrain on a grid centred at world ``centre_xz``; water is a flat surface at the water level."""
    offsets = grid_offsets(config.vertices_per_side, config.radius, config.warp)
    xs = centre_xz[0] + offsets
    zs = centre_xz[1] + offsets
    gx, gz = np.meshgrid(xs, zs)
    ground = terrain.height(gx, gz)
    surface = np.maximum(ground, np.float32(terrain.water_level))
    dh_dz, dh_dx = np.gradient(surface.astype(np.float64), zs, xs)
    # Surface y = −h(x, z); its up-facing (−y) normal is (−∂h/∂x, −1, −∂h/∂z), normalised.
    normal = np.stack([-dh_dx, -np.ones_like(dh_dx), -dh_dz], axis=-1)
    normal /= np.linalg.norm(normal, axis=-1, keepdims=True)
    vertices = np.concatenate(
        [np.stack([gx, -surface, gz], axis=-1), normal, ground[..., None]], axis=-1
    ).astype(np.float32)
    return TerrainMesh(vertices=vertices.reshape(-1, VERTEX_FLOATS), size=config.vertices_per_side)
