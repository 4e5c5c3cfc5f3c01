"""Short-range evaluation: the scores inside the holes tell a good painter from a bad one."""

from __future__ import annotations

import numpy as np

from infnat_core.data.synthetic import SyntheticConfig
from infnat_core.data.terrain import TerrainConfig
from infnat_core.data.terrain_mesh import TerrainMeshConfig
from infnat_core.data.terrain_render import TerrainRenderConfig
from infnat_core.evaluation.short_range import ShortRangeConfig, short_range_eval
from infnat_core.fill import fill_holes
from infnat_core.refiner.inference import FillRefiner


class BlackPainter:
    """Paints every hole black (the disparity as the fill does)."""

    name = "black"

    def set_style(self, rgb, disparity, seed=0):
        pass

    def refine(self, rgb, disparity, mask):
        _, filled = fill_holes(rgb, disparity, mask)
        return (rgb * (mask >= 0.5)[..., None]).astype(np.float32), filled


def test_hole_scores_single_out_the_painting():
    data = SyntheticConfig(terrain=TerrainConfig(candidates=2), mesh=TerrainMeshConfig(vertices_per_side=64),
                           render=TerrainRenderConfig(supersample=1))
    config = ShortRangeConfig(flights=2, steps=(3, 8), width=96, height=64, data=data, examples=0)
    result = short_range_eval({"fill": FillRefiner(), "black": BlackPainter()}, config)
    assert all(0.0 < f < 0.5 for f in result.hole_fraction)  # there is something to paint, but little
    for i in range(len(config.steps)):
        # black holes are far worse inside the holes than the fill, and the whole-frame figures dilute that
        hole_ratio = result.hole_lpips["black"][i] / result.hole_lpips["fill"][i]
        frame_ratio = result.lpips["black"][i] / result.lpips["fill"][i]
        assert hole_ratio > 1.5 and hole_ratio > frame_ratio
        assert result.hole_psnr["black"][i] < result.hole_psnr["fill"][i] - 5.0
        assert result.hole_psnr["fill"][i] < result.psnr["fill"][i]  # holes are the hard part of a frame
