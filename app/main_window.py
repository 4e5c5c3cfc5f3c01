"""The main window: viewport, docks, menus, status bar, settings, drag & drop; and ``run_app``."""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path

from PyQt6.QtCore import QSettings, Qt, QTimer
from PyQt6.QtGui import QAction, QDragEnterEvent, QDropEvent
from PyQt6.QtWidgets import (
    QApplication,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QWidget,
)

from app.controller import Controller
from app.diagnostics_dock import DiagnosticsDock
from app.drop import classify_drop
from app.export_dialog import ExportDialog
from app.help_dialog import ControlsDialog
from app.input_map import shortcut
from app.refine_worker import RefinerLoader, RefineWorker, RefineWorkerConfig
from app.sliders_dock import SliderValues, SlidersDock
from app.viewport import Viewport, ViewportConfig
from infnat_core.depth.factory import default_depth_estimator
from infnat_core.errors import InfnatError
from infnat_core.flight.path import save_path
from infnat_core.refiner.inference import load_refiner, shipped_weights

IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.webp *.tif *.tiff *.bmp);;All files (*)"
DEPTH_FILTER = "Depth or disparity maps (*.png *.npy *.tif *.tiff);;All files (*)"


@dataclass(frozen=True)
class WindowConfig:
    """Window-level settings."""

    max_recent: int = 8
    """Entries in File ▸ Recent files."""
    status_interval_ms: int = 500
    """How often the status bar's fps is refreshed."""
    default_size: tuple[int, int] = (1280, 800)
    """Window size on first start."""


def default_loader(weights: str | Path | None) -> RefinerLoader:
    """Loads the refiner from ``weights`` (the bundled file when None and present) on CUDA if available, else CPU."""
    path = weights if weights is not None else shipped_weights()
    return lambda: load_refiner(path, device="auto")


class MainWindow(QMainWindow):
    """The infnat window."""

    def __init__(self, settings: QSettings, loader: RefinerLoader | None = None,
                 worker_config: RefineWorkerConfig = RefineWorkerConfig(), config: WindowConfig = WindowConfig(),
                 viewport_config: ViewportConfig = ViewportConfig(), parent: QWidget | None = None):
        super().__init__(parent)
        self.settings = settings
        self.config = config
        self.setWindowTitle("infnat")
        self.setAcceptDrops(True)
        self._depth_note: str | None = None  # why the default depth fell back, for the current scene

        self.viewport = Viewport(viewport_config)
        self.setCentralWidget(self.viewport)
        self.worker = RefineWorker(loader or default_loader(None), worker_config, self)
        self.controller = Controller(self.viewport, self.worker, parent=self)
        QApplication.instance().installEventFilter(self.controller)

        self.sliders = SlidersDock(self)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.sliders)
        self.diagnostics = DiagnosticsDock(parent=self)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.diagnostics)
        self.diagnostics.hide()

        self._image_label = QLabel()
        self._fps_label = QLabel()
        self._refine_label = QLabel("refiner: loading…")
        for label in (self._image_label, self._fps_label, self._refine_label):
            self.statusBar().addPermanentWidget(label)
        self._fps_sum = 0.0
        self._fps_frames = 0
        self._status_timer = QTimer(self)
        self._status_timer.timeout.connect(self._update_fps)
        self._status_timer.start(config.status_interval_ms)

        self._build_menus()
        self._connect()
        self._restore_settings()

    # -- construction --------------------------------------------------------------------------------------
    def _action(self, menu, text: str, slot, command: str | None = None, checkable: bool = False) -> QAction:
        action = QAction(text, self)
        if command is not None:
            action.setShortcut(shortcut(command))
        action.setCheckable(checkable)
        (action.toggled if checkable else action.triggered).connect(slot)
        menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file = bar.addMenu("&File")
        self._action(file, "&Open image…", self.open_image_dialog, "open_image")
        self._action(file, "Open &depth map…", self.open_depth_dialog, "open_depth")
        self._recent_menu = file.addMenu("&Recent files")
        file.addSeparator()
        self._action(file, "&Export flight…", self.export_dialog, "export")
        self._save_path_action = self._action(file, "&Save recorded flight path…", self.save_path_dialog, "save_path")
        self._save_path_action.setEnabled(False)
        file.addSeparator()
        self._action(file, "&Quit", self.close, "quit")

        view = bar.addMenu("&View")
        view.addAction(self.sliders.toggleViewAction())
        view.addAction(self.diagnostics.toggleViewAction())
        self._action(view, "&Full screen", self._set_full_screen, "full_screen", checkable=True)

        flight = bar.addMenu("F&light")
        self._autopilot_action = self._action(flight, "&Autopilot", self.controller.set_autopilot, "autopilot",
                                              checkable=True)
        self._record_action = self._action(flight, "&Record flight path", self.controller.set_recording, "record",
                                           checkable=True)
        self._action(flight, "Reset &camera", self.controller.reset_camera, "reset_camera")
        flight.addSeparator()
        self._action(flight, "Restart &refiner", self.controller.restart_refiner)

        help_menu = bar.addMenu("&Help")
        self._action(help_menu, "&Controls", lambda: ControlsDialog(self).exec(), "controls_help")

    def _connect(self) -> None:
        c = self.controller
        c.scene_changed.connect(self._on_scene)
        c.frame_stepped.connect(self._on_frame)
        c.keyframe_refined.connect(self._on_refined)
        c.refine_state_changed.connect(lambda state: self._refine_label.setText(f"refiner: {state}"))
        c.refine_failed.connect(self._on_refine_failed)
        c.refiner_loaded.connect(self._on_refiner_loaded)
        c.autopilot_changed.connect(self._autopilot_action.setChecked)
        c.recording_changed.connect(self._on_recording)
        c.path_recorded.connect(self._on_path_recorded)
        c.speed_scale_requested.connect(self.sliders.scale_speed)
        self.sliders.changed.connect(c.apply_values)
        self.viewport.gl_failed.connect(lambda message: self.show_error("OpenGL unavailable", message))
        self.viewport.gl_ready.connect(self._on_gl_ready)
        self.viewport.frame_drawn.connect(self._count_frame)

    # -- files ---------------------------------------------------------------------------------------------
    def open_image(self, image: str | Path | None, depth: str | Path | None = None) -> bool:
        """Open a photo (None = the bundled one), optionally with a depth map; errors → dialog, old image kept."""
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            opened = self._attempt("Cannot open image", image,
                                   lambda: self.controller.open_image(image, depth, self.sliders.values()))
        finally:
            QApplication.restoreOverrideCursor()
        if opened and image is not None:
            self._remember(Path(image))
        if opened:
            self._depth_note = default_depth_estimator()[1] if depth is None else None
            if self._depth_note:
                self.statusBar().showMessage(self._depth_note, 10000)
        return opened

    def open_depth(self, depth: str | Path) -> bool:
        """Use a depth map for the current photo; errors → dialog, old depth kept."""
        opened = self._attempt("Cannot use depth map", depth,
                               lambda: self.controller.open_depth(depth, self.sliders.values()))
        if opened:
            self.statusBar().showMessage(f"Depth from {Path(depth).name}", 5000)
        return opened

    def _attempt(self, title: str, file: str | Path | None, load) -> bool:
        """Run ``load``; any failure becomes an error dialog (never a crash). True on success."""
        try:
            load()
        except InfnatError as exc:
            self.show_error(title, str(exc))
            return False
        except Exception as exc:  # a file the engine did not anticipate
            self.show_error(title, f"{Path(str(file)).name}: {type(exc).__name__}: {exc}")
            return False
        return True

    def open_image_dialog(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Open image", self._last_folder(), IMAGE_FILTER)
        if name:
            self.open_image(name)

    def open_depth_dialog(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Open depth map", self._last_folder(), DEPTH_FILTER)
        if name:
            self.open_depth(name)

    def save_path_dialog(self) -> None:
        path = self.controller.recorded_path
        if path is None:
            return
        name, _ = QFileDialog.getSaveFileName(self, "Save flight path", str(Path(self._last_folder()) / "flight.json"),
                                              "Flight paths (*.json)")
        if name:
            try:
                save_path(path, name)
            except OSError as exc:
                self.show_error("Cannot save flight path", f"{name}: {exc.strerror or exc}")
                return
            self.statusBar().showMessage(f"Saved {Path(name).name}", 5000)

    def export_dialog(self) -> None:
        if self.controller.scene is None:
            return
        self.controller.set_recording(False)
        dialog = ExportDialog(self.controller.scene, self.controller.recorded_path, self.sliders.values(),
                              self.worker.loader, self._last_folder(), self)
        if dialog.exec() and dialog.result:
            self.statusBar().showMessage(f"Exported {dialog.result}", 8000)

    def _remember(self, path: Path) -> None:
        self.settings.setValue("last_folder", str(path.resolve().parent))
        recent = [p for p in self._recent() if p != str(path.resolve())]
        recent.insert(0, str(path.resolve()))
        self.settings.setValue("recent_files", recent[: self.config.max_recent])
        self._rebuild_recent_menu()

    def _recent(self) -> list[str]:
        value = self.settings.value("recent_files", [])
        return [value] if isinstance(value, str) else list(value or [])

    def _rebuild_recent_menu(self) -> None:
        self._recent_menu.clear()
        for name in self._recent():
            self._recent_menu.addAction(Path(name).name, lambda n=name: self.open_image(n)).setToolTip(name)
        self._recent_menu.setEnabled(bool(self._recent()))

    def _last_folder(self) -> str:
        return str(self.settings.value("last_folder", str(Path.home())))

    # -- drag & drop ---------------------------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        files = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        if not files:
            return
        event.acceptProposedAction()
        scene = self.controller.scene
        aspect = scene.aspect if scene is not None else None
        if classify_drop(files[0], aspect) == "depth":
            self.open_depth(files[0])
        else:
            self.open_image(files[0])

    # -- reactions -----------------------------------------------------------------------------------------
    def _on_scene(self, scene) -> None:
        self._image_label.setText(scene.photo.name)
        self.setWindowTitle(f"{scene.photo.name} — infnat")
        self.diagnostics.reset_path()
        self.diagnostics.set_keyframe_image(scene.photo.rgb)

    def _on_frame(self, dt: float, pose, hole_fraction: float) -> None:
        self.diagnostics.add_frame(dt, pose, hole_fraction)

    def _count_frame(self, dt: float) -> None:
        self._fps_sum += dt
        self._fps_frames += 1

    def _update_fps(self) -> None:
        self._fps_label.setText(f"{self._fps_frames / self._fps_sum:.0f} fps" if self._fps_frames else "idle")
        self._fps_sum = 0.0
        self._fps_frames = 0

    def _on_refined(self, latency: float, pose, rgb) -> None:
        self.diagnostics.add_refine(latency, pose)
        self.diagnostics.set_keyframe_image(rgb)

    def _on_refine_failed(self, message: str) -> None:
        self.statusBar().showMessage(f"Refiner failed: {message} — Flight ▸ Restart refiner to try again")

    def _on_refiner_loaded(self, name: str, note: str, network: bool) -> None:
        self.sliders.set_network_controls_enabled(network)
        self._refine_label.setToolTip(name)
        notes = [n for n in (note, self._depth_note) if n]  # both fallbacks, if both happened
        if notes:
            self.statusBar().showMessage(" · ".join(notes), 10000)

    def _on_recording(self, on: bool) -> None:
        self._record_action.setChecked(on)
        self.statusBar().showMessage("Recording…" if on else "Recording stopped", 0 if on else 3000)

    def _on_path_recorded(self, path) -> None:
        self._save_path_action.setEnabled(True)
        self.statusBar().showMessage(
            f"Recorded {len(path)} frames ({path.times[-1]:.1f} s): File ▸ Export flight… to render it", 8000)

    def _on_gl_ready(self) -> None:
        saved = self.settings.value("sliders")
        if not self.viewport.software_gl:
            return
        saved = saved if isinstance(saved, dict) else {}
        # First start without a GPU: smooth flight first.
        turned_off = []
        if "persistent_world" not in saved:
            self.sliders.persistent_world.setChecked(False)
            turned_off.append("painted regions are not kept")
        if "detail_strength" not in saved:
            self.sliders.detail.set_value(0.0)
            turned_off.append("ground detail is off")
        if turned_off:
            self.statusBar().showMessage(f"OpenGL runs on the CPU here: {' and '.join(turned_off)}, for speed "
                                         "(Settings ▸ Refinement)", 10000)

    def _set_full_screen(self, on: bool) -> None:
        self.showFullScreen() if on else self.showNormal()

    def show_error(self, title: str, message: str) -> None:
        """A modal error dialog with a one-line message."""
        QMessageBox.critical(self, title, message)

    # -- settings ------------------------------------------------------------------------------------------
    def _restore_settings(self) -> None:
        geometry = self.settings.value("geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(*self.config.default_size)
        state = self.settings.value("window_state")
        if state is not None:
            self.restoreState(state)
        values = self.settings.value("sliders")
        if isinstance(values, dict):
            self.sliders.set_values(SliderValues.from_dict(values))
        self.controller.apply_values(self.sliders.values())
        self._rebuild_recent_menu()

    def closeEvent(self, event) -> None:
        self.settings.setValue("geometry", self.saveGeometry())
        self.settings.setValue("window_state", self.saveState())
        self.settings.setValue("sliders", self.sliders.values().to_dict())
        self.settings.sync()
        QApplication.instance().removeEventFilter(self.controller)
        self.worker.shutdown()
        super().closeEvent(event)


def _parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="infnat", description="Fly into a photo. (infnat fly … renders headless.)")
    parser.add_argument("image", nargs="?", help="photo to open (default: the bundled landscape)")
    parser.add_argument("--depth", help="depth or disparity map for the photo, or 'heuristic' (default: the bundled "
                                        "depth network)")
    parser.add_argument("--refiner", help="refiner weights (.safetensors; default assets/refiner.safetensors if shipped)")
    return parser.parse_args(argv)


def _report_unhandled(kind, value, tb) -> None:
    """Keep the app alive on a bug in a Qt slot: print the traceback and tell the user in the status bar."""
    traceback.print_exception(kind, value, tb)
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, MainWindow):
            widget.statusBar().showMessage(f"Internal error: {kind.__name__}: {value}", 10000)


def _has_display() -> bool:
    """Whether Qt can open a window: an X or Wayland display, or a platform chosen explicitly."""
    return any(os.environ.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))


def run_app(argv: list[str]) -> int:
    """Open the window (``argv``: ``[IMAGE] [--depth FILE] [--refiner FILE]``); returns the exit code."""
    args = _parse_args(argv)
    if sys.platform.startswith("linux") and not _has_display():
        print("infnat: error: no display to open the window on; run it under Xvfb (xvfb-run -a python main.py) "
              "or render headless with 'python main.py fly --out flight.mp4'", file=sys.stderr)
        return 2
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName("infnat")
    app.setApplicationName("infnat")
    sys.excepthook = _report_unhandled
    window = MainWindow(QSettings(), default_loader(args.refiner))
    window.show()
    if not window.open_image(args.image, args.depth) and args.image is not None:
        window.open_image(None)
    return app.exec()
