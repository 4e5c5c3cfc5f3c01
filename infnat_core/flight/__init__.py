"""Camera flight: manual controls, Infinite Nature's autopilot with a crash guard, and recorded paths.

Everything here is a pure function over explicit state: ``dt``, disparity and inputs are passed in, nothing reads
the clock. World frame = the first camera's frame (x right, y down, z forward; "up" is −y).
"""

from infnat_core.flight.autopilot import (
    AutopilotConfig,
    AutopilotState,
    autopilot_init,
    autopilot_pose,
    autopilot_step,
    autopilot_targets,
)
from infnat_core.flight.controls import ControlsConfig, FlightInputs, FlightState, step
from infnat_core.flight.path import FlightPath, load_acid_txt, load_path, resample, save_path

__all__ = [
    "AutopilotConfig",
    "AutopilotState",
    "ControlsConfig",
    "FlightInputs",
    "FlightPath",
    "FlightState",
    "autopilot_init",
    "autopilot_pose",
    "autopilot_step",
    "autopilot_targets",
    "load_acid_txt",
    "load_path",
    "resample",
    "save_path",
    "step",
]
