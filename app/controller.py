"""Wires the viewport, the flight, the refine worker and the recorder; owns the current scene and keyframe.

Per display frame (inside the viewport's paint, GL context current): probe-render the current view at refine size
every ``probe_interval`` (hole fraction, the autopilot's disparity, and — when the trigger fires — the refine
request), step the flight with the frame's ``dt``, and hand the new camera — and the cached keyframes that see it —
to the viewport. Refine results arrive as signals on the GUI thread and become the keyframe; with the persistent
world on, what they painted also goes into the keyframe cache and the sky dome (as in ``FlightSession``).
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PyQt6.QtCore import QEvent, QObject, pyqtSignal
from PyQt6.QtGui import QKeyEvent
from PyQt6.QtWidgets import QAbstractSlider, QAbstractSpinBox, QComboBox, QLineEdit, QWidget

from app.flight_driver import DriverConfig, FlightDriver
from app.input_map import RELEASE_MOUSE_KEY, HeldKeys, InputConfig, flight_key
from app.recorder import PathRecorder
from app.refine_policy import RefinePolicyConfig, pose_distance, refine_reason, refine_size, same_view
from app.refine_worker import RefineResult, RefineWorker
from app.sliders_dock import SliderValues
from app.viewport import Viewport
from infnat_core import camera
from infnat_core.flight.path import FlightPath
from infnat_core.keyframe_cache import KeyframeCache, KeyframeCacheConfig
from infnat_core.render import Keyframe, RenderOutput
from infnat_core.scene import Scene, SceneConfig, load_scene, view_intrinsics
from infnat_core.session import SessionConfig, refined_keyframe, remember_painted
from infnat_core.sky import SkyDome

TEXT_ENTRY_WIDGETS = (QLineEdit, QAbstractSpinBox, QAbstractSlider, QComboBox)
"""Widgets that keep their own key presses (flight keys still release)."""


@dataclass(frozen=True)
class ControllerConfig:
    """Everything the controller combines."""

    policy: RefinePolicyConfig = field(default_factory=RefinePolicyConfig)
    """When to refine and at what size."""
    driver: DriverConfig = field(default_factory=DriverConfig)
    """Manual flight and autopilot."""
    input: InputConfig = field(default_factory=InputConfig)
    """Mouse-look sensitivity."""
    wheel_speed_factor: float = 1.15
    """Speed factor per mouse-wheel notch."""
    cache: KeyframeCacheConfig = field(default_factory=KeyframeCacheConfig)
    """How many refined keyframes are kept and drawn again when the view comes back (persistent world)."""
    sky_dome_height: int = SessionConfig.sky_dome_height
    """Rows of the equirectangular dome of painted sky (persistent world; it has twice as many columns)."""


@dataclass
class _Probe:
    """The latest off-screen render of the view."""

    render: RenderOutput
    pose: np.ndarray
    intrinsics: np.ndarray


class Controller(QObject):
    """The app's state machine between the viewport, the refiner and the docks."""

    scene_changed = pyqtSignal(object)
    """A new ``Scene`` is shown."""
    frame_stepped = pyqtSignal(float, object, float)
    """A frame: dt (s), pose ``(3, 4)``, hole fraction of the latest probe."""
    keyframe_refined = pyqtSignal(float, object, object)
    """A refinement became the keyframe: latency (s) from request to keyframe, its pose, its rgb."""
    refine_state_changed = pyqtSignal(str)
    """Short text for the status bar: "idle", "refining…", "off", "failed"."""
    refiner_loaded = pyqtSignal(str, str, bool)
    """Refiner name, note, whether it is the network."""
    refine_failed = pyqtSignal(str)
    """The refiner raised; refinement pauses until ``restart_refiner``."""
    autopilot_changed = pyqtSignal(bool)
    recording_changed = pyqtSignal(bool)
    path_recorded = pyqtSignal(object)
    """A recording ended: its ``FlightPath``."""
    speed_scale_requested = pyqtSignal(float)
    """The user asked for a faster/slower flight (mouse wheel): multiply the speed by this."""

    def __init__(self, viewport: Viewport, worker: RefineWorker, config: ControllerConfig = ControllerConfig(),
                 parent: QObject | None = None):
        super().__init__(parent)
        self.viewport = viewport
        self.worker = worker
        self.config = config
        self.policy = config.policy
        self.keys = HeldKeys(config.input)
        self.driver = FlightDriver(camera.identity_pose(), config.driver)
        self.recorder = PathRecorder()
        self.recorded_path: FlightPath | None = None
        self.scene: Scene | None = None
        self.keyframe: Keyframe | None = None
        self._photo_keyframe: Keyframe | None = None
        self._photo_layer = True
        self._persistent = True
        self._detail_strength = SessionConfig.detail_strength
        self.cache = KeyframeCache(config.cache)
        self.sky = SkyDome(config.sky_dome_height)
        self.edge_threshold = SceneConfig().depth.edge_threshold
        self.view_intrinsics = np.array([1.0, 1.0, 0.5, 0.5])
        self._probe: _Probe | None = None
        self._probe_stale = True
        self._since_probe = float("inf")
        self._last_sent_pose: np.ndarray | None = None
        self._rest_seconds = 0.0
        self._failed = False

        viewport.frame_started.connect(self._on_frame)
        viewport.look.connect(self._on_look)
        viewport.clicked.connect(self._on_click)
        viewport.wheel_steps.connect(lambda steps: self.speed_scale_requested.emit(config.wheel_speed_factor**steps))
        worker.finished.connect(self._on_refined)
        worker.errored.connect(self._on_refine_error)
        worker.busy_changed.connect(self._on_busy)
        worker.loaded.connect(self._on_loaded)

    # -- scene ---------------------------------------------------------------------------------------------
    @property
    def pose(self) -> np.ndarray:
        """Current camera ``(3, 4)`` cam_from_world."""
        return self.driver.pose

    def open_image(self, image: str | Path | None, depth: str | Path | None, values: SliderValues) -> None:
        """Load a photo (None = the bundled one) with an optional depth map; ``InfnatError`` leaves the old scene."""
        config = SceneConfig(fov_deg=values.fov_deg, depth=values.depth)
        self.set_scene(load_scene(image, depth, config))

    def open_depth(self, depth: str | Path, values: SliderValues) -> None:
        """Use a depth/disparity map for the current photo; ``InfnatError`` leaves the old scene."""
        self.open_image(self.scene.photo.path if self.scene else None, depth, values)

    def set_scene(self, scene: Scene) -> None:
        """Show a scene from its photo's viewpoint, with a fresh style for the refiner."""
        self.set_recording(False)
        self.scene = scene
        self.edge_threshold = scene.config.depth.edge_threshold
        self.worker.set_style(scene.working_rgb, scene.disparity)
        self._forget_world()
        self._show_photo_keyframe()
        self._show_detail()
        self.driver.reset(camera.identity_pose())
        self.scene_changed.emit(scene)

    def apply_values(self, values: SliderValues) -> None:
        """Apply the sliders live: depth and field of view rebuild the photo's mesh, the rest is cheap."""
        self.driver.config = dataclasses.replace(
            self.driver.config, controls=dataclasses.replace(self.driver.config.controls, speed=values.speed))
        self.policy = dataclasses.replace(self.policy, enabled=values.refine_enabled,
                                          hole_fraction=values.trigger_threshold)
        if not values.refine_enabled:
            self.worker.invalidate()
        self.worker.set_options(values.style_seed, values.blend)
        layers = (values.photo_layer, values.persistent_world)
        layers_changed = layers != (self._photo_layer, self._persistent)
        self._photo_layer, self._persistent = layers
        self._detail_strength = values.detail_strength
        if self.scene is None:
            return
        self._show_detail()
        if layers_changed:
            self._set_keyframe(self.keyframe)  # anchor and sky dome on/off; the next frame selects cached keyframes
        cfg = self.scene.config
        relief_changed = dataclasses.replace(values.depth, edge_threshold=cfg.depth.edge_threshold) != cfg.depth
        fov_changed = values.fov_deg != cfg.fov_deg
        if values.depth == cfg.depth and not fov_changed:
            return
        scene = self.scene.with_depth_config(values.depth)
        if fov_changed:
            h, w = scene.photo.rgb.shape[:2]
            scene = dataclasses.replace(scene, intrinsics=camera.intrinsics_from_fov(values.fov_deg, w, h),
                                        config=dataclasses.replace(scene.config, fov_deg=values.fov_deg))
        self.scene = scene
        self.edge_threshold = values.depth.edge_threshold
        self._show_detail()
        if relief_changed:
            self.worker.set_style(scene.working_rgb, scene.disparity)
        if relief_changed or fov_changed:
            self._forget_world()  # what was painted belongs to the old geometry
            self._show_photo_keyframe()
        else:
            self._set_keyframe(self.keyframe)

    def _show_detail(self) -> None:
        """Draw the scene's detail texture at the slider's strength (not computed while the strength is 0)."""
        on = self._detail_strength > 0.0
        self.viewport.set_detail(self.scene.detail if on else None, self._detail_strength)

    def _show_photo_keyframe(self) -> None:
        """Make the photo the keyframe again (requests in flight were made from another keyframe: drop them)."""
        self.worker.invalidate()
        self._photo_keyframe = self.scene.keyframe
        self._set_keyframe(self._photo_keyframe)

    def _forget_world(self) -> None:
        """Empty the keyframe cache and the sky dome (a new photo, depth or geometry)."""
        self.cache = KeyframeCache(self.config.cache)
        self.sky = SkyDome(self.config.sky_dome_height)
        self.viewport.set_cached([], self.edge_threshold)

    def _set_keyframe(self, keyframe: Keyframe, sky_painted: bool = False) -> None:
        """Show ``keyframe``; with the photo layer on, the photo stays under a refined one (the renderer's anchor),
        and with the persistent world on, sky is drawn at infinity whenever the anchor is (it shows the photo's
        sky; ``sky_painted``: the dome changed)."""
        refined = keyframe is not self._photo_keyframe
        anchor = self._photo_keyframe if refined and self._photo_layer else None
        if anchor is None and keyframe.coverage is not None:
            keyframe = dataclasses.replace(keyframe, coverage=None)  # no photo layer: it draws everything it shows
        self.keyframe = keyframe
        self.viewport.set_anchor(anchor, self.edge_threshold)
        self.viewport.set_sky(self.sky.rgba if self._persistent and anchor is not None else None, sky_painted)
        self.viewport.set_keyframe(keyframe, self.edge_threshold)
        self._probe_stale = True  # what the view shows has changed

    # -- flight commands -----------------------------------------------------------------------------------
    def set_autopilot(self, on: bool) -> None:
        """Hand the camera to the autopilot (steered by the user) or take it back."""
        if on != self.driver.autopilot:
            self.driver.set_autopilot(on)
            self.viewport.update()
            self.autopilot_changed.emit(on)

    def set_recording(self, on: bool) -> None:
        """Start or stop recording the flown path; stopping emits ``path_recorded`` when anything was flown."""
        if on == self.recorder.recording:
            return
        if on:
            self.recorder.start(self.pose)
        else:
            source = str(self.scene.photo.path) if self.scene and self.scene.photo.path else None
            path = self.recorder.stop(self.view_intrinsics, source)
            if path is not None:
                self.recorded_path = path
                self.path_recorded.emit(path)
        self.recording_changed.emit(on)

    def reset_camera(self) -> None:
        """Back to the photo's viewpoint, with the photo as the keyframe."""
        self.driver.reset(camera.identity_pose())
        self.viewport.update()
        if self.scene is not None:
            self._show_photo_keyframe()

    def restart_refiner(self) -> None:
        """Reload the refiner after a failure and resume refining."""
        self._failed = False
        self.worker.restart()
        self.refine_state_changed.emit("loading…")

    # -- input ---------------------------------------------------------------------------------------------
    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        """Application-wide key filter: flight keys go to the held-key state while this window has them."""
        kind = event.type()
        if kind not in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            if kind == QEvent.Type.WindowDeactivate and obj is self.viewport.window():
                self.keys.clear()
            return False
        if not isinstance(obj, QWidget) or obj.window() is not self.viewport.window():
            return False
        key_event: QKeyEvent = event
        key = key_event.key()
        if key_event.isAutoRepeat():  # the key is held already
            return flight_key(key) is not None and not isinstance(obj, TEXT_ENTRY_WIDGETS)
        if kind == QEvent.Type.KeyRelease:
            return self.keys.release(key)
        if isinstance(obj, TEXT_ENTRY_WIDGETS):
            return False
        if key == RELEASE_MOUSE_KEY.value and self.viewport.captured:
            self.viewport.set_captured(False)
            return True
        if self.keys.press(key):
            self.viewport.update()  # step on the very next frame
            return True
        return False

    def _on_look(self, dx: float, dy: float) -> None:
        self.keys.add_look(dx, dy)
        self.viewport.update()

    def _on_click(self, u: float, v: float) -> None:
        if self.driver.autopilot:
            self.driver.click_steer(u, v)

    # -- per frame (GL context current) --------------------------------------------------------------------
    def _on_frame(self, dt: float) -> None:
        if self.scene is None:
            return
        width, height = self.viewport.pixel_size()
        self.view_intrinsics = view_intrinsics(self.scene.intrinsics, self.scene.aspect, width, height)
        self._since_probe += dt
        pose = self.driver.pose
        if self._probe_needed(pose, width, height):
            size = refine_size(width, height, self.policy.long_side)
            self._probe = _Probe(self.viewport.render_offscreen(pose, self.view_intrinsics, *size), pose,
                                 self.view_intrinsics)
            self._probe_stale = False
            self._since_probe = 0.0
        if self._probe is not None and not self._probe_stale:
            self._maybe_refine(self._probe)
        disparity = self._probe.render.disparity if self._probe is not None else self.keyframe.disparity
        intrinsics = self._probe.intrinsics if self._probe is not None else self.keyframe.intrinsics
        pose = self.driver.step(self.keys.take_inputs(), dt, disparity, intrinsics)
        self._rest_seconds = self._rest_seconds + dt if self.driver.at_rest else 0.0
        self.recorder.add(pose, dt)
        cached = self.cache.select(pose, self.view_intrinsics) if self._persistent else []
        self.viewport.set_cached(cached, self.edge_threshold)  # also used by the next frame's probe (same pose)
        self.viewport.set_view(pose, self.view_intrinsics)
        self.viewport.set_animating(not self._settled(pose))
        self.frame_stepped.emit(dt, pose, self._probe.render.hole_fraction if self._probe is not None else 0.0)

    def _settled(self, pose: np.ndarray) -> bool:
        """Nothing will change until the user acts: no frames are needed (saves the CPU for everything else)."""
        refined = not self.policy.enabled or self._failed or same_view(self.keyframe.pose, pose)
        return (self.driver.at_rest and not self.driver.autopilot and not self.keys.active and self.worker.idle
                and self._rest_seconds > self.policy.rest_seconds + self.policy.probe_interval and refined)

    def _probe_needed(self, pose: np.ndarray, width: int, height: int) -> bool:
        """A probe costs a full off-screen render: at most every ``probe_interval``, only when the view or the
        keyframe changed, and only when the autopilot or the refine trigger needs one."""
        probe = self._probe
        if probe is not None and probe.render.mask.shape[::-1] != refine_size(width, height, self.policy.long_side):
            return True
        if self._since_probe < self.policy.probe_interval:
            return False
        if probe is not None and not self._probe_stale and same_view(probe.pose, pose):
            return False
        return self.driver.autopilot or (self.policy.enabled and not self._failed and self.worker.idle)

    def _maybe_refine(self, probe: _Probe) -> None:
        """Submit the probe render when the trigger fires and the worker is free."""
        if self._failed or not self.worker.idle:
            return
        refined_here = same_view(probe.pose, self.keyframe.pose) or (
            self._last_sent_pose is not None and same_view(probe.pose, self._last_sent_pose))
        reason = refine_reason(probe.render.hole_fraction,
                               pose_distance(probe.pose, self.keyframe.pose), self._rest_seconds, refined_here,
                               self.policy)
        if reason is not None:
            self.worker.submit(probe.render, probe.pose, probe.intrinsics)
            self._last_sent_pose = probe.pose

    # -- worker --------------------------------------------------------------------------------------------
    def _on_refined(self, result: RefineResult) -> None:
        request = result.request
        keyframe = refined_keyframe(result.rgb, result.disparity, request.render, request.pose, request.intrinsics,
                                    self.scene.config.mesh_max_side)
        sky_painted = self._persistent and remember_painted(self.cache, self.sky, keyframe, result.rgb,
                                                            result.disparity, request.render.mask)
        self._set_keyframe(keyframe, sky_painted)
        self.keyframe_refined.emit(time.perf_counter() - request.submitted_at, request.pose, result.rgb)

    def _on_refine_error(self, message: str) -> None:
        self._failed = True
        self.worker.invalidate()
        self.refine_state_changed.emit("failed")
        self.refine_failed.emit(message)

    def _on_busy(self, busy: bool) -> None:
        if not self._failed:
            self.refine_state_changed.emit("refining…" if busy else ("idle" if self.policy.enabled else "off"))

    def _on_loaded(self, name: str, note: str, network: bool) -> None:
        self.refiner_loaded.emit(name, note, network)
        if not self._failed:
            self.refine_state_changed.emit("idle" if self.policy.enabled else "off")
