import numpy as np
import pytest
from PyQt6.QtCore import QSettings
from PyQt6.QtGui import QImage

from app.main_window import MainWindow
from infnat_core.refiner.inference import FillRefiner
from tests.headless_gl import release_egl


@pytest.fixture(autouse=True)
def no_headless_context_current():
    """Qt's GL contexts can be made current (``tests.headless_gl``), whatever engine tests ran before."""
    release_egl()


def fill_loader():
    return FillRefiner(), None


def make_window(qtbot, tmp_path, loader=fill_loader, size=(760, 540)):
    """A shown main window on the default image, with settings in tmp_path, after its first drawn frame."""
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings, loader)
    qtbot.addWidget(window)
    if size is not None:
        window.resize(*size)
    window.show()
    assert window.open_image(None)
    frames = []
    window.viewport.frame_drawn.connect(frames.append)
    qtbot.waitUntil(lambda: len(frames) >= 2, timeout=10000)
    return window


def viewport_pixels(window) -> np.ndarray:
    """What the viewport shows, ``(H, W, 3)`` uint8."""
    image = window.viewport.grabFramebuffer().convertToFormat(QImage.Format.Format_RGB888)
    w, h = image.width(), image.height()
    data = np.frombuffer(image.constBits().asstring(image.sizeInBytes()), np.uint8)
    return data.reshape(h, image.bytesPerLine())[:, : w * 3].reshape(h, w, 3)


@pytest.fixture
def window(qtbot, tmp_path):
    win = make_window(qtbot, tmp_path)
    yield win
    win.close()
