from pathlib import Path

from PyQt6.QtCore import Qt

from app.input_map import COMMAND_SHORTCUTS, HELD_KEYS, HeldKeys, InputConfig, controls_table, key_name


def test_held_keys_become_flight_inputs_until_released():
    keys = HeldKeys()
    assert keys.press(Qt.Key.Key_W.value) and keys.press(Qt.Key.Key_A.value) and keys.press(Qt.Key.Key_Shift.value)
    inputs = keys.take_inputs()
    assert (inputs.forward, inputs.right, inputs.up, inputs.boost) == (1.0, -1.0, 0.0, True)
    assert keys.release(Qt.Key.Key_W.value)
    assert keys.take_inputs().forward == 0.0 and keys.active


def test_opposite_keys_cancel_and_aliases_share_an_action():
    keys = HeldKeys()
    keys.press(Qt.Key.Key_Space.value)
    keys.press(Qt.Key.Key_C.value)
    assert keys.take_inputs().up == 0.0
    keys.clear()
    keys.press(Qt.Key.Key_E.value)
    assert keys.take_inputs().up == 1.0
    assert not keys.press(Qt.Key.Key_Z.value) and not keys.press(0x7FFFFFFF)  # not flight keys


def test_mouse_look_is_consumed_once_per_frame():
    keys = HeldKeys(InputConfig(look_sensitivity=0.01))
    keys.add_look(10, -5)
    keys.add_look(10, 0)
    inputs = keys.take_inputs()
    assert inputs.yaw == 0.2 and inputs.pitch == 0.05  # right turns right, up looks up
    assert keys.take_inputs().yaw == 0.0 and not keys.active


def test_controls_table_lists_every_binding_and_shortcuts_do_not_clash_with_flight_keys():
    rows = dict(controls_table())
    assert rows["W / Up"].startswith("fly forward")
    listed = {name for keys in rows for name in keys.split(" / ")}
    assert {key_name(key) for key in HELD_KEYS} <= listed
    for command in ("autopilot", "record", "reset_camera"):
        assert COMMAND_SHORTCUTS[command] in rows
    assert not set(COMMAND_SHORTCUTS.values()) & {key_name(key) for key in HELD_KEYS}


def test_docs_list_the_current_controls():
    doc = (Path(__file__).resolve().parents[2] / "docs" / "app.md").read_text(encoding="utf-8")
    for keys, action in controls_table():
        assert f"| {keys} | {action} |" in doc
