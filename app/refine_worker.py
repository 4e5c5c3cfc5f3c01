"""The refiner in a background thread: one "latest request wins" slot, request ids, stale results dropped.

``RefineWorker`` lives on the GUI thread and owns a ``QThread`` running a ``_RefineJob`` that owns the refiner.
``submit`` only replaces the pending request and wakes the job, so the GUI never waits for the network; when the job
is free it takes whatever request is newest. A result is delivered (``finished``) only if it belongs to the current
style (scene) and is newer than every result delivered before it. Exceptions in the job are caught and reported
(``errored``); the thread stays alive and ``restart`` reloads the refiner.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from PyQt6.QtCore import QObject, QThread, pyqtSignal, pyqtSlot

from app.refiner_settings import apply_blend, is_network
from infnat_core.refiner.inference import Refiner
from infnat_core.render import RenderOutput

RefinerLoader = Callable[[], "tuple[Refiner, str | None]"]
"""Builds a refiner in the worker thread; returns it with a note for the user (None when there is nothing to say)."""


@dataclass(frozen=True)
class RefineWorkerConfig:
    """Threading of the background refiner."""

    torch_threads: int = 1
    """Intra-op threads torch may use for refinement; on a 2-core CPU one core is left to the viewport."""
    nice: int = 5
    """Niceness added to the worker thread on Linux, so the viewport's threads win the CPU when both want it."""


@dataclass(frozen=True)
class RefineRequest:
    """A raw render to be refined, with the camera it was rendered from."""

    request_id: int
    """Increasing id given by ``RefineWorker.submit``."""
    generation: int
    """Style generation (one per scene) the request belongs to."""
    render: RenderOutput
    """The render at refine size: rgb ``(h, w, 3)``, disparity ``(h, w)``, mask ``(h, w)``."""
    pose: np.ndarray
    """``(3, 4)`` cam_from_world of the render."""
    intrinsics: np.ndarray
    """``(4,)`` texture-unit intrinsics of the render."""
    submitted_at: float
    """``time.perf_counter()`` when submitted."""


@dataclass(frozen=True)
class RefineResult:
    """The refiner's answer to a request."""

    request: RefineRequest
    rgb: np.ndarray
    """``(h, w, 3)`` float32 in [0, 1], holes painted."""
    disparity: np.ndarray
    """``(h, w)`` float32 in [0, 1], grounded to the render."""
    compute_seconds: float
    """Time spent in the refiner itself."""


class _RefineJob(QObject):
    """Runs in the worker thread and owns the refiner."""

    finished = pyqtSignal(object)  # RefineResult
    errored = pyqtSignal(str)  # one-line message
    loaded = pyqtSignal(str, str, bool)  # refiner name, note, whether it is the network
    busy = pyqtSignal(bool)

    def __init__(self, loader: RefinerLoader, config: RefineWorkerConfig):
        super().__init__()
        self._loader = loader
        self._config = config
        self._refiner: Refiner | None = None
        self._style: tuple[int, np.ndarray, np.ndarray] | None = None
        self._styled_generation = -1
        self._seed = 0
        self._blend = 0.0
        self._lock = threading.Lock()
        self._pending: RefineRequest | None = None
        self._working = False

    def put(self, request: RefineRequest | None) -> None:
        """Replace the pending request (any thread)."""
        with self._lock:
            self._pending = request

    def idle(self) -> bool:
        """No request pending or being refined (any thread)."""
        with self._lock:
            return self._pending is None and not self._working

    @pyqtSlot()
    def load(self) -> None:
        torch.set_num_threads(self._config.torch_threads)
        if sys.platform == "linux":  # per-thread niceness (elsewhere it would renice the whole process)
            tid = threading.get_native_id()
            os.setpriority(os.PRIO_PROCESS, tid, max(os.getpriority(os.PRIO_PROCESS, tid), self._config.nice))
        self._refiner = None
        self._styled_generation = -1
        try:
            refiner, note = self._loader()
        except Exception as exc:  # reported, the thread lives on; restart() tries again
            self.errored.emit(f"could not load the refiner: {_describe(exc)}")
            return
        self._refiner = refiner
        self.loaded.emit(refiner.name, note or "", is_network(refiner))

    @pyqtSlot(int, object, object)
    def set_style(self, generation: int, rgb: np.ndarray, disparity: np.ndarray) -> None:
        self._style = (generation, rgb, disparity)
        self._styled_generation = -1  # applied lazily, before the next refine, so its errors are reported there

    @pyqtSlot(int, float)
    def set_options(self, seed: int, blend: float) -> None:
        if seed != self._seed:
            self._seed = seed
            self._styled_generation = -1
        self._blend = blend

    @pyqtSlot()
    def process(self) -> None:
        with self._lock:
            request, self._pending = self._pending, None
            if request is None or self._refiner is None:
                return
            self._working = True
        self.busy.emit(True)
        try:
            start = time.perf_counter()
            if self._style is not None and self._styled_generation != self._style[0]:
                generation, rgb, disparity = self._style
                self._refiner.set_style(rgb, disparity, self._seed)
                self._styled_generation = generation
            apply_blend(self._refiner, self._blend)
            out = request.render
            rgb, disparity = self._refiner.refine(out.rgb, out.disparity, out.mask)
            self.finished.emit(RefineResult(request, rgb, disparity, time.perf_counter() - start))
        except Exception as exc:  # reported; the next request is served as usual
            self.errored.emit(_describe(exc))
        finally:
            with self._lock:
                self._working = False
            self.busy.emit(False)


def _describe(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


class RefineWorker(QObject):
    """GUI-side handle of the background refiner."""

    finished = pyqtSignal(object)
    """A fresh ``RefineResult`` (stale results are never emitted)."""
    errored = pyqtSignal(str)
    """One-line description of a failure (loading or refining)."""
    loaded = pyqtSignal(str, str, bool)
    """The refiner is (re)loaded: its name, a note (e.g. why the classical fill is used, or ""), and whether it is
    the network (style seed and blend apply)."""
    busy_changed = pyqtSignal(bool)
    """True while a request is being refined."""

    _load_requested = pyqtSignal()
    _style_requested = pyqtSignal(int, object, object)
    _options_requested = pyqtSignal(int, float)
    _wake = pyqtSignal()

    def __init__(self, loader: RefinerLoader, config: RefineWorkerConfig = RefineWorkerConfig(),
                 parent: QObject | None = None):
        super().__init__(parent)
        self.loader = loader
        """How the refiner is built (the export builds its own with it)."""
        self._next_id = 1
        self._generation = 0
        self._delivered_id = 0
        self._thread = QThread()
        self._thread.setObjectName("refine-worker")
        self._job = _RefineJob(loader, config)
        self._job.moveToThread(self._thread)
        self._load_requested.connect(self._job.load)
        self._style_requested.connect(self._job.set_style)
        self._options_requested.connect(self._job.set_options)
        self._wake.connect(self._job.process)
        self._job.finished.connect(self._deliver)
        self._job.errored.connect(self.errored)
        self._job.loaded.connect(self.loaded)
        self._job.busy.connect(self.busy_changed)
        self._thread.start()
        self._load_requested.emit()

    @property
    def idle(self) -> bool:
        """Nothing is waiting or being refined: a request submitted now starts at once."""
        return self._job.idle()

    @property
    def generation(self) -> int:
        """Current style generation; requests of older generations are dropped."""
        return self._generation

    def set_style(self, rgb: np.ndarray, disparity: np.ndarray) -> None:
        """Start a new scene: its style image ``(h, w, 3)`` and disparity ``(h, w)``; earlier requests go stale."""
        self._generation += 1
        self._job.put(None)
        self._style_requested.emit(self._generation, rgb, disparity)

    def set_options(self, seed: int, blend: float) -> None:
        """Style seed (0 = the encoder's mean) and blend in [0, 1], used from the next request on."""
        self._options_requested.emit(seed, blend)

    def submit(self, render: RenderOutput, pose: np.ndarray, intrinsics: np.ndarray) -> int:
        """Queue a render for refinement, replacing any request not yet started; returns the request id."""
        request = RefineRequest(self._next_id, self._generation, render, np.array(pose), np.array(intrinsics),
                                time.perf_counter())
        self._next_id += 1
        self._job.put(request)
        self._wake.emit()
        return request.request_id

    def invalidate(self) -> None:
        """Make every request so far stale (e.g. the keyframe was replaced by the user), keeping the style."""
        self._generation += 1
        self._job.put(None)

    def restart(self) -> None:
        """Reload the refiner (e.g. after an error); the current style is applied again before the next request."""
        self._job.put(None)
        self._load_requested.emit()

    def shutdown(self) -> None:
        """Stop the thread after the request in progress, if any."""
        self._job.put(None)
        self._thread.quit()
        self._thread.wait()

    @pyqtSlot(object)
    def _deliver(self, result: RefineResult) -> None:
        request = result.request
        if request.generation != self._generation or request.request_id <= self._delivered_id:
            return
        self._delivered_id = request.request_id
        self.finished.emit(result)
