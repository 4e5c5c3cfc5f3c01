"""File ▸ Export flight…: format, resolution, fps and source; renders in the background with progress and Cancel."""

from __future__ import annotations

from pathlib import Path

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QWidget,
)

from app.export_worker import MAX_SIZE, ExportJob, ExportRunner, export_frame_count, job_frame_count
from app.refine_worker import RefinerLoader
from app.sliders_dock import SliderValues
from infnat_core.export import MAX_GIF_FPS
from infnat_core.flight.path import FlightPath
from infnat_core.scene import Scene

FORMATS = {"MP4 video": ".mp4", "GIF animation": ".gif", "PNG frames (folder)": ""}
"""Format name → output suffix ("" = a folder)."""
RESOLUTIONS = [(1920, 1080), (1280, 720), (854, 480), (640, 360), (512, 320), (256, 160)]
"""Offered (width, height) presets."""


class ExportDialog(QDialog):
    """Choose what to export; ``Export`` runs an ``ExportRunner`` under a progress dialog."""

    def __init__(self, scene: Scene, recorded: FlightPath | None, values: SliderValues, loader: RefinerLoader,
                 folder: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Export flight")
        self.scene = scene
        self.recorded = recorded
        self.values = values
        self.loader = loader
        self.runner: ExportRunner | None = None
        self.result: str | None = None
        self._progress: QProgressDialog | None = None

        form = QFormLayout(self)
        self.format = QComboBox()
        self.format.addItems(FORMATS)
        self.format.currentTextChanged.connect(self._on_format)
        form.addRow("Format", self.format)

        self.out = QLineEdit(str(Path(folder) / f"{Path(scene.photo.name).stem}_flight.mp4"))
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.out, 1)
        row.addWidget(browse)
        form.addRow("Output", row)

        self.resolution = QComboBox()
        for w, h in RESOLUTIONS:
            self.resolution.addItem(f"{w} × {h}", (w, h))
        self.resolution.setCurrentIndex(1)
        form.addRow("Resolution", self.resolution)

        self.fps = QSpinBox()
        self.fps.setRange(1, 60)
        self.fps.setValue(30)
        self.fps.valueChanged.connect(self._update_source_text)
        form.addRow("Frames per second", self.fps)

        self.use_recorded = QRadioButton()
        self.use_autopilot = QRadioButton("Autopilot for")
        group = QButtonGroup(self)
        group.addButton(self.use_recorded)
        group.addButton(self.use_autopilot)
        self.frames = QSpinBox()
        self.frames.setRange(1, 100000)
        self.frames.setValue(300)
        self.frames.setSuffix(" frames")
        self.seed = QSpinBox()
        self.seed.setRange(0, 1_000_000)
        self.seed.setPrefix("seed ")
        auto_row = QHBoxLayout()
        auto_row.addWidget(self.use_autopilot)
        auto_row.addWidget(self.frames)
        auto_row.addWidget(self.seed)
        form.addRow("Source", self.use_recorded)
        form.addRow("", auto_row)
        self.use_recorded.setEnabled(recorded is not None)
        (self.use_recorded if recorded is not None else self.use_autopilot).setChecked(True)
        self._update_source_text()

        buttons = QDialogButtonBox()
        self.export_button = buttons.addButton("Export", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Close)
        buttons.accepted.connect(self.start_export)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    # -- choices -------------------------------------------------------------------------------------------
    def _on_format(self, name: str) -> None:
        suffix = FORMATS[name]
        base = Path(self.out.text().rstrip("/"))
        if base.suffix.lower() in FORMATS.values():
            base = base.with_suffix("")
        self.out.setText(str(base) + (suffix or "/"))
        self.fps.setMaximum(int(MAX_GIF_FPS) if suffix == ".gif" else 60)

    def _browse(self) -> None:
        suffix = FORMATS[self.format.currentText()]
        if suffix:
            name, _ = QFileDialog.getSaveFileName(self, "Export to", self.out.text(), f"*{suffix}")
        else:
            name = QFileDialog.getExistingDirectory(self, "Export PNG frames into", str(Path(self.out.text()).parent))
            name = name and name + "/"
        if name:
            self.out.setText(name)

    def _update_source_text(self) -> None:
        if self.recorded is None:
            self.use_recorded.setText("Recorded flight path (record one with R)")
        else:
            n = export_frame_count(self.recorded, self.fps.value())
            self.use_recorded.setText(f"Recorded flight path ({self.recorded.times[-1]:.1f} s → {n} frames)")

    def job(self) -> ExportJob:
        """The export the dialog describes."""
        w, h = self.resolution.currentData()
        return ExportJob(
            scene=self.scene, out=Path(self.out.text()), size=(min(w, MAX_SIZE[0]), min(h, MAX_SIZE[1])),
            fps=float(self.fps.value()), path=self.recorded if self.use_recorded.isChecked() else None,
            autopilot_frames=self.frames.value(), seed=self.seed.value(), speed=self.values.speed,
            style_seed=self.values.style_seed,
            blend=self.values.blend, edge_threshold=self.values.depth.edge_threshold,
            detail_strength=self.values.detail_strength,
        )

    # -- running -------------------------------------------------------------------------------------------
    def start_export(self) -> None:
        """Start the export in the background under a progress dialog (the window stays responsive)."""
        if self.runner is not None:
            return
        job = self.job()
        self.runner = ExportRunner(job, self.loader)
        total = job_frame_count(job)
        self._progress = QProgressDialog(f"Rendering {total} frames to {job.out.name or job.out}…", "Cancel", 0,
                                         total, self)
        self._progress.setWindowTitle("Exporting")
        self._progress.setWindowModality(Qt.WindowModality.WindowModal)
        self._progress.setMinimumDuration(0)
        runner = self.runner
        self._progress.canceled.connect(lambda: runner.cancel())  # a lambda runs here, not in the busy thread
        self.runner.progress.connect(self._on_progress)
        self.runner.done.connect(self._on_done)
        self.runner.failed.connect(self._on_failed)
        self.runner.cancelled.connect(self._on_cancelled)
        self.export_button.setEnabled(False)
        self.runner.start()

    def _on_progress(self, done: int, total: int) -> None:
        if self._progress is not None:
            self._progress.setValue(done)

    def _finish(self) -> None:
        self.runner.wait()
        self.runner = None
        if self._progress is not None:
            self._progress.reset()
            self._progress = None
        self.export_button.setEnabled(True)

    def _on_done(self, out: str) -> None:
        self._finish()
        self.result = out
        self.accept()

    def _on_failed(self, message: str) -> None:
        self._finish()
        QMessageBox.critical(self, "Export failed", message)

    def _on_cancelled(self) -> None:
        self._finish()

    def reject(self) -> None:
        """Close; while exporting, cancel the export instead (the dialog stays until it has stopped)."""
        if self.runner is not None:
            self.runner.cancel()
            return
        super().reject()

    def done(self, result: int) -> None:
        if self.runner is not None:  # closed by the window: stop the export before the dialog goes away
            self.runner.cancel()
            self.runner.wait()
            self.runner = None
        super().done(result)
