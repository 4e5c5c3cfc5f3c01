"""Recording the flown camera path (poses + timing) into the engine's ``FlightPath``."""

from __future__ import annotations

import numpy as np

from infnat_core.flight.path import FlightPath


class PathRecorder:
    """Collects one pose per displayed frame while recording; ``stop`` returns the path."""

    def __init__(self) -> None:
        self._poses: list[np.ndarray] = []
        self._times: list[float] = []
        self.recording = False

    def start(self, pose: np.ndarray) -> None:
        """Start a new recording at ``pose`` ``(3, 4)`` (time 0)."""
        self._poses = [np.array(pose, dtype=np.float64)]
        self._times = [0.0]
        self.recording = True

    def add(self, pose: np.ndarray, dt: float) -> None:
        """Append the pose ``(3, 4)`` shown ``dt`` seconds after the previous one (ignored when not recording)."""
        if self.recording:
            self._poses.append(np.array(pose, dtype=np.float64))
            self._times.append(self._times[-1] + dt)

    @property
    def duration(self) -> float:
        """Seconds recorded so far."""
        return self._times[-1] if self._times else 0.0

    def stop(self, intrinsics: np.ndarray, source_image: str | None) -> FlightPath | None:
        """End the recording; the path (None if no time elapsed). ``intrinsics`` ``(4,)`` of the flown view."""
        self.recording = False
        if len(self._poses) < 2 or self.duration <= 0.0:
            return None
        fps = (len(self._poses) - 1) / self.duration
        return FlightPath(np.stack(self._poses), intrinsics, fps, np.array(self._times), source_image)
