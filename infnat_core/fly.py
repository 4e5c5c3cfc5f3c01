"""Headless flights: where the camera goes (autopilot or a recorded path) and the loop that renders it."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from infnat_core import camera
from infnat_core.flight.autopilot import AutopilotConfig, autopilot_init, autopilot_pose, autopilot_step
from infnat_core.flight.path import FlightPath
from infnat_core.session import FlightSession, Frame


@dataclass(frozen=True)
class WanderConfig:
    """Seeded, smooth steering added to the autopilot so different seeds fly different routes."""

    amplitude: float = 0.1
    """Peak offset of the look target from the view centre (texture units) that the wandering holds."""
    period_frames: float = 240.0
    """Typical period of a swing, in frames."""


def wander(seed: int, steer_decay: float, config: WanderConfig = WanderConfig()) -> Callable[[int], tuple[float, float]]:
    """Steer input ``(x, y)`` per frame index, fixed by ``seed``. The autopilot keeps a steer offset that decays by
    ``steer_decay`` per step, so an input of ``a·(1 − decay)`` holds the offset near ``a``."""
    rng = np.random.default_rng(seed)
    phases = rng.uniform(0, 2 * math.pi, 4)
    rates = 2 * math.pi / config.period_frames * rng.uniform(0.6, 1.4, 4)

    def steer(i: int) -> tuple[float, float]:
        x = 0.5 * (math.sin(rates[0] * i + phases[0]) + math.sin(rates[1] * i + phases[1]))
        y = 0.25 * (math.sin(rates[2] * i + phases[2]) + math.sin(rates[3] * i + phases[3]))
        gain = config.amplitude * (1.0 - steer_decay)
        return gain * x, gain * y

    return steer


def autopilot_flight(session: FlightSession, n_frames: int, seed: int = 0,
                     config: AutopilotConfig = AutopilotConfig()) -> Iterator[Frame]:
    """Fly ``n_frames`` under the autopilot, which steers from each finished frame's disparity.

    Use ``config_for_speed`` for a config whose smoothing matches its speed."""
    state = autopilot_init(camera.identity_pose())
    steer = wander(seed, config.steer_decay)
    for i in range(n_frames):
        frame = session.step(autopilot_pose(state))
        yield frame
        state = autopilot_step(state, frame.disparity, session.intrinsics, config, steer=steer(i))


def path_flight(session: FlightSession, path: FlightPath) -> Iterator[Frame]:
    """Fly exactly the poses of a recorded path."""
    for pose in path.poses:
        yield session.step(pose)


def record(poses: list[np.ndarray], intrinsics: np.ndarray, fps: float, source_image: str | None) -> FlightPath:
    """The flight path of flown poses ``[(3, 4)]``, for replay with ``--path``."""
    times = np.arange(len(poses)) / fps
    return FlightPath(poses=np.stack(poses), intrinsics=np.asarray(intrinsics, float), fps=fps, times=times,
                      source_image=source_image)
