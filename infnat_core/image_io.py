"""Reading photos (every awkward kind) into plain RGB arrays, and writing PNGs atomically.

Whatever the file holds, ``load_image`` returns ``(H, W, 3)`` uint8 RGB at native resolution:

* EXIF orientation is applied (a portrait phone photo comes out portrait).
* Transparency (RGBA, LA, PA, palette or colour-key transparency) is composited over ``ALPHA_BACKGROUND``, a
  neutral mid-grey that reads as neither sky nor shadow to the depth estimator.
* 16-bit greyscale is scaled to 8 bits by rounding ``v / 257`` (65535 → 255, never clipped); 16-bit RGB(A) is
  reduced by Pillow to its high byte. 32-bit integer greyscale is treated as 8-bit data when it fits in [0, 255],
  as 16-bit when it fits in [0, 65535], and min–max normalised otherwise. Float greyscale in [0, 1] is scaled by 255;
  any other float range is min–max normalised (NaN becomes black).
* CMYK (including Adobe's inverted CMYK JPEGs, which Pillow un-inverts) uses Pillow's profile-free conversion
  ``(255 - C)(255 - K) / 255``; embedded ICC profiles are not applied.
* Multi-frame files (animated GIF/WebP, multi-page TIFF) give their first frame.
"""

from __future__ import annotations

import errno
import os
import secrets
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
from PIL import Image, ImageOps

from infnat_core.errors import InfnatError

READABLE_FORMATS = ("JPEG", "PNG", "WEBP", "TIFF", "BMP", "GIF", "PPM")
"""Pillow formats ``load_image`` accepts (JPEG includes the multi-picture JPEGs many cameras write)."""

ALPHA_BACKGROUND = (128, 128, 128)
"""RGB that transparent pixels are composited over."""

_FORMAT_HINT = "use a PNG, JPEG, WebP, TIFF or BMP file"
_STRIP_BYTES = 1 << 20  # copy decoded pixels out of Pillow ~1 MB at a time (fast, and no second full-size buffer)
_PILLOW_LIMIT_LOCK = threading.Lock()  # Image.MAX_IMAGE_PIXELS is process-global


@dataclass(frozen=True)
class LoadedImage:
    """A photo ready for display and depth estimation."""

    rgb: np.ndarray
    """``(H, W, 3)`` uint8 at native resolution, EXIF orientation applied, alpha composited."""
    path: Path | None
    """Where it was read from; None for an image that did not come from a file."""
    name: str
    """File name for display."""


def load_image(path: str | os.PathLike, *, max_pixels: int = 200_000_000) -> LoadedImage:
    """Read an image file at native resolution.

    Raises ``InfnatError`` (one line naming the file) for a missing path, a folder, an empty, unreadable, truncated,
    corrupt or non-image file, an unsupported colour mode, and an image of more than ``max_pixels`` pixels
    (a decompression bomb, or just more than memory allows).
    """
    path = Path(path)
    try:
        if not path.exists():
            raise InfnatError(f"Cannot open '{path}': no such file; check the path")
        if path.is_dir():
            raise InfnatError(f"'{path}' is a folder, not an image; {_FORMAT_HINT}")
        with path.open("rb") as f:
            if os.fstat(f.fileno()).st_size == 0:
                raise InfnatError(f"'{path}' is empty (0 bytes); {_FORMAT_HINT}")
            rgb = _decode(f, path, max_pixels)
    except PermissionError:
        raise InfnatError(f"Cannot read '{path}': permission denied; check the file's permissions") from None
    except MemoryError:
        raise InfnatError(f"Not enough memory to load '{path}'; downscale it or close other programs") from None
    rgb.flags.writeable = False
    return LoadedImage(rgb=rgb, path=path, name=path.name)


def working_image(rgb_u8: np.ndarray, max_side: int) -> np.ndarray:
    """Antialiased downscale of ``(H, W, 3)`` uint8 so the longer side is at most ``max_side``, aspect kept.

    Returns ``(h, w, 3)`` float32 in [0, 1]; an image already small enough is only converted, never upscaled.
    """
    if max_side < 1:
        raise ValueError(f"max_side must be at least 1, got {max_side}")
    h, w = rgb_u8.shape[:2]
    scale = max_side / max(h, w)
    if scale < 1.0:
        size = (max(1, round(w * scale)), max(1, round(h * scale)))
        # reducing_gap: a fast box reduce first, then Lanczos over >= 3x the output size (indistinguishable result)
        small = Image.fromarray(rgb_u8).resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
        rgb_u8 = np.asarray(small)
    out = rgb_u8.astype(np.float32)
    out *= 1.0 / 255.0
    return out


def as_uint8(rgb: np.ndarray) -> np.ndarray:
    """``(H, W, 3)`` uint8 from uint8 (returned as is) or float in [0, 1] (clipped, rounded)."""
    if rgb.dtype == np.uint8:
        return rgb
    return (np.clip(rgb, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


def save_png(path: str | os.PathLike, rgb: np.ndarray) -> None:
    """Write ``(H, W, 3)`` uint8 or float [0, 1] as a PNG, atomically: a reader never sees a partial file.

    The image goes to a temporary file beside ``path`` that is renamed over it when complete; on any failure the
    temporary file is removed and ``path`` is left as it was. Problems raise ``InfnatError``.
    """
    path = Path(path)
    if rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ValueError(f"expected an (H, W, 3) image, got shape {rgb.shape}")
    image = Image.fromarray(as_uint8(rgb))
    check_output_folder(path)
    tmp = temp_sibling(path)
    try:
        with tmp.open("xb") as f:
            image.save(f, format="PNG")
        os.replace(tmp, path)
    except OSError as exc:
        raise write_error(exc, path) from None
    finally:
        tmp.unlink(missing_ok=True)


def check_output_folder(path: Path) -> None:
    """Raise ``InfnatError`` unless the folder that ``path`` would be written into exists."""
    parent = path.parent
    if not parent.is_dir():
        raise InfnatError(f"Cannot write '{path}': folder '{parent}' does not exist; create it or choose another")


def temp_sibling(path: Path) -> Path:
    """An unused hidden name beside ``path`` for building it before an atomic rename onto it.

    (Not ``tempfile.mkstemp``: its owner-only permissions would carry over to the finished output.)
    """
    return path.parent / f".{path.name}.{secrets.token_hex(6)}.partial"


def write_error(exc: OSError, path: Path) -> InfnatError:
    """The user-facing error for an ``OSError`` raised while writing ``path``."""
    if exc.errno == errno.ENOSPC:
        return InfnatError(f"Disk full while writing '{path}'; free some space or write to another drive")
    if isinstance(exc, PermissionError) or exc.errno == errno.EROFS:
        return InfnatError(f"Cannot write '{path}': {exc.strerror.lower()}; choose a folder you can write to")
    return InfnatError(f"Cannot write '{path}': {exc.strerror or exc}")


def _decode(f: BinaryIO, path: Path, max_pixels: int) -> np.ndarray:
    """``(H, W, 3)`` uint8 of the image file open in ``f``."""
    try:
        with _pillow_pixel_limit(max_pixels):
            im = Image.open(f, formats=READABLE_FORMATS)
            im.load()
        return _rgb_pixels(im, path)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        limit = f"more than {max_pixels:,} pixels, the safety limit"
        raise InfnatError(f"'{path}' has {limit}; downscale it first") from None
    except Image.UnidentifiedImageError:
        raise InfnatError(f"'{path}' is not an image this program can read; {_FORMAT_HINT}") from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InfnatError(f"'{path}' is truncated or corrupt ({reason}); re-export or re-download it") from None


@contextmanager
def _pillow_pixel_limit(max_pixels: int) -> Iterator[None]:
    """Make Pillow refuse (by raising) any image of more than ``max_pixels`` pixels inside the block."""
    with _PILLOW_LIMIT_LOCK, warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)  # Pillow only warns up to twice its limit
        saved = Image.MAX_IMAGE_PIXELS
        Image.MAX_IMAGE_PIXELS = max_pixels
        try:
            yield
        finally:
            Image.MAX_IMAGE_PIXELS = saved


def _rgb_pixels(im: Image.Image, path: Path) -> np.ndarray:
    """``(H, W, 3)`` uint8 of a loaded image: orientation applied, then converted as the module docstring says."""
    ImageOps.exif_transpose(im, in_place=True)  # in place: no full-size copy when there is nothing to rotate
    if im.mode in ("I;16", "I;16L", "I;16B", "I;16N", "I", "F"):
        grey = _grey_to_uint8(_pixels(im))
        return np.repeat(grey[:, :, None], 3, axis=2)
    if im.has_transparency_data:
        rgba = im.convert("RGBA")
        im = Image.new("RGB", rgba.size, ALPHA_BACKGROUND)
        im.paste(rgba, (0, 0), rgba)
    elif im.mode != "RGB":
        try:
            im = im.convert("RGB")
        except ValueError:
            raise InfnatError(f"'{path}' uses colour mode {im.mode}, which cannot be read; save it as RGB") from None
    return _pixels(im)


def _pixels(im: Image.Image) -> np.ndarray:
    """The pixels of ``im`` as a new array, copied in horizontal strips.

    ``np.asarray(im)`` packs the whole image into one bytes object first; for a 50 MP photo that costs an extra
    full-size buffer and several times the time of this strip copy.
    """
    w, h = im.size
    first = np.asarray(im.crop((0, 0, w, 1)))
    rows = max(1, _STRIP_BYTES // max(1, first.nbytes))
    out = np.empty((h, *first.shape[1:]), dtype=first.dtype)
    for y in range(0, h, rows):
        out[y : y + rows] = np.asarray(im.crop((0, y, w, min(h, y + rows))))
    return out


def _grey_to_uint8(grey: np.ndarray) -> np.ndarray:
    """``(H, W)`` uint8 from 16/32-bit integer or float greyscale ``(H, W)`` (rules in the module docstring)."""
    if grey.dtype.kind == "f":
        grey = np.nan_to_num(grey.astype(np.float64), nan=0.0, posinf=0.0, neginf=0.0)
        lo, hi = float(grey.min()), float(grey.max())
        if lo >= 0.0 and hi <= 1.0:
            return (grey * 255.0 + 0.5).astype(np.uint8)
        return _min_max(grey, lo, hi)
    lo, hi = int(grey.min()), int(grey.max())
    if grey.dtype.itemsize == 2 or (lo >= 0 and 255 < hi <= 65535):
        return ((grey.astype(np.uint32) + 128) // 257).astype(np.uint8)
    if lo >= 0 and hi <= 255:
        return grey.astype(np.uint8)
    return _min_max(grey.astype(np.float64), lo, hi)


def _min_max(grey: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """``(H, W)`` uint8 mapping [lo, hi] to [0, 255] (a constant image becomes black)."""
    return ((grey - lo) * (255.0 / max(hi - lo, 1e-12)) + 0.5).astype(np.uint8)
