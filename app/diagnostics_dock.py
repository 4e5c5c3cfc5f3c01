"""The diagnostics dock (pyqtgraph): fps, refine latency, hole fraction and altitude over time, a top-down minimap
of the path flown, and the last refined keyframe.

Samples are buffered as they arrive; plots redraw a few times per second and only while the dock is visible, so the
dock costs the viewport almost nothing.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PyQt6.QtCore import QTimer
from PyQt6.QtWidgets import QDockWidget, QWidget

from infnat_core.camera import camera_position


@dataclass(frozen=True)
class DiagnosticsConfig:
    """How much history the dock keeps and how often it redraws."""

    history_seconds: float = 30.0
    """Time window of the plots."""
    max_samples: int = 4000
    """Most samples kept per series (older ones are dropped)."""
    redraw_hz: float = 4.0
    """Plot redraws per second while visible."""
    minimap_points: int = 20000
    """Most path points kept for the minimap."""


class _Series:
    """Time-stamped samples of one quantity."""

    def __init__(self, maxlen: int):
        self.t: deque[float] = deque(maxlen=maxlen)
        self.v: deque[float] = deque(maxlen=maxlen)

    def add(self, t: float, v: float) -> None:
        self.t.append(t)
        self.v.append(v)


class DiagnosticsDock(QDockWidget):
    """Plots of the flight; fed by ``add_frame`` / ``add_refine`` / ``set_keyframe_image``."""

    def __init__(self, config: DiagnosticsConfig = DiagnosticsConfig(), parent: QWidget | None = None):
        super().__init__("Diagnostics", parent)
        self.setObjectName("diagnostics_dock")
        self.config = config
        self._time = 0.0
        self._fps = _Series(config.max_samples)
        self._latency = _Series(config.max_samples)
        self._holes = _Series(config.max_samples)
        self._altitude = _Series(config.max_samples)
        self._path: deque[tuple[float, float]] = deque(maxlen=config.minimap_points)
        self._keyframes: deque[tuple[float, float]] = deque(maxlen=config.minimap_points)
        self._camera = (0.0, 0.0)
        self._dirty = False

        layout = pg.GraphicsLayoutWidget()
        self._curves = {}
        for i, (name, title, units) in enumerate([
            ("fps", "Viewport fps", ""), ("latency", "Refine latency", "ms"),
            ("holes", "Hole fraction", ""), ("altitude", "Altitude", "units"),
        ]):
            plot = layout.addPlot(row=i // 2, col=i % 2, title=title)
            plot.setLabel("left", units)
            plot.getAxis("left").enableAutoSIPrefix(False)
            plot.showGrid(x=True, y=True, alpha=0.2)
            plot.setMouseEnabled(x=False, y=False)
            plot.hideButtons()
            symbol = "o" if name == "latency" else None
            self._curves[name] = plot.plot(pen=pg.mkPen("c", width=1.5), symbol=symbol, symbolSize=4)
        self._minimap = layout.addPlot(row=0, col=2, rowspan=2, title="Path from above (x, z)")
        self._minimap.setAspectLocked(True)
        self._minimap.showGrid(x=True, y=True, alpha=0.2)
        self._minimap.hideButtons()
        self._path_curve = self._minimap.plot(pen=pg.mkPen("y", width=1.5))
        self._keyframe_dots = self._minimap.plot(pen=None, symbol="o", symbolSize=5, symbolBrush="m")
        self._camera_dot = self._minimap.plot(pen=None, symbol="t1", symbolSize=10, symbolBrush="r")
        view = layout.addViewBox(row=0, col=3, rowspan=2, lockAspect=True)
        view.invertY(True)  # image rows go down
        view.setMouseEnabled(x=False, y=False)
        self._image = pg.ImageItem(axisOrder="row-major")
        view.addItem(self._image)
        self._image_view = view
        for col, stretch in enumerate((3, 3, 2, 3)):
            layout.ci.layout.setColumnStretchFactor(col, stretch)
        self.setWidget(layout)

        self._timer = QTimer(self)
        self._timer.timeout.connect(self._redraw)
        self._timer.start(int(1000 / config.redraw_hz))

    def add_frame(self, dt: float, pose: np.ndarray, hole_fraction: float) -> None:
        """One displayed frame: seconds since the previous one, its pose ``(3, 4)``, the latest hole fraction."""
        self._time += dt
        if dt > 0:
            self._fps.add(self._time, 1.0 / dt)
        position = camera_position(pose)
        self._holes.add(self._time, hole_fraction)
        self._altitude.add(self._time, -float(position[1]))  # world up is −y
        point = (float(position[0]), float(position[2]))
        if not self._path or self._path[-1] != point:
            self._path.append(point)
        self._camera = point
        self._dirty = True

    def add_refine(self, latency_s: float, pose: np.ndarray) -> None:
        """A refinement became the keyframe ``latency_s`` after it was requested, at ``pose`` ``(3, 4)``."""
        self._latency.add(self._time, latency_s * 1000.0)
        position = camera_position(pose)
        self._keyframes.append((float(position[0]), float(position[2])))
        self._dirty = True

    def set_keyframe_image(self, rgb: np.ndarray) -> None:
        """Show the current keyframe's colour ``(H, W, 3)`` float32 [0, 1] or uint8."""
        self._image.setImage(np.asarray(rgb), autoLevels=False, levels=(0, 255) if rgb.dtype == np.uint8 else (0, 1))
        self._image_view.autoRange(padding=0)

    def reset_path(self) -> None:
        """Forget the path and keyframes (a new image or a camera reset); the time series continue."""
        self._path.clear()
        self._keyframes.clear()
        self._dirty = True

    def _redraw(self) -> None:
        if not self._dirty or not self.isVisible():
            return
        self._dirty = False
        start = self._time - self.config.history_seconds
        for name, series in (("fps", self._fps), ("latency", self._latency), ("holes", self._holes),
                             ("altitude", self._altitude)):
            t = np.fromiter(series.t, float, len(series.t))
            v = np.fromiter(series.v, float, len(series.v))
            keep = t >= start
            self._curves[name].setData(t[keep], v[keep])
        if self._path:
            path = np.array(self._path)
            self._path_curve.setData(path[:, 0], path[:, 1])
        else:
            self._path_curve.setData([], [])
        dots = np.array(self._keyframes).reshape(-1, 2)
        self._keyframe_dots.setData(dots[:, 0], dots[:, 1])
        self._camera_dot.setData([self._camera[0]], [self._camera[1]])
