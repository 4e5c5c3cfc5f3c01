"""The sliders dock: depth, refinement and flight settings, applied live while flying."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from PyQt6.QtCore import Qt, pyqtSignal
from PyQt6.QtWidgets import (
    QCheckBox,
    QDockWidget,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.refine_policy import RefinePolicyConfig
from infnat_core.depth import DepthConfig
from infnat_core.flight.controls import ControlsConfig
from infnat_core.scene import SceneConfig
from infnat_core.session import SessionConfig

SLIDER_STEPS = 1000
"""Resolution of every slider between its minimum and maximum."""


@dataclass(frozen=True)
class SliderValues:
    """Everything the dock controls. Defaults are the engine's."""

    depth: DepthConfig = field(default_factory=DepthConfig)
    """Relief scale, near clamp, sky threshold, edge threshold."""
    refine_enabled: bool = RefinePolicyConfig.enabled
    """Refine in the background at all."""
    trigger_threshold: float = RefinePolicyConfig.hole_fraction
    """Hole fraction of the view above which a refinement is requested."""
    style_seed: int = 0
    """Style of the refiner (0 = the photo's own; others vary the look). Network refiner only."""
    blend: float = 0.0
    """How much the network may repaint valid rendered pixels (0 = holes only). Network refiner only."""
    photo_layer: bool = True
    """Keep drawing the photo under refined keyframes (sharp wherever it saw; a second mesh to draw per frame)."""
    persistent_world: bool = True
    """Keep what each refinement painted (keyframe cache and sky dome) and draw it again when the view comes back
    (up to six more meshes per frame)."""
    detail_strength: float = SessionConfig.detail_strength
    """Strength of the photo's fine detail drawn over magnified ground (0 = none)."""
    speed: float = ControlsConfig.speed
    """Flight speed in world units per second."""
    fov_deg: float = SceneConfig.fov_deg
    """Horizontal field of view assumed for the photo, in degrees (the view keeps covering the photo)."""

    def to_dict(self) -> dict[str, float]:
        """Flat dict for QSettings."""
        flat = {k: v for k, v in dataclasses.asdict(self).items() if k != "depth"}
        flat.update({f"depth.{k}": v for k, v in dataclasses.asdict(self.depth).items()})
        return flat

    @classmethod
    def from_dict(cls, flat: dict[str, object]) -> SliderValues:
        """Values from ``to_dict`` output; missing or invalid entries fall back to the defaults."""
        default = cls()
        depth_kwargs = {}
        for f in dataclasses.fields(DepthConfig):
            depth_kwargs[f.name] = _as_type(flat.get(f"depth.{f.name}"), getattr(default.depth, f.name))
        try:
            depth = DepthConfig(**depth_kwargs)
        except Exception:  # out-of-range values saved by another version
            depth = default.depth
        kwargs = {f.name: _as_type(flat.get(f.name), getattr(default, f.name))
                  for f in dataclasses.fields(cls) if f.name != "depth"}
        return cls(depth=depth, **kwargs)


def _as_type(value: object, default: object) -> object:
    if value is None:
        return default
    try:
        if isinstance(default, bool):
            return value in (True, "true", "True", "1", 1)
        return type(default)(value)
    except (TypeError, ValueError):
        return default


class _SliderRow(QWidget):
    """A horizontal slider and a spin box showing the same float value."""

    value_changed = pyqtSignal(float)

    def __init__(self, minimum: float, maximum: float, decimals: int, tooltip: str):
        super().__init__()
        self._min, self._max = minimum, maximum
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, SLIDER_STEPS)
        self.spin = QDoubleSpinBox()
        self.spin.setRange(minimum, maximum)
        self.spin.setDecimals(decimals)
        self.spin.setSingleStep(10 ** -decimals if decimals else 1)
        self.spin.setKeyboardTracking(False)
        for w in (self.slider, self.spin):
            w.setToolTip(tooltip)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.spin)
        self.slider.valueChanged.connect(self._from_slider)
        self.spin.valueChanged.connect(self._from_spin)

    def value(self) -> float:
        return self.spin.value()

    def set_value(self, value: float) -> None:
        self.spin.setValue(value)

    def _from_slider(self, position: int) -> None:
        value = self._min + (self._max - self._min) * position / SLIDER_STEPS
        if abs(value - self.spin.value()) >= 0.5 * 10 ** -self.spin.decimals():
            self.spin.setValue(value)

    def _from_spin(self, value: float) -> None:
        self.slider.blockSignals(True)
        self.slider.setValue(round((value - self._min) / (self._max - self._min) * SLIDER_STEPS))
        self.slider.blockSignals(False)
        self.value_changed.emit(value)


class SlidersDock(QDockWidget):
    """Depth / Refinement / Flight controls; ``changed`` carries all values after any edit."""

    changed = pyqtSignal(object)
    """The new ``SliderValues``."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Settings", parent)
        self.setObjectName("sliders_dock")
        body = QWidget()
        layout = QVBoxLayout(body)

        depth = QFormLayout()
        self.relief = self._row(depth, "Relief scale", 0.0, 3.0, 2, "Exaggerate (> 1) or flatten (< 1) the relief")
        self.near_clamp = self._row(depth, "Near clamp", 0.01, 1.0, 2,
                                    "Largest disparity: how close the nearest point may come (1 = closest)")
        self.sky_threshold = self._row(depth, "Sky threshold", 0.0, 1.0, 2,
                                       "Sky probability above which a pixel is at infinity (1 = no sky)")
        self.edge_threshold = self._row(depth, "Edge threshold", 0.0, 1.0, 2,
                                        "Torn-edge mask: higher tears the mesh at more depth edges")

        refine = QFormLayout()
        self.refine_enabled = QCheckBox("Refine in the background")
        self.refine_enabled.toggled.connect(self._emit)
        refine.addRow(self.refine_enabled)
        self.trigger = self._row(refine, "Trigger (hole fraction)", 0.0, 0.5, 3,
                                 "Refine when more than this fraction of the view is empty")
        self.style_seed = QSpinBox()
        self.style_seed.setRange(0, 9999)
        self.style_seed.setKeyboardTracking(False)
        self.style_seed.setToolTip("Look of the painted regions (0 = the photo's own style); needs refiner weights")
        self.style_seed.valueChanged.connect(self._emit)
        refine.addRow("Style seed", self.style_seed)
        self.blend = self._row(refine, "Blend", 0.0, 1.0, 2,
                               "How much the network may repaint what the photo shows (0 = only the holes); "
                               "needs refiner weights")
        self.photo_layer = QCheckBox("Photo layer under refined views")
        self.photo_layer.setToolTip("Draw the photo under refined keyframes: sharp wherever the photo saw, "
                                    "and there again when you turn back")
        self.photo_layer.toggled.connect(self._emit)
        refine.addRow(self.photo_layer)
        self.persistent_world = QCheckBox("Keep painted regions (persistent world)")
        self.persistent_world.setToolTip("Keep what the refiner painted and show it again when you fly back; "
                                         "sky stays at infinity while the photo layer is on. Up to six more "
                                         "meshes per frame (off at first without a GPU)")
        self.persistent_world.toggled.connect(self._emit)
        refine.addRow(self.persistent_world)
        self.detail = self._row(refine, "Ground detail", 0.0, 3.0, 2,
                                "Fine texture from the photo laid onto ground that flying close magnifies "
                                "(0 = none: magnified ground smears)")

        flight = QFormLayout()
        self.speed = self._row(flight, "Speed", 0.05, 5.0, 2, "World units per second (mouse wheel changes it)")
        self.fov = self._row(flight, "Field of view (°)", 30.0, 110.0, 1,
                             "Horizontal field of view assumed for the photo")

        for title, form in (("Depth", depth), ("Refinement", refine), ("Flight", flight)):
            box = QGroupBox(title)
            box.setLayout(form)
            layout.addWidget(box)
        layout.addStretch(1)
        self.setWidget(body)
        self._updating = False
        self.set_values(SliderValues())

    def _row(self, form: QFormLayout, label: str, minimum: float, maximum: float, decimals: int,
             tooltip: str) -> _SliderRow:
        row = _SliderRow(minimum, maximum, decimals, tooltip)
        row.value_changed.connect(self._emit)
        form.addRow(label, row)
        return row

    def values(self) -> SliderValues:
        """The values shown."""
        return SliderValues(
            depth=DepthConfig(self.relief.value(), self.near_clamp.value(), self.sky_threshold.value(),
                              self.edge_threshold.value()),
            refine_enabled=self.refine_enabled.isChecked(),
            trigger_threshold=self.trigger.value(),
            style_seed=self.style_seed.value(),
            blend=self.blend.value(),
            photo_layer=self.photo_layer.isChecked(),
            persistent_world=self.persistent_world.isChecked(),
            detail_strength=self.detail.value(),
            speed=self.speed.value(),
            fov_deg=self.fov.value(),
        )

    def set_values(self, values: SliderValues) -> None:
        """Show ``values`` and emit ``changed`` once."""
        self._updating = True
        self.relief.set_value(values.depth.relief_scale)
        self.near_clamp.set_value(values.depth.near_clamp)
        self.sky_threshold.set_value(values.depth.sky_threshold)
        self.edge_threshold.set_value(values.depth.edge_threshold)
        self.refine_enabled.setChecked(values.refine_enabled)
        self.trigger.set_value(values.trigger_threshold)
        self.style_seed.setValue(values.style_seed)
        self.blend.set_value(values.blend)
        self.photo_layer.setChecked(values.photo_layer)
        self.persistent_world.setChecked(values.persistent_world)
        self.detail.set_value(values.detail_strength)
        self.speed.set_value(values.speed)
        self.fov.set_value(values.fov_deg)
        self._updating = False
        self._emit()

    def scale_speed(self, factor: float) -> None:
        """Multiply the flight speed (clamped to the slider's range)."""
        self.speed.set_value(self.speed.value() * factor)

    def set_network_controls_enabled(self, enabled: bool) -> None:
        """Style seed and blend only apply to the network refiner."""
        self.style_seed.setEnabled(enabled)
        self.blend.setEnabled(enabled)

    def _emit(self, *_: object) -> None:
        if not self._updating:
            self.changed.emit(self.values())
