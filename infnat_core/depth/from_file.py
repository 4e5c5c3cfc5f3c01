"""A depth map the user already has: a greyscale 8/16-bit/float image (PNG, JPEG, TIFF, …) or a ``.npy`` array."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from infnat_core.depth.interface import DepthEstimate, check_rgb
from infnat_core.depth.normalise import DepthKind, to_disparity
from infnat_core.depth.resample import resize
from infnat_core.errors import InfnatError

ASPECT_TOLERANCE = 0.02
"""Largest relative aspect-ratio difference between map and image that is still resized to fit."""
GREY_TOLERANCE = 4.0 / 255.0
"""Mean per-pixel channel spread (fraction of the value range) above which an RGB map counts as colour-mapped."""
_SAVE_HINT = "save it as a greyscale PNG/TIFF or a .npy array"


def read_depth_values(path: Path) -> np.ndarray:
    """Raw values ``(H, W)`` float64 of a depth-map file (first frame/page; greyscale or grey-valued RGB).

    Raises ``InfnatError`` for a missing, empty, unreadable or colour-mapped file, or an array that is not 2-D.
    """
    if not path.exists():
        raise InfnatError(f"depth map '{path}' does not exist; check the path")
    if path.is_dir():
        raise InfnatError(f"depth map '{path}' is a folder; give a depth image or .npy file")
    if path.suffix.lower() == ".npy":
        return _read_npy(path)
    return _read_image(path)


def _read_npy(path: Path) -> np.ndarray:
    try:
        arr = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError) as exc:
        raise InfnatError(f"cannot read depth map '{path.name}': not a valid .npy array ({exc})") from None
    if not isinstance(arr, np.ndarray):  # an .npz archive renamed to .npy
        raise InfnatError(f"depth map '{path.name}' is an archive of several arrays; save the one map with np.save")
    if arr.dtype.kind not in "biuf":
        raise InfnatError(f"depth map '{path.name}' holds {arr.dtype} data; it must be a real-valued (H, W) array")
    squeezed = np.squeeze(arr)
    if squeezed.ndim != 2:
        raise InfnatError(f"depth map '{path.name}' has shape {arr.shape}; it must be a single (H, W) map")
    return squeezed.astype(np.float64)


def _read_image(path: Path) -> np.ndarray:
    try:
        with Image.open(path) as im:
            im.load()
            mode = im.mode
            if mode in ("I", "F") or mode.startswith("I;16"):
                values = np.asarray(im, dtype=np.float64)
            elif mode in ("L", "LA", "La", "1"):
                values = np.asarray(im.convert("L"), dtype=np.float64)
            else:
                values = _grey_from_rgb(np.asarray(im.convert("RGB"), dtype=np.float64), path)
    except InfnatError:
        raise
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise InfnatError(f"cannot read depth map '{path.name}' ({exc}); {_SAVE_HINT}") from None
    if values.ndim != 2:
        raise InfnatError(f"depth map '{path.name}' has shape {values.shape}; {_SAVE_HINT}")
    return values


def _grey_from_rgb(rgb: np.ndarray, path: Path) -> np.ndarray:
    spread = float(np.mean(rgb.max(axis=-1) - rgb.min(axis=-1)))
    value_range = max(float(rgb.max() - rgb.min()), 1e-12)
    if spread > GREY_TOLERANCE * value_range:
        raise InfnatError(f"depth map '{path.name}' is in colour (a colour-mapped picture?), so its values cannot "
                          f"be read back; {_SAVE_HINT}")
    return rgb.mean(axis=-1)


class DepthMapFile:
    """Depth read from a file; resized (bilinear) to each image it is asked about if the aspect ratio matches."""

    def __init__(self, path: str | Path, kind: DepthKind = "disparity", near_is_bright: bool = True) -> None:
        """Read and validate the file now, so a broken file fails when it is chosen, not mid-flight."""
        self.path = Path(path)
        self.name = f"depth map {self.path.name}"
        # (h, w) float32 in [0, 1] at the file's own resolution.
        self.disparity = to_disparity(read_depth_values(self.path), kind, near_is_bright,
                                      f"depth map '{self.path.name}'")

    def estimate(self, rgb: np.ndarray) -> DepthEstimate:
        """The file's disparity at the size of ``rgb (H, W, 3)``; no sky (all zeros)."""
        height, width = check_rgb(rgb).shape[:2]
        mh, mw = self.disparity.shape
        map_aspect, image_aspect = mw / mh, width / height
        if abs(map_aspect / image_aspect - 1.0) > ASPECT_TOLERANCE:
            raise InfnatError(f"depth map is {mw}×{mh} but the image is {width}×{height} (different aspect ratio, "
                              f"{map_aspect:.2f} vs {image_aspect:.2f}); use the depth map made for this photo")
        disparity = np.clip(resize(self.disparity, height, width), 0.0, 1.0)
        return DepthEstimate(disparity=disparity, sky=np.zeros_like(disparity))
