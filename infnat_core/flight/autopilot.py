"""Infinite Nature's autopilot, with a crash guard, as a pure step function over explicit state.

Each step reads the disparity of the current view (Liu et al. 2021):

* sky = clip(sky_ramp · (sky_disparity − D), 0, 1); look target v = 0.5 + mean(sky) − horizon, so the camera
  pitches until ``horizon`` of the view is sky; look target u = (sky_right + ε) / (sky_left + sky_right + 2ε), so it
  turns toward the side with more open sky.
* ground = clip(ground_ramp · (D − ground_disparity), 0, 1); move target v = horizon + near_fraction − mean(ground),
  so it climbs when ground is near.
* Targets are texture coordinates of the current view, unprojected at z = 1 to world directions; look and move
  directions move a fraction ``lerp`` toward them; the position advances ``speed`` along the move direction.

Unlike the original, which rebuilt each pose from the previous camera's down vector, the pose is rebuilt from a fixed
world down (the first camera's +y) and the look is kept within ``max_pitch`` of level: carrying the previous down
lets roll creep in (with steering, the camera rolled 90° within 300 steps), and a rolled view's "bottom band" no
longer looks at the ground.

A steer offset (the original demo's click, (2x − 1, 2y − 1)) is added to both targets and decays each step.

The crash guard (on by default) overrides the steer and the smoothing when the flight is about to fail:

* the move target is clipped to the view, and a move direction that leaves the view never points below level: the
  camera does not descend toward ground it cannot see;
* ground: when the mean disparity of the bottom band of the view exceeds ``guard_near_disparity``, the move target is
  raised to ``guard_climb`` above the view centre and the move direction turns toward it at ``guard_lerp``, never
  pointing below level;
* sky: when the fraction of pixels with disparity below ``guard_sky_disparity`` leaves ``guard_sky_range``, the look
  target is pushed at least ``guard_pitch`` toward the range and followed at ``guard_lerp``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

from infnat_core.camera import camera_axes, camera_position, pose_from_look
from infnat_core.flight.controls import WORLD_DOWN


@dataclass(frozen=True)
class AutopilotConfig:
    """Constants of the autopilot; the defaults are Infinite Nature's, plus the crash guard."""

    horizon: float = 0.3
    """Fraction of the view the autopilot keeps as sky."""
    near_fraction: float = 0.2
    """Added to ``horizon`` to give the move target's v when no ground is near (0.5 = straight ahead)."""
    lerp: float = 0.05
    """Fraction by which the look and move directions approach their targets each step."""
    speed: float = 0.2
    """World units travelled per step (``autopilot_step(speed=...)`` overrides it for one step)."""
    sky_disparity: float = 0.1
    """Disparity at which the soft sky weight starts (weight 0 here, 1 at ``sky_disparity − 1 / sky_ramp``)."""
    sky_ramp: float = 20.0
    """Slope of the soft sky weight per unit of disparity."""
    ground_disparity: float = 0.5
    """Disparity at which the soft near-ground weight starts (weight 1 at ``ground_disparity + 1 / ground_ramp``)."""
    ground_ramp: float = 10.0
    """Slope of the soft near-ground weight per unit of disparity."""
    epsilon: float = 1e-4
    """Keeps the left/right sky balance at 0.5 when there is no sky on either side."""
    max_pitch: float = math.radians(80.0)
    """Largest angle in radians of the look and move directions above or below level."""
    steer_decay: float = 0.9
    """Factor by which the steer offset shrinks each step."""
    crash_guard: bool = True
    """Enable the crash guard: the view rule, and the ground and sky guards below."""
    guard_band: float = 0.2
    """Bottom fraction of the view's rows inspected for near ground."""
    guard_near_disparity: float = 0.8
    """Mean disparity of the bottom band above which the camera must climb (ground within ~1.25 units).

    Above the ~0.74 the unguarded autopilot settles at over flat ground, so a normal flight is left alone."""
    guard_climb: float = 0.3
    """How far above the view centre (texture units) the move target is raised while the ground guard fires."""
    guard_sky_disparity: float = 0.05
    """Pixels with disparity below this count as sky for the sky guard."""
    guard_sky_range: tuple[float, float] = (0.05, 0.6)
    """Sky fraction the guard keeps the view within (InfiniteNature-Zero calls a flight crashed outside it)."""
    guard_pitch: float = 0.2
    """Least offset (texture units) of the look target from the view centre while the sky guard fires."""
    guard_lerp: float = 0.3
    """Fraction by which a guarded direction approaches its target each step."""


REFERENCE_STEP = 0.2
"""Infinite Nature's distance per autopilot step; its lerp and decay constants are per such step."""


def config_for_speed(speed: float, base: AutopilotConfig = AutopilotConfig()) -> AutopilotConfig:
    """``base`` re-timed for ``speed`` world units per step: the smoothing constants (look/move lerp, guard lerp,
    steer decay) are scaled so the flown path has the same shape per distance as at the reference 0.2 per step,
    only sampled more (or less) finely."""
    ratio = speed / REFERENCE_STEP

    def per_step(fraction: float) -> float:
        return 1.0 - (1.0 - fraction) ** ratio

    return replace(base, speed=speed, lerp=per_step(base.lerp), guard_lerp=per_step(base.guard_lerp),
                   steer_decay=base.steer_decay ** ratio)


def _unit(value: object, name: str) -> np.ndarray:
    """``value`` as a read-only unit vector ``(3,)``."""
    out = np.array(value, dtype=np.float64).reshape(-1)
    norm = float(np.linalg.norm(out))
    if out.shape != (3,) or not math.isfinite(norm) or norm == 0.0:
        raise ValueError(f"{name} must be a finite non-zero vector of shape (3,)")
    out /= norm
    out.setflags(write=False)
    return out


@dataclass(frozen=True, eq=False)
class AutopilotState:
    """Where the autopilot is and where it is heading; all vectors are in world coordinates."""

    position: np.ndarray
    """Camera centre, ``(3,)`` float64."""
    look_dir: np.ndarray
    """Unit view direction, ``(3,)``."""
    move_dir: np.ndarray
    """Unit direction of travel, ``(3,)``."""
    down: np.ndarray
    """Unit world down direction the camera is kept level with, ``(3,)``; world +y (the first camera's down)."""
    steer: np.ndarray = field(default_factory=lambda: np.zeros(2))
    """Decaying steer offset (x, y) in texture units, ``(2,)``."""

    def __post_init__(self) -> None:
        position = np.array(self.position, dtype=np.float64).reshape(-1)
        steer = np.array(self.steer, dtype=np.float64).reshape(-1)
        if position.shape != (3,) or steer.shape != (2,):
            raise ValueError("position must have shape (3,) and steer shape (2,)")
        position.setflags(write=False)
        steer.setflags(write=False)
        object.__setattr__(self, "position", position)
        object.__setattr__(self, "steer", steer)
        for name in ("look_dir", "move_dir", "down"):
            object.__setattr__(self, name, _unit(getattr(self, name), name))


def autopilot_init(pose: np.ndarray) -> AutopilotState:
    """Autopilot state at a 3×4 ``cam_from_world`` pose, moving the way it looks, with no steer.

    The autopilot flies level with the world, so any roll of ``pose`` is dropped.
    """
    _, _, forward = camera_axes(pose)
    return AutopilotState(camera_position(pose), forward, forward, WORLD_DOWN)


def autopilot_pose(state: AutopilotState) -> np.ndarray:
    """The 3×4 ``cam_from_world`` of an autopilot state."""
    return pose_from_look(state.position, state.look_dir, state.down)


def sky_weight(disparity: np.ndarray, cfg: AutopilotConfig) -> np.ndarray:
    """Infinite Nature's soft sky weight ``clip(sky_ramp · (sky_disparity − D), 0, 1)`` of a disparity map."""
    return np.clip(cfg.sky_ramp * (cfg.sky_disparity - np.asarray(disparity, dtype=np.float64)), 0.0, 1.0)


def autopilot_targets(disparity: np.ndarray, cfg: AutopilotConfig) -> tuple[np.ndarray, np.ndarray]:
    """Infinite Nature's look and move targets for a view's disparity ``(H, W)`` in [0, 1].

    Returns ``(look_uv, move_uv)``, each ``(2,)`` texture coordinates (u right, v down) in that view; (0.5, 0.5) is
    straight ahead.
    """
    d = np.asarray(disparity, dtype=np.float64)
    if d.ndim != 2:
        raise ValueError(f"disparity must have shape (H, W), got {d.shape}")
    width = d.shape[1]
    sky = sky_weight(d, cfg)
    sky_left = float(sky[:, : width // 2].mean())
    sky_right = float(sky[:, (width + 1) // 2 :].mean())
    look_u = (sky_right + cfg.epsilon) / (sky_left + sky_right + 2.0 * cfg.epsilon)
    look_v = 0.5 + float(sky.mean()) - cfg.horizon
    ground = np.clip(cfg.ground_ramp * (d - cfg.ground_disparity), 0.0, 1.0)
    move_v = cfg.horizon + cfg.near_fraction - float(ground.mean())
    return np.array([look_u, look_v]), np.array([0.5, move_v])


def _guarded(look_uv: np.ndarray, move_uv: np.ndarray, d: np.ndarray, cfg: AutopilotConfig) -> tuple[bool, bool]:
    """Apply the crash guard to the targets in place; returns (ground guard fired, sky guard fired)."""
    band = d[-max(1, math.ceil(cfg.guard_band * d.shape[0])) :]
    near_ground = float(band.mean()) > cfg.guard_near_disparity
    sky_fraction = float((d < cfg.guard_sky_disparity).mean())
    low, high = cfg.guard_sky_range
    np.clip(move_uv, 0.0, 1.0, out=move_uv)
    if sky_fraction > high:
        look_uv[1] = max(look_uv[1], 0.5 + cfg.guard_pitch)
    elif sky_fraction < low:
        look_uv[1] = min(look_uv[1], 0.5 - cfg.guard_pitch)
    if near_ground:
        move_uv[1] = min(move_uv[1], 0.5 - cfg.guard_climb)
    return near_ground, not low <= sky_fraction <= high


def _direction(uv: np.ndarray, intrinsics: np.ndarray, cam_to_world: np.ndarray) -> np.ndarray:
    """Unit world direction ``(3,)`` of texture coordinates ``uv (2,)`` unprojected at z = 1."""
    fx, fy, cx, cy = intrinsics
    ray = cam_to_world @ np.array([(uv[0] - cx) / fx, (uv[1] - cy) / fy, 1.0])
    return ray / np.linalg.norm(ray)


def _in_view(direction: np.ndarray, pose: np.ndarray, intrinsics: np.ndarray) -> bool:
    """Whether the world ``direction`` ``(3,)`` points into the view of the 3×4 ``pose``."""
    x, y, z = pose[:, :3] @ direction
    fx, fy, cx, cy = intrinsics
    return z > 0 and 0.0 <= fx * x / z + cx <= 1.0 and 0.0 <= fy * y / z + cy <= 1.0


def _approach(current: np.ndarray, target: np.ndarray, amount: float) -> np.ndarray:
    """Unit ``(3,)`` a fraction ``amount`` of the way from unit ``current`` to unit ``target``."""
    out = current + amount * (target - current)
    return out / np.linalg.norm(out)


def _limit_pitch(
    direction: np.ndarray, down: np.ndarray, max_up: float, max_down: float, fallback: np.ndarray
) -> np.ndarray:
    """Unit ``direction`` ``(3,)`` with its angle below level (toward ``down``) clipped to [−max_up, max_down] radians.

    ``fallback`` ``(3,)`` gives the heading when ``direction`` is vertical.
    """
    below = math.asin(float(np.clip(direction @ down, -1.0, 1.0)))
    if -max_up <= below <= max_down:
        return direction
    level = direction - (direction @ down) * down
    if np.linalg.norm(level) < 1e-9:
        level = fallback - (fallback @ down) * down
    level /= np.linalg.norm(level)
    below = min(max(below, -max_up), max_down)
    return math.cos(below) * level + math.sin(below) * down


def autopilot_step(
    state: AutopilotState,
    disparity: np.ndarray,
    intrinsics: np.ndarray,
    cfg: AutopilotConfig,
    steer: tuple[float, float] = (0.0, 0.0),
    speed: float | None = None,
) -> AutopilotState:
    """One autopilot step from the disparity ``(H, W)`` in [0, 1] of the view at ``autopilot_pose(state)``.

    ``intrinsics`` ``(4,)`` are that view's (fx, fy, cx, cy) in texture units. ``steer`` is a new (x, y) offset in
    [−1, 1] (a click at texture (x, y) gives (2x − 1, 2y − 1)); it is added to the decaying offset and both targets.
    ``speed`` replaces ``cfg.speed`` for this step (0 turns on the spot).
    """
    d = np.asarray(disparity, dtype=np.float64)
    look_uv, move_uv = autopilot_targets(d, cfg)
    offset = state.steer + np.clip(np.asarray(steer, dtype=np.float64), -1.0, 1.0)
    look_uv += offset
    move_uv += offset
    look_lerp = move_lerp = cfg.lerp
    near_ground = False
    if cfg.crash_guard:
        near_ground, sky_out = _guarded(look_uv, move_uv, d, cfg)
        look_lerp = cfg.guard_lerp if sky_out else cfg.lerp
        move_lerp = cfg.guard_lerp if near_ground else cfg.lerp

    cam_to_world = autopilot_pose(state)[:, :3].T
    look_dir = _approach(state.look_dir, _direction(look_uv, intrinsics, cam_to_world), look_lerp)
    look_dir = _limit_pitch(look_dir, state.down, cfg.max_pitch, cfg.max_pitch, state.look_dir)
    move_dir = _approach(state.move_dir, _direction(move_uv, intrinsics, cam_to_world), move_lerp)
    if cfg.crash_guard:
        # Never descend near the ground, nor toward ground the new view cannot see.
        blind = not _in_view(move_dir, pose_from_look(state.position, look_dir, state.down), intrinsics)
        max_down = 0.0 if near_ground or blind else cfg.max_pitch
    else:
        max_down = cfg.max_pitch
    move_dir = _limit_pitch(move_dir, state.down, cfg.max_pitch, max_down, look_dir)
    position = state.position + move_dir * (cfg.speed if speed is None else speed)
    return AutopilotState(position, look_dir, move_dir, state.down, offset * cfg.steer_decay)
