"""Record a flight with R, export it through the dialog, and read the video back."""

import imageio_ffmpeg
from PyQt6.QtCore import Qt
from PyQt6.QtTest import QTest
from PyQt6.QtWidgets import QPushButton

from app.export_dialog import RESOLUTIONS, ExportDialog
from app.export_worker import export_frame_count


def record_flight(window, qtbot, seconds=0.6):
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    QTest.keyClick(window.viewport, Qt.Key.Key_R)
    assert window.controller.recorder.recording
    QTest.keyPress(window.viewport, Qt.Key.Key_W)
    qtbot.wait(int(seconds * 1000))
    QTest.keyRelease(window.viewport, Qt.Key.Key_W)
    with qtbot.waitSignal(window.controller.path_recorded, timeout=3000) as recorded:
        QTest.keyClick(window.viewport, Qt.Key.Key_R)
    return recorded.args[0]


def export_dialog(window, tmp_path, name):
    dialog = ExportDialog(window.controller.scene, window.controller.recorded_path, window.sliders.values(),
                          window.worker.loader, str(tmp_path), window)
    dialog.resolution.setCurrentIndex(RESOLUTIONS.index((256, 160)))
    dialog.fps.setValue(10)
    dialog.out.setText(str(tmp_path / name))
    dialog.show()
    return dialog


def test_record_then_export_writes_every_frame(window, qtbot, tmp_path):
    path = record_flight(window, qtbot)
    assert len(path) >= 2 and path.times[-1] > 0.3
    dialog = export_dialog(window, tmp_path, "flight.mp4")
    assert dialog.use_recorded.isChecked()
    with qtbot.waitSignal(dialog.finished, timeout=30000):
        dialog.start_export()
    out = tmp_path / "flight.mp4"
    assert dialog.result == str(out) and out.is_file()
    frames, _ = imageio_ffmpeg.count_frames_and_secs(str(out))
    assert frames == export_frame_count(path, 10.0) == round(path.times[-1] * 10) + 1
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary files left


def test_cancelled_export_leaves_no_file(window, qtbot, tmp_path):
    dialog = export_dialog(window, tmp_path, "cancelled.mp4")
    dialog.use_autopilot.setChecked(True)
    dialog.frames.setValue(5000)
    dialog.start_export()
    qtbot.waitUntil(lambda: dialog._progress.value() >= 2, timeout=20000)
    with qtbot.waitSignal(dialog.runner.cancelled, timeout=20000):
        dialog._progress.findChild(QPushButton).click()
    assert not any(tmp_path.glob("*cancelled*")) and not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    assert dialog.isVisible() and dialog.export_button.isEnabled()


def test_export_png_folder_from_autopilot(window, qtbot, tmp_path):
    dialog = export_dialog(window, tmp_path, "frames/")
    dialog.use_autopilot.setChecked(True)
    dialog.frames.setValue(4)
    with qtbot.waitSignal(dialog.finished, timeout=30000):
        dialog.start_export()
    assert sorted(p.name for p in (tmp_path / "frames").iterdir()) == [f"frame_0000{i}.png" for i in range(4)]
