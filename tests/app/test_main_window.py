import numpy as np
from PIL import Image
from PyQt6.QtCore import QMimeData, QPointF, Qt, QUrl
from PyQt6.QtGui import QDragEnterEvent, QDropEvent
from PyQt6.QtTest import QTest
from PyQt6.QtWidgets import QApplication, QMessageBox

from app import main_window
from app.sliders_dock import SliderValues
from infnat_core.depth import HeuristicDepthEstimator
from infnat_core.refiner.inference import FillRefiner
from tests.app.conftest import make_window, viewport_pixels


def drop_file(window, path):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    pos = QPointF(window.width() / 2, window.height() / 2)
    enter = QDragEnterEvent(pos.toPoint(), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    QApplication.sendEvent(window, QDropEvent(pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton,
                                              Qt.KeyboardModifier.NoModifier))


def test_opens_on_default_image_and_shows_a_picture(window):
    assert window.controller.scene.photo.name == "default.jpg"
    pixels = viewport_pixels(window)
    assert pixels.shape[0] > 100 and pixels.shape[1] > 100
    assert pixels.mean() > 40 and pixels.std() > 20  # a photo, not a black or flat frame
    assert "default.jpg" in window.windowTitle()


def test_dropped_image_loads(window, tmp_path, qtbot):
    h, w = 200, 320
    yy, xx = np.mgrid[0:h, 0:w]
    rgb = np.stack([xx * 255 // w, 120 + 0 * xx, yy * 255 // h], -1).astype(np.uint8)
    Image.fromarray(rgb).save(tmp_path / "dropped.png")
    drop_file(window, tmp_path / "dropped.png")
    assert window.controller.scene.photo.name == "dropped.png"
    qtbot.waitUntil(lambda: viewport_pixels(window)[..., 2].std() > 30, timeout=5000)  # the blue ramp shows
    assert str((tmp_path / "dropped.png").resolve()) in window.settings.value("recent_files")


def test_dropped_depth_map_is_used_as_depth(window, tmp_path):
    scene = window.controller.scene
    h, w = scene.photo.rgb.shape[:2]
    ramp = np.repeat(np.linspace(0, 255, h, dtype=np.float32)[:, None], w, 1).astype(np.uint8)
    Image.fromarray(ramp, mode="L").save(tmp_path / "depth.png")
    drop_file(window, tmp_path / "depth.png")
    new = window.controller.scene
    assert new.photo.name == "default.jpg"  # same photo, new depth
    column = new.disparity[:, new.disparity.shape[1] // 2]
    assert column[-1] > column[0]  # bright = near at the bottom


def test_bad_dropped_file_shows_error_and_keeps_image(window, tmp_path, monkeypatch):
    errors = []
    monkeypatch.setattr(QMessageBox, "critical", lambda *args: errors.append(args))
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"this is not a png at all")
    before = window.controller.scene
    drop_file(window, bad)
    assert len(errors) == 1 and "broken.png" in errors[0][2]
    assert window.controller.scene is before
    assert viewport_pixels(window).std() > 20


def test_settings_persist_sliders_and_geometry(qtbot, tmp_path):
    first = make_window(qtbot, tmp_path)
    assert first.sliders.values().photo_layer  # the photo comes back when you turn back, GPU or not
    if first.viewport.software_gl:
        assert not first.sliders.values().persistent_world  # first start without a GPU: smooth flight first
        assert first.sliders.values().detail_strength == 0.0
    else:
        assert first.sliders.values().detail_strength == SliderValues().detail_strength
    first.sliders.relief.set_value(1.7)
    first.sliders.persistent_world.setChecked(True)
    first.sliders.detail.set_value(0.5)
    first.resize(720, 560)
    first.close()
    second = make_window(qtbot, tmp_path, size=None)
    assert (second.width(), second.height()) == (720, 560)
    values = second.sliders.values()
    assert abs(values.depth.relief_scale - 1.7) < 1e-6 and values.persistent_world  # the user's choice wins
    assert values.detail_strength == 0.5
    assert abs(second.controller.scene.config.depth.relief_scale - 1.7) < 1e-6
    second.close()


def test_sliders_apply_live(window, qtbot):
    before = window.controller.scene
    window.sliders.relief.set_value(2.0)
    after = window.controller.scene
    assert after.config.depth.relief_scale == 2.0
    assert not np.allclose(after.disparity, before.disparity)
    assert np.array_equal(window.controller.keyframe.disparity, after.disparity)  # the photo's mesh is rebuilt
    window.sliders.fov.set_value(80.0)
    assert window.controller.scene.intrinsics[0] < before.intrinsics[0]  # wider view, shorter focal length
    window.sliders.refine_enabled.setChecked(False)
    assert not window.controller.policy.enabled


def test_diagnostics_plot_the_flight(window, qtbot):
    dock = window.diagnostics
    dock.show()
    QTest.keyPress(window.viewport, Qt.Key.Key_W)
    qtbot.wait(700)
    QTest.keyRelease(window.viewport, Qt.Key.Key_W)
    qtbot.waitUntil(lambda: dock._curves["fps"].getData()[0] is not None, timeout=3000)
    _, fps = dock._curves["fps"].getData()
    assert len(fps) > 3 and (fps > 0).all()
    x, z = dock._path_curve.getData()
    assert z[-1] > z[0] + 0.1  # the minimap shows the camera moving forward (+z)


def test_without_a_display_the_app_says_what_to_do(monkeypatch, capsys):
    from app.main_window import run_app

    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    assert run_app([]) == 2
    err = capsys.readouterr().err
    assert "no display" in err and "xvfb-run" in err and "fly" in err


def test_software_gl_draws_coarse_meshes_under_full_resolution_colour(window):
    renderer = window.viewport.renderer
    if not window.viewport.software_gl:
        assert renderer.detail.max_grid_side is None
        return
    detail = window.viewport.config.software_detail
    assert renderer.detail == detail
    grid = renderer._current.grid
    assert max(grid) <= detail.max_grid_side
    photo = window.controller.scene.photo.rgb
    assert renderer._current.color_tex.size == (photo.shape[1], photo.shape[0])  # the photo's own pixels


def test_a_depth_fallback_is_reported_in_the_status_bar(qtbot, tmp_path, monkeypatch):
    note = "no depth weights at assets/depth.safetensors; using the heuristic depth"
    monkeypatch.setattr(main_window, "default_depth_estimator", lambda: (HeuristicDepthEstimator(), note))
    refiner_note = "no refiner weights configured; using classical fill"
    window = make_window(qtbot, tmp_path, loader=lambda: (FillRefiner(), refiner_note))
    # the refiner's note arrives from its worker after the image opened: both are shown
    qtbot.waitUntil(lambda: refiner_note in window.statusBar().currentMessage(), timeout=5000)
    assert note in window.statusBar().currentMessage()
    window.statusBar().clearMessage()
    monkeypatch.setattr(QMessageBox, "critical", lambda *args: None)
    assert window.open_image(None, tmp_path / "missing.png") is False  # a failed open says nothing about depth
    assert window.statusBar().currentMessage() == ""
    monkeypatch.setattr(main_window, "default_depth_estimator", lambda: (HeuristicDepthEstimator(), None))
    assert window.open_image(None)
    assert window.statusBar().currentMessage() == ""
    window.close()


def test_ground_detail_slider_adds_texture_where_the_photo_is_magnified(window, qtbot):
    window.sliders.refine_enabled.setChecked(False)  # keep the photo as the keyframe
    pose = np.eye(4)[:3]
    pose[2, 3] = -1.2  # flown close to the ground: the photo is magnified
    window.controller.driver.reset(pose)
    shown = {}
    for strength in (0.0, 3.0):
        window.sliders.detail.set_value(strength)
        qtbot.wait(50)
        shown[strength] = viewport_pixels(window).astype(np.float32)
    bottom = slice(shown[0.0].shape[0] * 2 // 3, None)  # the nearest ground
    assert np.abs(shown[3.0][bottom] - shown[0.0][bottom]).mean() > 2.0
