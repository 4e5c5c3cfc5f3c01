from app.sliders_dock import SliderValues, SlidersDock
from infnat_core.depth import DepthConfig


def test_values_round_trip_through_settings_and_bad_entries_fall_back():
    values = SliderValues(depth=DepthConfig(1.5, 0.8, 0.4, 0.2), refine_enabled=False, trigger_threshold=0.1,
                          style_seed=7, blend=0.3, speed=2.0, fov_deg=70.0)
    assert SliderValues.from_dict(values.to_dict()) == values
    as_strings = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in values.to_dict().items()}
    assert SliderValues.from_dict(as_strings) == values  # QSettings ini files give strings back
    broken = SliderValues.from_dict({"depth.relief_scale": "99", "speed": "fast"})
    assert broken.depth == DepthConfig() and broken.speed == SliderValues().speed


def test_editing_a_slider_emits_all_values(qtbot):
    dock = SlidersDock()
    qtbot.addWidget(dock)
    with qtbot.waitSignal(dock.changed) as changed:
        dock.relief.slider.setValue(1000)  # slider at its maximum
    assert changed.args[0].depth.relief_scale == 3.0
    dock.scale_speed(2.0)
    assert dock.values().speed == 2 * SliderValues().speed
