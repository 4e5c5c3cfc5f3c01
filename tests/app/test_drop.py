import numpy as np
from PIL import Image

from app.drop import classify_drop


def save(path, array, mode=None):
    Image.fromarray(array, mode=mode).save(path)
    return path


def test_greyscale_map_of_the_photos_shape_is_depth(tmp_path):
    grey = save(tmp_path / "d.png", np.zeros((100, 150), np.uint8))
    grey16 = save(tmp_path / "d16.png", np.zeros((100, 150), np.uint16))
    assert classify_drop(grey, 1.5) == "depth"
    assert classify_drop(grey16, 1.5) == "depth"
    assert classify_drop(tmp_path / "any.npy", 1.5) == "depth"


def test_colour_other_shapes_unreadable_or_no_photo_is_an_image(tmp_path):
    colour = save(tmp_path / "c.png", np.zeros((100, 150, 3), np.uint8))
    grey = save(tmp_path / "d.png", np.zeros((100, 100), np.uint8))
    junk = tmp_path / "junk.png"
    junk.write_bytes(b"nope")
    assert classify_drop(colour, 1.5) == "image"
    assert classify_drop(grey, 1.5) == "image"
    assert classify_drop(junk, 1.5) == "image"
    assert classify_drop(grey, None) == "image"
