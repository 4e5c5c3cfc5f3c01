"""Render → refine → repeat along synthetic flights: the engine's loop, as the flight session runs it."""

from __future__ import annotations

import numpy as np

from infnat_core import camera
from infnat_core.data.rollout import chained_renders
from infnat_core.data.synthetic import SyntheticConfig, SyntheticFlights
from infnat_core.data.terrain import TerrainConfig
from infnat_core.data.terrain_mesh import TerrainMeshConfig
from infnat_core.data.terrain_render import TerrainRenderConfig
from infnat_core.refiner.inference import FillRefiner


class Recorder(FillRefiner):
    """The classical fill, keeping what it was given."""

    def __init__(self):
        self.renders = []

    def refine(self, rgb, disparity, mask):
        self.renders.append((rgb.copy(), disparity.copy(), mask.copy()))
        return super().refine(rgb, disparity, mask)


def test_each_refined_frame_is_warped_into_the_next_and_sky_stays_at_infinity(dem_tiles):
    config = SyntheticConfig(width=96, height=64, flights=1, terrain=TerrainConfig(candidates=2),
                             mesh=TerrainMeshConfig(vertices_per_side=64), render=TerrainRenderConfig(supersample=1))
    dataset = SyntheticFlights(config, seed=3, tiles=dem_tiles)
    first = dataset.frame(0, 0)
    assert (first.sky > 0.99).mean() > 0.05  # the flight sees sky
    recorder = Recorder()
    steps = list(chained_renders(dataset, 0, recorder, 4))
    assert [s for s, *_ in steps] == [1, 2, 3, 4] and len(recorder.renders) == 4
    for step, out, rgb, disparity in steps:
        np.testing.assert_array_equal(recorder.renders[step - 1][2], out.mask)
        assert rgb.shape == (64, 96, 3) and disparity.shape == (64, 96)
        # Sky is drawn by the sky pass at infinity (exactly the floor disparity), not as a mesh 100 units away,
        # whose disparity would change as the camera moves (only the skyline's blended pixels are drawn so).
        truth = dataset.frame(0, step)
        sky = (truth.sky > 0.99) & (out.mask > 0.5)
        assert sky.mean() > 0.05
        assert np.mean(np.isclose(out.disparity[sky], camera.MIN_DISPARITY, rtol=1e-5, atol=0)) > 0.9
    # The renderer is left as it was found, also when the flight stops early: no anchor, no sky dome.
    renderer = dataset.renderers.mesh
    assert not renderer._anchor_on and renderer._dome is None
    flight = chained_renders(dataset, 0, FillRefiner(), 4)
    next(flight)
    assert renderer._anchor_on and renderer._dome is not None
    flight.close()
    assert not renderer._anchor_on and renderer._dome is None
