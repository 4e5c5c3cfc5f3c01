"""The central GL view: a ``QOpenGLWidget`` whose moderngl context drives the engine's ``MeshRenderer``.

Every display frame (paced by a timer, at the widget's size × devicePixelRatio) the viewport emits
``frame_started(dt)`` with its GL context current — the controller steps the flight and may render off-screen
(``render_offscreen``) there — then draws the current keyframe, the photo anchor, the cached keyframes the
controller selected for the view and the sky dome from the current view. Nothing here waits for the
refiner. Mouse gestures are reported as signals; key handling lives in ``input_map``/the controller.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import moderngl
import numpy as np
from PyQt6.QtCore import QPoint, QPointF, Qt, QTimer, pyqtSignal
from PyQt6.QtGui import QCursor, QMouseEvent, QWheelEvent
from PyQt6.QtOpenGLWidgets import QOpenGLWidget
from PyQt6.QtWidgets import QWidget

from infnat_core.detail import DetailTexture
from infnat_core.render import Keyframe, MeshRenderer, RenderDetail, RenderOutput

GL_RGB8 = 0x8051
"""An opaque texture format for the widget's framebuffer: whatever the renderer leaves in alpha never shows."""
CLICK_SLOP_PX = 4
"""A press and release closer than this (device-independent pixels) is a click, not a drag."""
SOFTWARE_RENDERERS = ("llvmpipe", "softpipe", "swrast")
"""Substrings of GL_RENDERER that mean OpenGL runs on the CPU."""
RESUME_DT = 1.0 / 60.0
"""Step in seconds of the first frame after the viewport was idle (so a key press moves smoothly, not by a jump)."""


@dataclass(frozen=True)
class ViewportConfig:
    """Frame pacing of the viewport."""

    max_fps: float = 60.0
    """Frames per second the viewport asks for while animating (0 = as fast as possible)."""
    max_dt: float = 0.25
    """Longest step in seconds handed to the flight, so a stalled frame never teleports the camera."""
    software_detail: RenderDetail = RenderDetail(max_grid_side=160, minify="bilinear",
                                                 max_color_side=1920)
    """Level of detail on software GL, where every vertex and texture fetch costs frame rate (the colour keeps its
    full resolution up to ``max_color_side``). A GPU draws full detail."""


class Viewport(QOpenGLWidget):
    """Draws the keyframe's layers from the current camera at the widget's native pixel size."""

    gl_ready = pyqtSignal()
    """The GL context and renderer exist (``renderer`` is set)."""
    gl_failed = pyqtSignal(str)
    """The GL context could not be used; the message says why."""
    frame_started = pyqtSignal(float)
    """A frame is about to be drawn (GL context current); seconds since the previous frame, clamped."""
    frame_drawn = pyqtSignal(float)
    """A frame was drawn; seconds since the previous drawn frame (unclamped, for fps)."""
    look = pyqtSignal(float, float)
    """Mouse-look movement in device-independent pixels (x right, y down)."""
    clicked = pyqtSignal(float, float)
    """A click at texture coordinates (u, v) of the view."""
    wheel_steps = pyqtSignal(float)
    """Mouse wheel movement in notches (+ = away from the user)."""
    capture_changed = pyqtSignal(bool)
    """The mouse was captured for free look (True) or released."""

    def __init__(self, config: ViewportConfig = ViewportConfig(), parent: QWidget | None = None):
        super().__init__(parent)
        self.config = config
        self.renderer: MeshRenderer | None = None
        self._ctx: moderngl.Context | None = None
        self._framebuffer: moderngl.Framebuffer | None = None
        self._keyframe: tuple[Keyframe, float] | None = None
        self._anchor: tuple[Keyframe, float] | None = None
        self._cached: tuple[list[tuple[int, Keyframe]], float] = ([], 0.0)
        self._sky: np.ndarray | None = None
        self._detail: tuple[DetailTexture | None, float] = (None, 0.0)
        self._dirty: set[str] = set()
        self._pose: np.ndarray | None = None
        self._intrinsics: np.ndarray | None = None
        self._last_frame: float | None = None
        self._press: QPointF | None = None
        self._dragged = False
        self._captured = False
        self.setTextureFormat(GL_RGB8)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumSize(160, 100)
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self.update)
        self._timer.start(0 if config.max_fps <= 0 else max(1, int(1000.0 / config.max_fps)))

    # -- state the controller sets ------------------------------------------------------------------------------
    def set_keyframe(self, keyframe: Keyframe, edge_threshold: float) -> None:
        """Show ``keyframe`` from the next frame on (uploaded when the GL context is current)."""
        self._keyframe = (keyframe, edge_threshold)
        self._dirty.add("keyframe")
        self.update()

    def set_anchor(self, anchor: Keyframe | None, edge_threshold: float) -> None:
        """Draw ``anchor`` (the photo) as a persistent layer under the keyframe, or no anchor (None).

        Uploaded only when it differs from the anchor shown (the photo's texture is large)."""
        current = self._anchor
        unchanged = current is None if anchor is None else (
            current is not None and current[0] is anchor and current[1] == edge_threshold)
        if not unchanged:
            self._anchor = None if anchor is None else (anchor, edge_threshold)
            self._dirty.add("anchor")
            self.update()

    def set_cached(self, keyframes: list[tuple[int, Keyframe]], edge_threshold: float) -> None:
        """Draw these cached keyframes ``(key, keyframe)`` (``KeyframeCache.select`` order) from the next frame or
        off-screen render on; the renderer uploads only keys it does not hold yet."""
        self._cached = (keyframes, edge_threshold)
        self._dirty.add("cached")

    def set_sky(self, dome: np.ndarray | None, painted: bool = False) -> None:
        """Draw sky at infinity from ``dome`` ``(h, 2h, 4)`` uint8 (a ``SkyDome``'s rgba; it needs the anchor for
        the photo's own sky), or (None) sky as part of each mesh. Uploaded when it is another array than the one
        shown, or when ``painted`` says its contents changed."""
        if dome is not self._sky or (painted and dome is not None):
            self._sky = dome
            self._dirty.add("sky")
            self.update()

    def set_detail(self, detail: DetailTexture | None, strength: float) -> None:
        """Draw ``detail`` over the meshes at ``strength`` (see ``MeshRenderer.set_detail``); uploaded when it
        differs from what is shown."""
        if detail is not self._detail[0] or strength != self._detail[1]:
            self._detail = (detail, strength)
            self._dirty.add("detail")
            self.update()

    def set_view(self, pose: np.ndarray, intrinsics: np.ndarray) -> None:
        """Camera ``(3, 4)`` cam_from_world and intrinsics ``(4,)`` of the frame being drawn."""
        self._pose = pose
        self._intrinsics = intrinsics

    def set_animating(self, animating: bool) -> None:
        """Draw frames continuously (True), or only on demand — input, a new keyframe, a resize — (False)."""
        if animating != self._timer.isActive():
            self._timer.start() if animating else self._timer.stop()

    def pixel_size(self) -> tuple[int, int]:
        """(width, height) of the drawn image in device pixels."""
        ratio = self.devicePixelRatioF()
        return max(1, round(self.width() * ratio)), max(1, round(self.height() * ratio))

    def render_offscreen(self, pose: np.ndarray, intrinsics: np.ndarray, width: int, height: int) -> RenderOutput:
        """Render every layer off-screen; only from a ``frame_started`` handler (the GL context is current)."""
        self._upload_keyframe()
        return self.renderer.render(pose, intrinsics, width, height)

    @property
    def software_gl(self) -> bool:
        """Whether OpenGL runs on the CPU (Mesa's llvmpipe and friends): every mesh drawn costs frame rate."""
        renderer = self._ctx.info["GL_RENDERER"].lower() if self._ctx is not None else ""
        return any(name in renderer for name in SOFTWARE_RENDERERS)

    # -- GL --------------------------------------------------------------------------------------------------
    def initializeGL(self) -> None:
        try:
            self._ctx = moderngl.create_context()
            self.renderer = MeshRenderer(self._ctx,
                                         detail=self.config.software_detail if self.software_gl else RenderDetail())
        except Exception as exc:  # driver text; reported to the user by the window
            self.gl_failed.emit(f"OpenGL 3.3 is not available for the viewport ({exc}); update the graphics driver")
            return
        self.gl_ready.emit()

    def paintGL(self) -> None:
        if self.renderer is None:
            return
        now = time.perf_counter()
        dt = 0.0 if self._last_frame is None else now - self._last_frame
        self._last_frame = now
        if self._keyframe is not None:
            self.frame_started.emit(min(dt, self.config.max_dt if self._timer.isActive() else RESUME_DT))
        framebuffer = self._detect_framebuffer()
        if self._keyframe is None or self._pose is None:
            framebuffer.use()
            framebuffer.clear(0.1, 0.1, 0.1, 1.0)
        else:
            self._upload_keyframe()
            self.renderer.draw(framebuffer, self._pose, self._intrinsics)
        if dt > 0.0:
            self.frame_drawn.emit(dt)

    def _detect_framebuffer(self) -> moderngl.Framebuffer:
        fbo_id = self.defaultFramebufferObject()
        fb = self._framebuffer
        if fb is None or fb.glo != fbo_id or fb.size != self.pixel_size():
            fb = self._framebuffer = self._ctx.detect_framebuffer(fbo_id)
        return fb

    def _upload_keyframe(self) -> None:
        if "anchor" in self._dirty:
            self.renderer.set_anchor(*(self._anchor or (None, 0.0)))
        if "keyframe" in self._dirty:
            self.renderer.set_keyframe(*self._keyframe)
        if "cached" in self._dirty:
            self.renderer.set_cached(*self._cached)
        if "sky" in self._dirty:
            self.renderer.set_sky(self._sky)
        if "detail" in self._dirty:
            self.renderer.set_detail(*self._detail)
        self._dirty.clear()

    # -- mouse -----------------------------------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and not self._captured:
            self._press = event.position()
            self._dragged = False
        self.setFocus()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        pos = event.position()
        if self._captured:
            centre = QPointF(self.width() / 2, self.height() / 2)
            delta = pos - centre
            if delta.manhattanLength() > 0:
                self.look.emit(delta.x(), delta.y())
                QCursor.setPos(self.mapToGlobal(QPoint(self.width() // 2, self.height() // 2)))
            return
        if self._press is None:
            return
        delta = pos - self._press
        if self._dragged or delta.manhattanLength() >= CLICK_SLOP_PX:
            self._dragged = True
            self.look.emit(delta.x(), delta.y())
            self._press = pos

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self._press is None:
            return
        if not self._dragged:
            pos = event.position()
            self.clicked.emit(pos.x() / max(1, self.width()), pos.y() / max(1, self.height()))
        self._press = None

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.set_captured(True)

    def wheelEvent(self, event: QWheelEvent) -> None:
        self.wheel_steps.emit(event.angleDelta().y() / 120.0)

    def focusOutEvent(self, event) -> None:
        self.set_captured(False)
        super().focusOutEvent(event)

    def set_captured(self, captured: bool) -> None:
        """Capture the mouse for free look (hidden cursor, relative motion) or release it."""
        if captured == self._captured:
            return
        self._captured = captured
        self._press = None
        self.setMouseTracking(captured)
        if captured:
            self.setCursor(Qt.CursorShape.BlankCursor)
            self.grabMouse()
            QCursor.setPos(self.mapToGlobal(QPoint(self.width() // 2, self.height() // 2)))
        else:
            self.releaseMouse()
            self.unsetCursor()
        self.capture_changed.emit(captured)

    @property
    def captured(self) -> bool:
        """Whether the mouse is captured for free look."""
        return self._captured
