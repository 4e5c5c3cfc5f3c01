"""Manual flight: WASD-style translation and mouse-look as a pure step function.

The camera keeps its horizon level: orientation is a yaw about the world up axis (−y) and a clamped pitch, so
turning never accumulates roll and the view can never flip over. Velocity follows the input smoothly with an
exponential approach whose closed form is integrated exactly, so a flight depends only on the inputs and the total
time, not on the frame rate. Nothing here reads the clock: ``dt`` is passed in.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from infnat_core.camera import camera_axes, camera_position, pose_from_look

WORLD_DOWN = np.array([0.0, 1.0, 0.0])
"""World down direction: the first camera's +y (so "up" is −y)."""


@dataclass(frozen=True)
class FlightInputs:
    """One instant of user input (the GUI fills it from keys and mouse)."""

    forward: float = 0.0
    """Move along the view direction, −1..1 (W = +1, S = −1)."""
    right: float = 0.0
    """Strafe along the level right axis, −1..1 (D = +1, A = −1)."""
    up: float = 0.0
    """Rise along the world up axis, −1..1 (up keys = +1, down keys = −1)."""
    yaw: float = 0.0
    """Radians to turn this step about the world up axis; + turns right."""
    pitch: float = 0.0
    """Radians to tilt this step; + looks up."""
    boost: bool = False
    """Multiply the speed by ``ControlsConfig.boost``."""


@dataclass(frozen=True)
class ControlsConfig:
    """Feel of manual flight."""

    speed: float = 0.75
    """Top speed in world units per second (the scene is ~1–100 units deep)."""
    boost: float = 4.0
    """Speed factor while boost is held."""
    max_pitch: float = math.radians(85.0)
    """Largest |pitch| in radians; keeps the camera from flipping over the vertical."""
    smoothing: float = 0.25
    """Time constant in seconds of the velocity's approach to the input (0 = instant start and stop)."""


def _as_vector(value: object, name: str) -> np.ndarray:
    out = np.array(value, dtype=np.float64).reshape(-1)
    if out.shape != (3,):
        raise ValueError(f"{name} must have shape (3,), got {np.shape(value)}")
    out.setflags(write=False)
    return out


@dataclass(frozen=True, eq=False)
class FlightState:
    """Everything manual flight needs to take the next step.

    The pose is derived from ``position``, ``yaw`` and ``pitch``; yaw = pitch = 0 looks along world +z with world
    +y down, i.e. the identity pose at the origin.
    """

    position: np.ndarray
    """Camera centre in world coordinates, ``(3,)`` float64."""
    yaw: float = 0.0
    """Heading in radians about the world up axis, in (−π, π]; + is turned right (towards world +x)."""
    pitch: float = 0.0
    """Radians above the level horizon; + looks up (towards world −y)."""
    velocity: np.ndarray = field(default_factory=lambda: np.zeros(3))
    """Current velocity in world units per second, ``(3,)`` float64."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "position", _as_vector(self.position, "position"))
        object.__setattr__(self, "velocity", _as_vector(self.velocity, "velocity"))

    @classmethod
    def from_pose(cls, pose: np.ndarray, velocity: np.ndarray | None = None) -> FlightState:
        """State at a 3×4 ``cam_from_world`` pose (e.g. to take over from the autopilot); any roll is dropped."""
        _, _, forward = camera_axes(pose)
        yaw = math.atan2(forward[0], forward[2])
        pitch = math.asin(float(np.clip(-forward[1], -1.0, 1.0)))
        return cls(camera_position(pose), yaw, pitch, np.zeros(3) if velocity is None else velocity)

    @property
    def forward(self) -> np.ndarray:
        """Unit view direction in world coordinates, ``(3,)``."""
        cp = math.cos(self.pitch)
        return np.array([math.sin(self.yaw) * cp, -math.sin(self.pitch), math.cos(self.yaw) * cp])

    @property
    def right(self) -> np.ndarray:
        """Unit level right direction in world coordinates, ``(3,)`` (its y is always 0)."""
        return np.array([math.cos(self.yaw), 0.0, -math.sin(self.yaw)])

    @property
    def pose(self) -> np.ndarray:
        """The 3×4 ``cam_from_world`` of this state."""
        return pose_from_look(self.position, self.forward, WORLD_DOWN)


def _wrap_angle(angle: float) -> float:
    """``angle`` wrapped into (−π, π]."""
    wrapped = math.remainder(angle, 2.0 * math.pi)
    return math.pi if wrapped == -math.pi else wrapped


def step(state: FlightState, inputs: FlightInputs, dt: float, cfg: ControlsConfig) -> FlightState:
    """Advance manual flight by ``dt`` seconds.

    The turn (``inputs.yaw``, ``inputs.pitch``) is applied first, then the camera moves relative to the new heading:
    forward along the view direction, right along the level right axis, up along world up. The move input is clipped
    to unit length (a diagonal is not faster). Velocity approaches ``speed × input`` with time constant
    ``cfg.smoothing``; the position integrates that curve exactly, so splitting ``dt`` into smaller steps with the
    same move inputs (and no turn) lands on the same state.
    """
    if not dt >= 0.0:
        raise ValueError(f"dt must be >= 0, got {dt}")
    yaw = _wrap_angle(state.yaw + inputs.yaw)
    pitch = float(np.clip(state.pitch + inputs.pitch, -cfg.max_pitch, cfg.max_pitch))
    turned = FlightState(state.position, yaw, pitch, state.velocity)

    move = np.clip(np.array([inputs.forward, inputs.right, inputs.up], dtype=np.float64), -1.0, 1.0)
    length = float(np.linalg.norm(move))
    if length > 1.0:
        move /= length
    speed = cfg.speed * (cfg.boost if inputs.boost else 1.0)
    target = speed * (move[0] * turned.forward + move[1] * turned.right - move[2] * WORLD_DOWN)

    if cfg.smoothing > 0.0:
        decay = math.exp(-dt / cfg.smoothing)
        velocity = target + (state.velocity - target) * decay
        position = state.position + target * dt + (state.velocity - target) * cfg.smoothing * (1.0 - decay)
    else:
        velocity = target
        position = state.position + target * dt
    return FlightState(position, yaw, pitch, velocity)
