"""Camera paths over a synthetic terrain: autopilot-like flights and random wanders (pure numpy, seeded).

The autopilot-like path imitates Infinite Nature's autopilot with the terrain's exact heights instead of a disparity
map: it flies forward at a steady speed, keeps a clearance above the highest ground just ahead, turns gently (a slow
random sway plus a pull toward the lower, more open side), and pitches so the skyline sits near ``horizon`` of the
view. The random path starts the same way and then moves and turns by random amounts every step.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from infnat_core import camera
from infnat_core.data.terrain import Terrain

WORLD_DOWN = np.array([0.0, 1.0, 0.0])


@dataclass(frozen=True)
class TrajectoryConfig:
    """Shape of the generated paths; each ``(low, high)`` is sampled uniformly per flight."""

    steps: int = 40
    """Poses per flight."""
    random_probability: float = 0.3
    """Chance that a flight is a random wander instead of an autopilot-like path."""
    speed: tuple[float, float] = (0.1, 0.3)
    """World units travelled per step (Infinite Nature's autopilot: 0.2)."""
    clearance: tuple[float, float] = (0.6, 2.5)
    """Camera height above the highest ground within ``lookahead`` ahead."""
    min_clearance: float = 0.4
    """The camera never comes closer than this to the ground below it."""
    lookahead: float = 4.0
    """Distance ahead (world units) whose ground the altitude follows."""
    altitude_lerp: float = 0.2
    """Fraction by which the altitude approaches its target each step."""
    horizon: float = 0.3
    """Fraction of the view height above the skyline the pitch aims for (the autopilot's horizon)."""
    pitch_lerp: float = 0.1
    """Fraction by which the pitch approaches its target each step."""
    pitch_range_deg: tuple[float, float] = (-12.0, 25.0)
    """Limits of the pitch (positive = looking down)."""
    sway_deg: tuple[float, float] = (0.0, 1.2)
    """Amplitude of the slow random turning, degrees per step."""
    open_side_gain: float = 0.6
    """Turn rate (degrees per step) per radian of skyline height difference between the left and right side."""
    max_turn_deg: float = 2.0
    """Largest heading change per step."""
    bank: float = 2.0
    """Roll (degrees) per degree-per-step of turning, as an aircraft banks into a turn."""
    skyline_deg: tuple[float, float] = (0.0, 12.0)
    """Elevation of the skyline above the camera that the start heading looks for (higher = mountains ahead)."""
    sight_distance: float = 150.0
    """How far along a heading the skyline is looked for."""
    random_step_deg: float = 3.0
    """Random wander: standard deviation of the yaw and pitch change per step."""
    random_roll_deg: float = 4.0
    """Random wander: standard deviation of the roll."""
    random_sideways: float = 0.6
    """Random wander: sideways and vertical motion relative to forward motion (standard deviation)."""


@dataclass(frozen=True)
class _Sight:
    """Skyline elevation angles (radians) along a set of headings from one point."""

    headings: np.ndarray
    elevation: np.ndarray


def _skyline(terrain: Terrain, position: np.ndarray, headings: np.ndarray, distance: float) -> np.ndarray:
    """Largest elevation angle ``(len(headings),)`` of the terrain seen from ``position`` along each heading."""
    dist = np.geomspace(1.0, distance, 32)
    x = position[0] + np.sin(headings)[:, None] * dist[None, :]
    z = position[2] + np.cos(headings)[:, None] * dist[None, :]
    eye_height = -position[1]
    elevation = np.arctan2(terrain.surface(x, z) - eye_height, dist[None, :])
    return elevation.max(axis=1)


def _ground_ahead(terrain: Terrain, position: np.ndarray, heading: float, lookahead: float) -> float:
    d = np.linspace(0.0, lookahead, 9)
    return float(terrain.surface(position[0] + math.sin(heading) * d, position[2] + math.cos(heading) * d).max())


def _pose(position: np.ndarray, heading: float, pitch: float, roll: float) -> np.ndarray:
    forward = np.array([math.sin(heading) * math.cos(pitch), math.sin(pitch), math.cos(heading) * math.cos(pitch)])
    down = camera.rotation_about(forward, roll) @ WORLD_DOWN
    return camera.pose_from_look(position, forward, down)


def _pitch_target(skyline: float, intrinsics: np.ndarray, cfg: TrajectoryConfig) -> float:
    # The view row v sees elevation −pitch + atan((cy − v) / fy); put the skyline at v = horizon.
    pitch = math.atan((intrinsics[3] - cfg.horizon) / intrinsics[1]) - skyline
    low, high = (math.radians(a) for a in cfg.pitch_range_deg)
    return min(max(pitch, low), high)


def start_heading(terrain: Terrain, position: np.ndarray, rng: np.random.Generator, cfg: TrajectoryConfig) -> float:
    """A heading whose skyline rises about ``skyline_deg`` (drawn from the config): land in view, and sky above it."""
    headings = np.linspace(0.0, 2.0 * math.pi, 24, endpoint=False)
    elevation = _skyline(terrain, position, headings, cfg.sight_distance)
    target = math.radians(rng.uniform(*cfg.skyline_deg))
    best = np.argsort(np.abs(elevation - target))[:3]
    return float(headings[rng.choice(best)] + rng.uniform(-0.1, 0.1))


def flight_path(terrain: Terrain, intrinsics: np.ndarray, rng: np.random.Generator,
                cfg: TrajectoryConfig = TrajectoryConfig()) -> np.ndarray:
    """Poses ``(steps, 3, 4)`` cam_from_world of one flight starting above the world origin.

    Autopilot-like with probability ``1 − cfg.random_probability``, else a random wander.
    """
    wander = rng.random() < cfg.random_probability
    speed = rng.uniform(*cfg.speed)
    clearance = rng.uniform(*cfg.clearance)
    sway_amp = math.radians(rng.uniform(*cfg.sway_deg))
    sway_period = rng.uniform(15.0, 60.0)
    sway_phase = rng.uniform(0.0, 2.0 * math.pi)
    max_turn = math.radians(cfg.max_turn_deg)

    position = np.zeros(3)
    heading = start_heading(terrain, np.array([0.0, -(_ground_ahead(terrain, position, 0.0, 0.0) + clearance), 0.0]),
                            rng, cfg)
    position[1] = -(_ground_ahead(terrain, position, heading, cfg.lookahead) + clearance)
    pitch = _pitch_target(_skyline(terrain, position, np.array([heading]), cfg.sight_distance)[0], intrinsics, cfg)
    roll = 0.0
    poses = []
    for step in range(cfg.steps):
        poses.append(_pose(position, heading, pitch, roll))
        if wander:
            heading += math.radians(rng.normal(0.0, cfg.random_step_deg))
            pitch += math.radians(rng.normal(0.0, cfg.random_step_deg))
            low, high = (math.radians(a) for a in cfg.pitch_range_deg)
            pitch = min(max(pitch, low), high)
            roll = math.radians(rng.normal(0.0, cfg.random_roll_deg))
            right = np.array([math.cos(heading), 0.0, -math.sin(heading)])
            forward = np.array([math.sin(heading), 0.0, math.cos(heading)])
            motion = forward + right * rng.normal(0.0, cfg.random_sideways) + WORLD_DOWN * rng.normal(0.0, 0.5 * cfg.random_sideways)
            position = position + speed * motion / np.linalg.norm(motion)
        else:
            sides = _skyline(terrain, position, heading + np.array([-0.35, 0.35]), cfg.sight_distance)
            turn = sway_amp * math.sin(2.0 * math.pi * step / sway_period + sway_phase)
            turn += math.radians(cfg.open_side_gain) * float(sides[0] - sides[1])
            turn = min(max(turn, -max_turn), max_turn)
            heading += turn
            roll = -math.radians(cfg.bank) * math.degrees(turn)
            ahead = _skyline(terrain, position, np.array([heading]), cfg.sight_distance)[0]
            pitch += cfg.pitch_lerp * (_pitch_target(ahead, intrinsics, cfg) - pitch)
            position = position + speed * np.array([math.sin(heading), 0.0, math.cos(heading)])
            target_y = -(_ground_ahead(terrain, position, heading, cfg.lookahead) + clearance)
            position[1] += cfg.altitude_lerp * (target_y - position[1])
        floor = -(float(terrain.surface(position[[0]], position[[2]])[0]) + cfg.min_clearance)
        position[1] = min(position[1], floor)
    return np.stack(poses)
