"""Deciding what a file dropped on the window is: a new photo, or a depth map for the open one."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from PIL import Image, UnidentifiedImageError

DEPTH_SUFFIXES = (".npy",)
"""Files that can only be depth maps."""
SINGLE_CHANNEL_MODES = ("L", "I", "I;16", "I;16B", "I;16L", "F")
"""Pillow modes of greyscale maps (8/16/32-bit, float)."""
ASPECT_TOLERANCE = 0.02
"""Relative aspect-ratio difference within which a greyscale map counts as made for the open photo."""


def classify_drop(path: Path, photo_aspect: float | None) -> Literal["image", "depth"]:
    """``"depth"`` for a ``.npy`` or a greyscale image with the open photo's aspect ratio (width / height);
    ``"image"`` for anything else, including unreadable files (the image loader then says what is wrong)."""
    if photo_aspect is None:
        return "image"
    if path.suffix.lower() in DEPTH_SUFFIXES:
        return "depth"
    try:
        with Image.open(path) as image:
            mode, (width, height) = image.mode, image.size
    except (OSError, UnidentifiedImageError, ValueError):
        return "image"
    same_aspect = abs(width / height - photo_aspect) <= ASPECT_TOLERANCE * photo_aspect
    return "depth" if mode in SINGLE_CHANNEL_MODES and same_aspect else "image"
