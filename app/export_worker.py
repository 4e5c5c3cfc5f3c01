"""Re-rendering a flight to a file in a background thread, through the engine, with its own headless GL context."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from PyQt6.QtCore import QObject, QThread, pyqtSignal, pyqtSlot

from app.refine_worker import RefinerLoader
from app.refiner_settings import apply_blend
from infnat_core.errors import InfnatError
from infnat_core.export import open_writer
from infnat_core.flight.autopilot import config_for_speed
from infnat_core.fly import autopilot_flight, path_flight
from infnat_core.flight.path import FlightPath, resample
from infnat_core.gl import create_headless_context
from infnat_core.render import MeshRenderer, as_uint8
from infnat_core.scene import Scene
from infnat_core.session import FlightSession, SessionConfig

MAX_SIZE = (1920, 1080)
"""Largest export resolution (width, height)."""


@dataclass(frozen=True)
class ExportJob:
    """What to render and where."""

    scene: Scene
    """The photo, its depth (with the current sliders) and field of view."""
    out: Path
    """``.mp4``, ``.gif`` or a folder for PNG frames (see ``infnat_core.export``)."""
    size: tuple[int, int]
    """(width, height) of the frames, at most ``MAX_SIZE``."""
    fps: float
    """Frames per second of the output."""
    path: FlightPath | None
    """A recorded flight to re-render, or None for the autopilot."""
    autopilot_frames: int = 300
    """Frames to fly under the autopilot when ``path`` is None."""
    seed: int = 0
    """Autopilot wander seed."""
    speed: float = 0.45
    """Autopilot speed in world units per second."""
    style_seed: int = 0
    """Refiner style seed (0 = the encoder's mean)."""
    blend: float = 0.0
    """Refiner blend (network only)."""
    edge_threshold: float = 0.3
    """Torn-edge mask threshold."""
    detail_strength: float = SessionConfig.detail_strength
    """Strength of the photo's fine detail over magnified ground (0 = none)."""


def export_frame_count(path: FlightPath, fps: float) -> int:
    """Frames a recorded path becomes at ``fps``: one every 1/fps seconds from its start to its end, inclusive."""
    times = path.times
    duration = float(times[-1] - times[0]) if times is not None else (len(path) - 1) / path.fps
    return max(1, round(duration * fps) + 1)


def job_frame_count(job: ExportJob) -> int:
    """Frames ``job`` writes."""
    return export_frame_count(job.path, job.fps) if job.path is not None else job.autopilot_frames


class _Cancelled(Exception):
    pass


class ExportRunner(QObject):
    """Runs one ``ExportJob`` in its own thread; ``cancel`` stops it between frames (no output is left behind)."""

    progress = pyqtSignal(int, int)
    """Frames written, frames in all."""
    done = pyqtSignal(str)
    """The output path, written completely."""
    failed = pyqtSignal(str)
    """One-line reason; nothing was written."""
    cancelled = pyqtSignal()
    """Stopped by ``cancel``; nothing was written."""
    _start = pyqtSignal()

    def __init__(self, job: ExportJob, loader: RefinerLoader):
        super().__init__()
        self.job = job
        self._loader = loader
        self._stop = threading.Event()
        self._thread = QThread()
        self._thread.setObjectName("export")
        self.moveToThread(self._thread)
        self._start.connect(self._run)
        for signal in (self.done, self.failed, self.cancelled):
            signal.connect(self._thread.quit)

    def start(self) -> None:
        """Begin in the background."""
        self._thread.start()
        self._start.emit()

    def cancel(self) -> None:
        """Ask the export to stop after the current frame."""
        self._stop.set()

    def wait(self) -> None:
        """Block until the thread has ended (after done/failed/cancelled)."""
        self._thread.wait()

    @pyqtSlot()
    def _run(self) -> None:
        job = self.job
        total = job_frame_count(job)
        ctx = None
        try:
            w, h = job.size
            if not (16 <= w <= MAX_SIZE[0] and 16 <= h <= MAX_SIZE[1]):
                raise InfnatError(f"export size {w}x{h} is outside 16x16 … {MAX_SIZE[0]}x{MAX_SIZE[1]}")
            with open_writer(job.out, fps=job.fps, size=job.size) as writer:
                ctx = create_headless_context()
                refiner, _note = self._loader()
                session = FlightSession(job.scene, MeshRenderer(ctx), refiner, w, h,
                                        SessionConfig(refine_every=1, edge_threshold=job.edge_threshold,
                                                      detail_strength=job.detail_strength))
                refiner.set_style(job.scene.working_rgb, job.scene.disparity, job.style_seed)
                apply_blend(refiner, job.blend)
                if job.path is not None:
                    frames = path_flight(session, resample(job.path, total))
                else:
                    frames = autopilot_flight(session, total, job.seed, config_for_speed(job.speed / job.fps))
                for i, frame in enumerate(frames):
                    if self._stop.is_set():
                        raise _Cancelled
                    writer.write(as_uint8(frame.rgb))
                    self.progress.emit(i + 1, total)
        except _Cancelled:
            self.cancelled.emit()
        except InfnatError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # a bug: still reported, the app keeps running
            self.failed.emit(f"{type(exc).__name__}: {exc}")
        else:
            self.done.emit(str(job.out))
        finally:
            if ctx is not None:
                ctx.release()
