"""Flying the window: keys move the camera, the refiner's results become keyframes, failures are survivable."""

import numpy as np
from PyQt6.QtCore import QPoint, QPointF, Qt
from PyQt6.QtGui import QMouseEvent, QWheelEvent
from PyQt6.QtTest import QTest
from PyQt6.QtWidgets import QApplication

from infnat_core.camera import camera_axes, camera_position
from infnat_core.refiner.inference import FillRefiner
from tests.app.conftest import make_window, viewport_pixels


def test_held_w_moves_the_camera_forward_from_the_next_frame(window, qtbot):
    start = window.controller.pose.copy()
    _, _, forward = camera_axes(start)
    with qtbot.waitSignal(window.controller.frame_stepped, timeout=5000) as first:
        QTest.keyPress(window.viewport, Qt.Key.Key_W)
    assert not np.allclose(first.args[1], start)  # the very next frame already moved
    qtbot.wait(600)
    QTest.keyRelease(window.viewport, Qt.Key.Key_W)
    moved = camera_position(window.controller.pose) - camera_position(start)
    assert moved @ forward > 0.1  # forward…
    assert np.linalg.norm(moved - (moved @ forward) * forward) < 1e-6 * max(1.0, np.linalg.norm(moved))  # …only


def test_held_d_strafes_right_and_space_rises(window, qtbot):
    start = camera_position(window.controller.pose)
    QTest.keyPress(window.viewport, Qt.Key.Key_D)
    QTest.keyPress(window.viewport, Qt.Key.Key_Space)
    qtbot.wait(500)
    QTest.keyRelease(window.viewport, Qt.Key.Key_D)
    QTest.keyRelease(window.viewport, Qt.Key.Key_Space)
    moved = camera_position(window.controller.pose) - start
    assert moved[0] > 0.05  # right is world +x
    assert moved[1] < -0.05  # up is world −y


def test_refine_result_becomes_the_keyframe(window, qtbot):
    QTest.keyPress(window.viewport, Qt.Key.Key_W)
    with qtbot.waitSignal(window.controller.keyframe_refined, timeout=15000) as refined:
        pass
    QTest.keyRelease(window.viewport, Qt.Key.Key_W)
    latency, pose, rgb = refined.args
    keyframe = window.controller.keyframe
    assert np.array_equal(keyframe.pose, pose) and keyframe.rgb is rgb
    assert camera_position(pose)[2] > 0  # made ahead of the photo's camera
    qtbot.waitUntil(lambda: window.viewport.renderer.keyframe is keyframe, timeout=5000)
    assert latency > 0
    assert viewport_pixels(window).std() > 20


class ExplodingRefiner(FillRefiner):
    name = "exploding"

    def refine(self, rgb, disparity, mask):
        raise RuntimeError("boom in the refiner")


def test_worker_exception_is_reported_and_the_window_lives_on(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path, loader=lambda: (ExplodingRefiner(), None))
    QTest.keyPress(window.viewport, Qt.Key.Key_W)
    with qtbot.waitSignal(window.controller.refine_failed, timeout=15000) as failed:
        pass
    assert "boom in the refiner" in failed.args[0]
    qtbot.waitUntil(lambda: "boom in the refiner" in window.statusBar().currentMessage(), timeout=2000)
    before = window.controller.pose.copy()
    qtbot.wait(300)
    QTest.keyRelease(window.viewport, Qt.Key.Key_W)
    assert window.isVisible()
    assert not np.allclose(window.controller.pose, before)  # still flying
    assert viewport_pixels(window).std() > 20
    window.close()


def test_autopilot_flies_forward_and_keys_steer_it(window, qtbot):
    window.controller.set_autopilot(True)
    start = window.controller.pose.copy()
    qtbot.wait(800)
    _, _, forward = camera_axes(start)
    assert (camera_position(window.controller.pose) - camera_position(start)) @ forward > 0.1
    yaw_before = camera_axes(window.controller.pose)[2]
    QTest.keyPress(window.viewport, Qt.Key.Key_D)
    qtbot.wait(800)
    QTest.keyRelease(window.viewport, Qt.Key.Key_D)
    yaw_after = camera_axes(window.controller.pose)[2]
    assert yaw_after[0] > yaw_before[0]  # steered to the right
    window.controller.set_autopilot(False)
    assert not window.controller.driver.autopilot


def test_viewport_stops_drawing_when_settled_and_resumes_on_a_key(window, qtbot):
    frames = []
    window.viewport.frame_drawn.connect(frames.append)

    def quiet_for_half_a_second():
        count = len(frames)
        qtbot.wait(500)
        return len(frames) == count

    qtbot.waitUntil(quiet_for_half_a_second, timeout=10000)
    start = window.controller.pose.copy()
    with qtbot.waitSignal(window.viewport.frame_drawn, timeout=3000):
        QTest.keyPress(window.viewport, Qt.Key.Key_W)
    qtbot.wait(300)
    QTest.keyRelease(window.viewport, Qt.Key.Key_W)
    assert not np.allclose(window.controller.pose, start)


def send_mouse(widget, kind, pos, buttons):
    button = Qt.MouseButton.LeftButton if kind != QMouseEvent.Type.MouseMove else Qt.MouseButton.NoButton
    event = QMouseEvent(kind, QPointF(*pos), widget.mapToGlobal(QPointF(*pos)), button, buttons,
                        Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, event)


def test_dragging_right_turns_right_and_the_wheel_speeds_up(window, qtbot):
    viewport = window.viewport
    before = camera_axes(window.controller.pose)[2]
    left = Qt.MouseButton.LeftButton
    send_mouse(viewport, QMouseEvent.Type.MouseButtonPress, (100, 100), left)
    for x in range(110, 260, 30):
        send_mouse(viewport, QMouseEvent.Type.MouseMove, (x, 100), left)
    send_mouse(viewport, QMouseEvent.Type.MouseButtonRelease, (250, 100), Qt.MouseButton.NoButton)
    qtbot.waitUntil(lambda: camera_axes(window.controller.pose)[2][0] > before[0] + 0.1, timeout=3000)

    speed = window.sliders.values().speed
    wheel = QWheelEvent(QPointF(100, 100), viewport.mapToGlobal(QPointF(100, 100)), QPoint(0, 0), QPoint(0, 240),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(viewport, wheel)
    assert window.sliders.values().speed > speed * 1.2
    assert window.controller.driver.config.controls.speed == window.sliders.values().speed
