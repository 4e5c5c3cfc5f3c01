"""Long-range evaluation: autopilot flights from real photos, scored for sharpness, colour drift and sky."""

from __future__ import annotations

from dataclasses import dataclass, field
import time

import numpy as np

from infnat_core.evaluation.metrics import delta_e, mean_lab, sharpness, sky_fraction
from infnat_core.flight.autopilot import config_for_speed
from infnat_core.fly import autopilot_flight
from infnat_core.refiner.inference import Refiner
from infnat_core.render import MeshRenderer
from infnat_core.scene import Scene
from infnat_core.session import FlightSession, SessionConfig

SKY_RANGE = (0.05, 0.6)
"""Sky fraction outside this range counts as a crashed flight (InfiniteNature-Zero's criterion)."""


@dataclass(frozen=True)
class LongRangeConfig:
    """How the long flights are flown."""

    frames: int = 1000
    """Steps after frame 0 (the flight has ``frames + 1`` frames)."""
    tail: int = 100
    """The last this-many frames are compared with frame 0."""
    sheet_frames: tuple[int, ...] = (0, 100, 250, 500, 1000)
    """Frames shown in the contact sheet (those beyond ``frames`` are dropped)."""
    width: int = 256
    """Frame width in pixels."""
    height: int = 160
    """Frame height in pixels."""
    speed: float = 0.015
    """Autopilot speed per frame (the ``fly`` command's default 0.45 units/s at 30 fps)."""
    seed: int = 0
    """Seed of the autopilot's wandering."""
    session: SessionConfig = field(default_factory=lambda: SessionConfig(detail_strength=0.0))
    """How the flight session refines and draws: the engine's defaults, but without the ground detail texture,
    which is the same for every refiner and would add its synthetic grain to the sharpness of the last frames
    (``bench/long_range_depth.py --detail`` flies with it)."""


@dataclass
class LongRangeResult:
    """Figures of one flight."""

    sharpness_ratio: float
    """Mean sharpness of the last ``tail`` frames over that of frame 0 (goal ≥ 0.6)."""
    colour_drift: float
    """Mean CIE76 ΔE between each of the last ``tail`` frames' mean colour and frame 0's (goal ≤ 15)."""
    sky_min: float
    """Smallest sky fraction of any frame."""
    sky_max: float
    """Largest sky fraction of any frame."""
    sky_in_range: float
    """Fraction of frames whose sky fraction lies in ``SKY_RANGE``."""
    finite: bool
    """No NaN or infinity in any frame."""
    seconds_per_frame: float
    """Wall time per frame of the whole loop (render, refine, autopilot)."""
    sheet: dict[int, np.ndarray] = field(default_factory=dict)
    """Frame index → rgb ``(H, W, 3)`` of the frames in ``sheet_frames``."""


def long_range_eval(refiner: Refiner, scene: Scene, renderer: MeshRenderer,
                    config: LongRangeConfig = LongRangeConfig()) -> LongRangeResult:
    """Fly ``config.frames`` autopilot steps into a photo's scene (``infnat_core.scene.load_scene``) and score it."""
    session = FlightSession(scene, renderer, refiner, config.width, config.height, config.session)
    sharp, colours, skies, finite, sheet = [], [], [], True, {}
    start = time.perf_counter()
    for frame in autopilot_flight(session, config.frames + 1, config.seed, config_for_speed(config.speed)):
        finite = finite and bool(np.isfinite(frame.rgb).all() and np.isfinite(frame.disparity).all())
        sharp.append(sharpness(frame.rgb))
        colours.append(mean_lab(frame.rgb))
        skies.append(sky_fraction(frame.disparity))
        if frame.index in config.sheet_frames:
            sheet[frame.index] = frame.rgb
    seconds = (time.perf_counter() - start) / (config.frames + 1)
    tail = slice(max(1, len(sharp) - config.tail), len(sharp))
    skies_arr = np.array(skies)
    return LongRangeResult(
        sharpness_ratio=float(np.mean(sharp[tail]) / max(sharp[0], 1e-12)),
        colour_drift=float(np.mean([delta_e(c, colours[0]) for c in colours[tail]])),
        sky_min=float(skies_arr.min()),
        sky_max=float(skies_arr.max()),
        sky_in_range=float(np.mean((skies_arr >= SKY_RANGE[0]) & (skies_arr <= SKY_RANGE[1]))),
        finite=finite,
        seconds_per_frame=seconds,
        sheet=sheet,
    )
