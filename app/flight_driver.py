"""Who flies the camera this frame: the user (the engine's manual ``step``) or the autopilot, steered by the user.

Pure (no Qt, no clock): the caller passes ``dt`` and the input of each frame, so a flight is reproducible from its
inputs and the views the autopilot saw.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from infnat_core.flight.autopilot import (
    AutopilotConfig,
    AutopilotState,
    autopilot_init,
    autopilot_pose,
    autopilot_step,
    config_for_speed,
)
from infnat_core.flight.controls import ControlsConfig, FlightInputs, FlightState, step

REST_SPEED_FRACTION = 0.05
"""With no input and a speed below this fraction of the top speed, the manual camera counts as at rest (its
remaining glide is a few thousandths of a unit)."""


@dataclass(frozen=True)
class DriverConfig:
    """Manual flight, the autopilot, and how user input steers the autopilot."""

    controls: ControlsConfig = field(default_factory=ControlsConfig)
    """Manual flight feel; ``controls.speed`` is also the autopilot's cruising speed (world units per second)."""
    autopilot: AutopilotConfig = field(default_factory=AutopilotConfig)
    """The engine's autopilot constants, re-timed each frame for the distance flown (``config_for_speed``)."""
    steer_rate: float = 1.5
    """Steer offset (texture units) added per second while a strafe/rise key is held under the autopilot."""
    look_steer_gain: float = 2.0
    """Steer offset (texture units) per radian of mouse look under the autopilot."""
    throttle: float = 0.75
    """Under the autopilot, W/S scale its speed by 1 ± throttle."""


class FlightDriver:
    """The camera's flight state, manual or autopilot, advanced one frame at a time."""

    def __init__(self, start_pose: np.ndarray, config: DriverConfig = DriverConfig()):
        self.config = config
        self._manual = FlightState.from_pose(start_pose)
        self._auto: AutopilotState | None = None
        self._click_steer = np.zeros(2)
        self._at_rest = True

    @property
    def autopilot(self) -> bool:
        """Whether the autopilot is flying."""
        return self._auto is not None

    @property
    def pose(self) -> np.ndarray:
        """Current 3×4 ``cam_from_world``."""
        return autopilot_pose(self._auto) if self._auto is not None else self._manual.pose

    @property
    def at_rest(self) -> bool:
        """True when the manual camera came to rest (no input, almost no velocity) in the last step."""
        return self._at_rest

    def set_autopilot(self, on: bool) -> None:
        """Hand the camera to the autopilot or back to the user, continuing from the current pose."""
        if on and self._auto is None:
            self._auto = autopilot_init(self._manual.pose)
            self._at_rest = False
        elif not on and self._auto is not None:
            self._manual = FlightState.from_pose(autopilot_pose(self._auto))
            self._auto = None

    def reset(self, pose: np.ndarray) -> None:
        """Put the camera at ``pose`` (3×4), at rest, in the current mode."""
        self._manual = FlightState.from_pose(pose)
        self._click_steer = np.zeros(2)
        self._at_rest = True
        if self._auto is not None:
            self._auto = autopilot_init(pose)

    def click_steer(self, u: float, v: float) -> None:
        """Steer the autopilot toward texture point (u, v) of the view, like the original demo's click."""
        self._click_steer = self._click_steer + np.array([2.0 * u - 1.0, 2.0 * v - 1.0])

    def step(self, inputs: FlightInputs, dt: float, view_disparity: np.ndarray,
             view_intrinsics: np.ndarray) -> np.ndarray:
        """Advance by ``dt`` seconds and return the new pose ``(3, 4)``.

        ``view_disparity`` ``(h, w)`` in [0, 1] is a recent render of the current view with ``view_intrinsics``
        ``(4,)``; the autopilot steers from it (manual flight ignores it).
        """
        if self._auto is None:
            self._manual = step(self._manual, inputs, dt, self.config.controls)
            still = inputs.forward == inputs.right == inputs.up == inputs.yaw == inputs.pitch == 0.0
            rest_speed = REST_SPEED_FRACTION * self.config.controls.speed
            self._at_rest = still and float(np.linalg.norm(self._manual.velocity)) < rest_speed
            return self._manual.pose
        cfg = self.config
        steer = self._click_steer + np.array([
            inputs.right * cfg.steer_rate * dt + inputs.yaw * cfg.look_steer_gain,
            -inputs.up * cfg.steer_rate * dt - inputs.pitch * cfg.look_steer_gain,
        ])
        self._click_steer = np.zeros(2)
        speed = cfg.controls.speed * (cfg.controls.boost if inputs.boost else 1.0)
        step_length = speed * max(0.0, 1.0 + cfg.throttle * inputs.forward) * dt
        self._auto = autopilot_step(self._auto, view_disparity, view_intrinsics,
                                    config_for_speed(step_length, cfg.autopilot),
                                    steer=(float(steer[0]), float(steer[1])))
        return autopilot_pose(self._auto)
