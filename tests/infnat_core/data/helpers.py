"""Small terrains and configurations shared by the data tests."""

import numpy as np

from infnat_core.data.noise import FbmConfig
from infnat_core.data.photos import Photo
from infnat_core.data.synthetic import SyntheticConfig
from infnat_core.data.terrain import NO_WATER, Terrain
from infnat_core.data.terrain_mesh import TerrainMeshConfig
from infnat_core.data.terrain_render import TerrainRenderConfig
from infnat_core.data.trajectory import TrajectoryConfig


def flat_terrain(height_m: float = 100.0, metres_per_unit: float = 50.0) -> Terrain:
    """A level plane at height_m / metres_per_unit world units, with no detail and no water."""
    return Terrain(
        tile_name="flat", heights_m=np.full((8, 8), height_m, np.float32), cell_m=(500.0, 500.0),
        origin_cell=(4.0, 4.0), angle=0.0, metres_per_unit=metres_per_unit, vertical_exaggeration=1.0,
        detail_amplitude=0.0, detail=FbmConfig(), detail_seed=0, water_level=NO_WATER,
    )


def small_synthetic_config(**overrides) -> SyntheticConfig:
    """A quick configuration: small frames, a coarse grid, no supersampling, short flights."""
    base = dict(
        height=64, width=96, flights=4, samples_per_flight=4, max_gap=4,
        trajectory=TrajectoryConfig(steps=12),
        mesh=TerrainMeshConfig(vertices_per_side=128),
        render=TerrainRenderConfig(supersample=1),
    )
    base.update(overrides)
    return SyntheticConfig(**base)


def stripes_photo() -> Photo:
    """Vertical colour stripes; a near block (disparity 0.9) stands in front of a far wall (disparity 0.05)."""
    h, w = 200, 320
    xx = np.arange(w)[None, :].repeat(h, 0)
    rgb = np.stack([(xx * 7) % 256, (xx * 3) % 256, np.full_like(xx, 128)], -1).astype(np.uint8)
    disparity = np.full((h, w), 0.05, np.float32)
    disparity[60:160, 100:220] = 0.9
    return Photo(rgb=rgb, disparity=disparity, name="stripes")
