"""Render → refine → repeat along a synthetic flight: what the engine does, with the truth at every step.

The short-range evaluation scores these frames; training on them (``TrainConfig.rollout_every``) shows the refiner
its own earlier outputs warped again, which single warps of true frames never do.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import torch

from infnat_core import camera
from infnat_core.data.sample import make_sample, rgbd
from infnat_core.data.synthetic import SyntheticFlights
from infnat_core.detail import photo_detail
from infnat_core.refiner.inference import Refiner
from infnat_core.render import Keyframe, RenderOutput
from infnat_core.session import SessionConfig
from infnat_core.sky import SkyDome


def chained_renders(dataset: SyntheticFlights, flight_index: int, refiner: Refiner, last_step: int,
                    edge_threshold: float = 0.3, detail_strength: float = 0.0
                    ) -> Iterator[tuple[int, RenderOutput, np.ndarray, np.ndarray]]:
    """``(step, render, rgb, disparity)`` for steps ``1..last_step`` of one synthetic flight flown by the engine's
    loop: the render ``(H, W)`` at the step's pose, and ``refiner``'s rgb ``(H, W, 3)`` and disparity ``(H, W)``
    for it, which become the keyframe of the next step.

    As ``FlightSession`` does with a photo, the ground-truth frame 0 starts the flight and stays as the anchor
    layer, and sky is drawn at infinity: frame 0's sky by direction, then the sky the refiner painted, kept in a
    dome. With ``detail_strength`` > 0, frame 0's detail texture is drawn over the world (its gain is in each
    render's ``detail_gain``: the finished frame is ``render.finished(rgb)``). (The session's cache of older keyframes
    is left out: a short flight forward never looks back.)
    """
    flight = dataset.cached_flight(flight_index)
    cfg = dataset.config
    first = dataset.frame(flight_index, 0)
    renderer = dataset.renderers.mesh
    start = Keyframe(first.rgb, np.clip(first.disparity, camera.MIN_DISPARITY, 1.0), flight.poses[0], flight.intrinsics,
                     own_detail=True)
    sky = SkyDome(SessionConfig().sky_dome_height)
    try:
        renderer.set_sky(sky.rgba)
        renderer.set_anchor(start, edge_threshold)
        renderer.set_keyframe(start, edge_threshold)
        if detail_strength > 0.0:
            renderer.set_detail(photo_detail(first.rgb, first.disparity, flight.intrinsics), detail_strength)
        refiner.set_style(first.rgb, first.disparity)
        for step in range(1, last_step + 1):
            out = renderer.render(flight.poses[step], flight.intrinsics, cfg.width, cfg.height)
            rgb, disparity = refiner.refine(out.rgb, out.disparity, out.mask)
            yield step, out, rgb, disparity
            if sky.paint(rgb, disparity, out.mask < 0.5, flight.poses[step], flight.intrinsics):
                renderer.set_sky(sky.rgba)
            renderer.set_keyframe(Keyframe(rgb, np.clip(disparity, camera.MIN_DISPARITY, 1.0), flight.poses[step],
                                           flight.intrinsics), edge_threshold)
    finally:
        renderer.set_anchor(None)
        renderer.set_sky(None)
        renderer.set_detail(None)


def rollout_samples(dataset: SyntheticFlights, flight_index: int, refiner: Refiner, steps: int,
                    edge_threshold: float = 0.3) -> list[dict[str, torch.Tensor]]:
    """Training samples (``sample.SAMPLE_KEYS``) of steps ``1..steps`` of :func:`chained_renders`: each render of
    the refiner's own chained output, with the true frame of that step as the target."""
    first = dataset.frame(flight_index, 0)
    first_rgbd = rgbd(first.rgb, first.disparity)
    samples = []
    for step, out, _, _ in chained_renders(dataset, flight_index, refiner, steps, edge_threshold):
        truth = dataset.frame(flight_index, step)
        samples.append(make_sample(out, rgbd(truth.rgb, truth.disparity), first_rgbd))
    return samples
