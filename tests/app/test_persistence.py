"""The persistent world in the window: what a refinement painted comes back when you fly back to it."""

import math

import numpy as np

from infnat_core.camera import pose_from_look
from PyQt6.QtCore import QSettings

from app.main_window import MainWindow
from tests.app.conftest import fill_loader, viewport_pixels


def _look(x: float, yaw_deg: float) -> np.ndarray:
    yaw = math.radians(yaw_deg)
    return pose_from_look(np.array([x, 0.0, 0.0]), np.array([math.sin(yaw), 0.0, math.cos(yaw)]),
                          np.array([0.0, 1.0, 0.0]))


def _refine_at(window, qtbot, pose):
    """Put the camera at ``pose`` and wait for the refinement made there."""
    results = []
    window.worker.finished.connect(results.append)
    window.controller.driver.reset(pose)
    window.viewport.update()
    qtbot.waitUntil(lambda: any(np.allclose(r.request.pose, pose) for r in results), timeout=15000)
    window.worker.finished.disconnect(results.append)
    return next(r for r in results if np.allclose(r.request.pose, pose))


def _render_at(window, qtbot, pose, intrinsics, size):
    """Fly (jump) to ``pose``, let a frame select the layers for it, and render the view off-screen."""
    window.controller.driver.reset(pose)
    frames = []
    window.viewport.frame_drawn.connect(frames.append)
    window.viewport.update()
    qtbot.waitUntil(lambda: len(frames) >= 1, timeout=5000)
    window.viewport.frame_drawn.disconnect(frames.append)
    window.viewport.makeCurrent()
    try:
        return window.viewport.render_offscreen(pose, intrinsics, *size)
    finally:
        window.viewport.doneCurrent()


def test_flying_back_shows_what_the_first_refinement_painted(window, qtbot):
    window.sliders.photo_layer.setChecked(True)  # also draws sky at infinity from the dome
    window.sliders.persistent_world.setChecked(True)
    window.sliders.trigger.set_value(0.0)
    first_pose, second_pose = _look(0.15, 30.0), _look(-0.15, -30.0)
    first = _refine_at(window, qtbot, first_pose)
    second = _refine_at(window, qtbot, second_pose)
    window.sliders.refine_enabled.setChecked(False)  # nothing new is painted from here on
    painted = first.request.render.mask < 0.5
    assert painted.mean() > 0.05  # the first view had a border to paint
    assert len(window.controller.cache) == 2
    assert window.controller.keyframe.rgb is second.rgb

    size = painted.shape[::-1]
    back = _render_at(window, qtbot, first_pose, first.request.intrinsics, size)
    assert np.mean(back.mask[painted] < 0.5) < 0.03  # that region is back, from the cache

    window.sliders.persistent_world.setChecked(False)
    forgetful = _render_at(window, qtbot, first_pose, first.request.intrinsics, size)
    assert np.mean(forgetful.mask[painted] < 0.5) > 0.2  # without the cache it would be a hole again


def test_a_new_photo_forgets_the_painted_world(window, qtbot):
    window.sliders.persistent_world.setChecked(True)
    window.sliders.trigger.set_value(0.0)
    _refine_at(window, qtbot, _look(0.15, 30.0))
    assert len(window.controller.cache) == 1
    assert window.open_image(None)
    assert len(window.controller.cache) == 0
    assert not window.controller.sky.rgba[..., 3].any()


def test_with_the_defaults_turning_back_shows_the_photo_where_it_was(window, qtbot):
    """A new user flies away from the photo's view (refinements replace the keyframe), turns back, and sees the
    photo's landscape again — the photo layer is on by default, GPU or not."""
    assert window.sliders.values().photo_layer
    window.sliders.trigger.set_value(0.0)
    start = window.controller.pose.copy()
    photo_view = viewport_pixels(window).astype(np.float32)
    for pose in (_look(0.3, 60.0), _look(0.6, 150.0)):
        _refine_at(window, qtbot, pose)
    assert window.controller.keyframe is not window.controller.scene.keyframe  # refined views replaced the photo
    window.sliders.refine_enabled.setChecked(False)
    window.controller.driver.reset(start)
    frames = []
    window.viewport.frame_drawn.connect(frames.append)
    window.viewport.update()
    qtbot.waitUntil(lambda: len(frames) >= 1, timeout=5000)
    back = viewport_pixels(window).astype(np.float32)
    assert np.abs(back - photo_view).mean() < 4.0  # the same picture (8-bit levels)


def test_the_persistent_world_setting_holds_from_the_first_start(qtbot, tmp_path):
    """Whatever the checkbox shows from the first start (off on software GL, set before any photo is open) is what
    the flight does."""
    window = MainWindow(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat), fill_loader)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.viewport.renderer is not None, timeout=10000)  # GL ready before any photo
    window.sliders.trigger.set_value(0.0)
    assert window.open_image(None)  # and no setting changes after it
    _refine_at(window, qtbot, _look(0.15, 30.0))
    kept = len(window.controller.cache) > 0
    assert kept == window.sliders.values().persistent_world
