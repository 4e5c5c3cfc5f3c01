"""Keys and mouse → flight inputs. The only module where Qt key codes appear.

Held keys are data: ``HELD_KEYS`` maps a key to a held action, ``HeldKeys`` keeps the set of held actions, and
``HeldKeys.take_inputs`` turns that set plus the mouse movement since the last frame into the engine's
``FlightInputs``. One-shot commands (autopilot, record, reset…) are menu actions; their shortcuts live here too so
the keymap is in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from PyQt6.QtCore import Qt
from PyQt6.QtGui import QKeySequence

from infnat_core.flight.controls import FlightInputs


class Held(Enum):
    """Actions that last as long as their key is held."""

    FORWARD = "forward"
    BACK = "back"
    LEFT = "left"
    RIGHT = "right"
    UP = "up"
    DOWN = "down"
    BOOST = "boost"


HELD_KEYS: dict[Qt.Key, Held] = {
    Qt.Key.Key_W: Held.FORWARD,
    Qt.Key.Key_Up: Held.FORWARD,
    Qt.Key.Key_S: Held.BACK,
    Qt.Key.Key_Down: Held.BACK,
    Qt.Key.Key_A: Held.LEFT,
    Qt.Key.Key_Left: Held.LEFT,
    Qt.Key.Key_D: Held.RIGHT,
    Qt.Key.Key_Right: Held.RIGHT,
    Qt.Key.Key_Space: Held.UP,
    Qt.Key.Key_E: Held.UP,
    Qt.Key.Key_C: Held.DOWN,
    Qt.Key.Key_Q: Held.DOWN,
    Qt.Key.Key_Shift: Held.BOOST,
}
"""Key → held action. Several keys may share an action."""

RELEASE_MOUSE_KEY = Qt.Key.Key_Escape
"""Releases a captured mouse."""

COMMAND_SHORTCUTS: dict[str, str] = {
    "open_image": "Ctrl+O",
    "open_depth": "Ctrl+D",
    "export": "Ctrl+E",
    "save_path": "Ctrl+S",
    "quit": "Ctrl+Q",
    "full_screen": "F11",
    "autopilot": "P",
    "record": "R",
    "reset_camera": "Home",
    "controls_help": "F1",
}
"""Menu command → shortcut (window-wide), in ``QKeySequence`` portable text."""

MOUSE_CONTROLS: list[tuple[str, str]] = [
    ("Left-drag", "look around (with the autopilot on: steer it)"),
    ("Click (autopilot on)", "steer toward the clicked point"),
    ("Double-click", "capture the mouse for free look"),
    ("Esc", "release the captured mouse"),
    ("Wheel", "change flight speed"),
]
"""Mouse bindings, for the controls table (the viewport implements them)."""

_HELD_DESCRIPTIONS = {
    Held.FORWARD: "fly forward (autopilot: faster)",
    Held.BACK: "fly backward (autopilot: slower)",
    Held.LEFT: "strafe left (autopilot: steer left)",
    Held.RIGHT: "strafe right (autopilot: steer right)",
    Held.UP: "rise (autopilot: steer up)",
    Held.DOWN: "sink (autopilot: steer down)",
    Held.BOOST: "boost (hold)",
}
_COMMAND_DESCRIPTIONS = {
    "autopilot": "autopilot on/off",
    "record": "start/stop recording the flight path",
    "reset_camera": "back to the photo's viewpoint",
    "full_screen": "full screen",
    "open_image": "open an image",
    "open_depth": "open a depth map for the current image",
    "export": "export a flight video",
    "save_path": "save the recorded flight path",
    "controls_help": "show these controls",
    "quit": "quit",
}


@dataclass(frozen=True)
class InputConfig:
    """How raw input becomes flight input."""

    look_sensitivity: float = 0.004
    """Radians of yaw/pitch per pixel of mouse movement."""


def shortcut(command: str) -> QKeySequence:
    """The shortcut of a menu command."""
    return QKeySequence(COMMAND_SHORTCUTS[command])


def key_name(key: Qt.Key) -> str:
    """Human-readable name of a key, e.g. ``"Space"``."""
    return QKeySequence(key.value).toString(QKeySequence.SequenceFormat.PortableText)


def controls_table() -> list[tuple[str, str]]:
    """Rows ``(keys, what they do)`` for the help dialog and docs, built from the keymaps above."""
    rows = []
    for action in Held:
        keys = [key_name(k) for k, a in HELD_KEYS.items() if a is action]
        rows.append((" / ".join(keys), _HELD_DESCRIPTIONS[action]))
    rows += MOUSE_CONTROLS
    for command, description in _COMMAND_DESCRIPTIONS.items():
        rows.append((COMMAND_SHORTCUTS[command], description))
    return rows


def flight_key(key: int) -> Qt.Key | None:
    """The ``Qt.Key`` of a key event's code if it is a held flight key (in ``HELD_KEYS``), else None."""
    try:
        qt_key = Qt.Key(key)
    except ValueError:
        return None
    return qt_key if qt_key in HELD_KEYS else None


class HeldKeys:
    """Which held actions are down, plus the mouse-look movement accumulated since the last frame."""

    def __init__(self, config: InputConfig = InputConfig()):
        self.config = config
        self._keys: set[Qt.Key] = set()
        self._look_px = [0.0, 0.0]

    def press(self, key: int) -> bool:
        """Record a key press; True if the key is a flight key (the caller should consume the event)."""
        qt_key = flight_key(key)
        if qt_key is not None:
            self._keys.add(qt_key)
        return qt_key is not None

    def release(self, key: int) -> bool:
        """Record a key release; True if the key is a flight key."""
        qt_key = flight_key(key)
        self._keys.discard(qt_key)
        return qt_key is not None

    def clear(self) -> None:
        """Forget every held key (e.g. when the window loses focus, so no key stays stuck)."""
        self._keys.clear()
        self._look_px = [0.0, 0.0]

    def add_look(self, dx_px: float, dy_px: float) -> None:
        """Accumulate mouse-look movement in pixels (x right, y down)."""
        self._look_px[0] += dx_px
        self._look_px[1] += dy_px

    @property
    def held(self) -> frozenset[Held]:
        """The held actions."""
        return frozenset(HELD_KEYS[k] for k in self._keys)

    @property
    def active(self) -> bool:
        """Whether any movement key is held or mouse movement is pending."""
        return bool(self.held - {Held.BOOST}) or self._look_px != [0.0, 0.0]

    def take_inputs(self) -> FlightInputs:
        """The flight input of this frame; resets the accumulated mouse movement."""
        held = self.held

        def axis(plus: Held, minus: Held) -> float:
            return float(plus in held) - float(minus in held)

        s = self.config.look_sensitivity
        inputs = FlightInputs(
            forward=axis(Held.FORWARD, Held.BACK),
            right=axis(Held.RIGHT, Held.LEFT),
            up=axis(Held.UP, Held.DOWN),
            yaw=self._look_px[0] * s,
            pitch=-self._look_px[1] * s,
            boost=Held.BOOST in held,
        )
        self._look_px = [0.0, 0.0]
        return inputs
