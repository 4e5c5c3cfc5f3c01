"""Fine detail taken from the photo and laid onto the world, so that flying close keeps showing texture.

Flying forward magnifies what the photo and the refined keyframes show: every resample blurs it further and the
ground smears into streaks. The renderer therefore draws a *detail texture* over the meshes: a tileable patch with
the photo's fine-scale luminance statistics (random-phase noise with the photo's spectrum above a cut-off), mapped
onto world positions (projected along the world axis nearest the surface's normal) at the photo's own scale, in
octaves cross-faded by each pixel's footprint. It is world-anchored, so it moves with the ground and never
compounds: refined keyframes are kept without it and it is added to every finished frame.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

from infnat_core.sky import is_sky

ANALYSIS_SIDE = 1024
"""Longest side of the photo copy the texture is cut from: one texel is one pixel of it."""
TEXTURE_SIDE = 256
"""Side of the square, tileable detail texture (texels)."""
CUTOFF_PERIOD = 16.0
"""Structures longer than this many texels are left out: the photo and the refiner show the coarse scales."""
LOG_EPS = 0.02
"""Luminance offset of the log contrast, so that near-black shadows do not dominate."""
MIN_SIDE = 16
"""A photo with a shorter side (after analysis resizing) gets no detail."""
MIN_GROUND_PIXELS = 64
"""A patch with fewer ground pixels gets no detail (nothing to measure the grain on)."""
BORDER = 8
"""Texels along the patch's border left out when its fine contrast is measured."""
MAX_CONTRAST = 0.25
"""Largest contrast (log-luminance standard deviation) of the texture: the grain of a harsh patch (pebbles, noise in
deep shadow) is laid on every surface, smooth water and snow included."""


@dataclass(frozen=True)
class DetailTexture:
    """A tileable detail texture and its placement in the world."""

    texture: np.ndarray  # (S, S) float32 zero-mean log-luminance contrast (log gain = strength · value)
    texels_per_unit: float  # texels per world unit: one texel = one analysis pixel at the photo ground's depth

    @property
    def contrast(self) -> float:
        """Standard deviation of the texture's log contrast (0 = a flat photo: nothing to add)."""
        return float(self.texture.std())


def photo_detail(rgb: np.ndarray, disparity: np.ndarray, intrinsics: np.ndarray, seed: int = 0) -> DetailTexture:
    """The detail texture of a photo ``rgb (H, W, 3)`` (uint8 or float in [0, 1]) with its ``disparity (h, w)``
    (any resolution; sky at the floor) and texture-unit ``intrinsics (4,)``. Deterministic for a ``seed``.

    The patch is cut from the bottom centre of the photo (the nearest ground; its sky pixels left out), its
    amplitude spectrum kept above ``CUTOFF_PERIOD`` and its phases drawn at random, which gives a seamlessly tiling
    texture with the photo's fine-scale contrast and grain (grass, foliage, rock) but none of its objects. A photo
    too small, or with too little ground in the patch, gets a flat texture (no detail)."""
    image = _analysis_image(rgb)
    h, w = image.shape[:2]
    if min(h, w) < MIN_SIDE:
        return DetailTexture(np.zeros((MIN_SIDE, MIN_SIDE), np.float32), texels_per_unit=1.0)
    side = min(TEXTURE_SIDE, 1 << int(np.log2(min(h, w))))
    top, left = h - side, (w - side) // 2
    crop = np.log(_luminance(image[top:top + side, left:left + side]) + LOG_EPS)
    crop_disparity = np.asarray(Image.fromarray(disparity.astype(np.float32)).resize((w, h), Image.Resampling.BILINEAR))
    crop_disparity = crop_disparity[top:top + side, left:left + side]
    ground = ~is_sky(crop_disparity)
    if ground.sum() < MIN_GROUND_PIXELS:
        return DetailTexture(np.zeros((side, side), np.float32), texels_per_unit=1.0)
    depth = float(np.median(1.0 / crop_disparity[ground]))
    crop = np.where(ground, crop, crop[ground].mean())
    weight = _high_pass(side)
    texture = _random_phase(crop - crop.mean(), weight, np.random.default_rng(seed))
    # Flat sky filled into the patch lowers its spectrum: give the texture the fine contrast of the ground itself
    # (away from the patch's border, where the periodic filter wraps around).
    fine = np.real(np.fft.ifft2(np.fft.fft2(crop) * weight))
    inner = np.zeros_like(ground)
    inner[BORDER:-BORDER, BORDER:-BORDER] = True
    target = fine[ground & inner].std() if (ground & inner).sum() >= MIN_GROUND_PIXELS else fine[ground].std()
    texture *= min(target, MAX_CONTRAST) / max(float(texture.std()), 1e-12)
    return DetailTexture(texture.astype(np.float32), texels_per_unit=float(intrinsics[0]) * w / depth)


def apply_gain(rgb: np.ndarray, gain: np.ndarray) -> np.ndarray:
    """``rgb (h, w, 3)`` in [0, 1] with the detail texture's log ``gain (h, w)`` applied to its odds,
    rgb / (1 − rgb), as the mesh shader does: like a plain gain for dark and mid tones, but highlights never clip."""
    g = np.exp(gain)[..., None]
    return (rgb * g / (1.0 + rgb * (g - 1.0))).astype(np.float32)


def _analysis_image(rgb: np.ndarray) -> np.ndarray:
    """``rgb`` as float32 ``(h, w, 3)`` in [0, 1] with its longest side at most ``ANALYSIS_SIDE``."""
    image = Image.fromarray(rgb if rgb.dtype == np.uint8 else (np.clip(rgb, 0, 1) * 255 + 0.5).astype(np.uint8))
    scale = ANALYSIS_SIDE / max(image.size)
    if scale < 1.0:
        image = image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))),
                             Image.Resampling.LANCZOS)
    return np.asarray(image, dtype=np.float32) / 255.0


def _luminance(rgb: np.ndarray) -> np.ndarray:
    return rgb @ np.array([0.2126, 0.7152, 0.0722], dtype=np.float32)


def _frequencies(side: int) -> np.ndarray:
    """``(side, side)`` spatial frequency (cycles per texel) of each entry of a ``side``×``side`` FFT."""
    return np.hypot(*np.meshgrid(np.fft.fftfreq(side), np.fft.fftfreq(side), indexing="ij"))


def _high_pass(side: int) -> np.ndarray:
    """``(side, side)`` spectral weight that leaves out structures longer than ``CUTOFF_PERIOD`` texels."""
    return 1.0 - np.exp(-(_frequencies(side) * CUTOFF_PERIOD) ** 2)


def _random_phase(patch: np.ndarray, weight: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Random-phase noise ``(S, S)`` with the radially averaged amplitude spectrum of ``patch (S, S)``, weighted by
    ``weight (S, S)``. Periodic, so it tiles without seams.

    Isotropic: the photo sees its ground foreshortened, so its own spectrum is stretched across; laid onto the
    ground and foreshortened again, that texture would draw streaks."""
    side = patch.shape[0]
    window = np.outer(np.hanning(side), np.hanning(side))
    power = np.abs(np.fft.fft2(patch * window)) ** 2
    ring = np.minimum(np.rint(_frequencies(side) * side).astype(np.int64), side // 2)
    radial = np.bincount(ring.ravel(), power.ravel()) / np.maximum(np.bincount(ring.ravel()), 1)
    spectrum = np.sqrt(radial[ring]) * weight
    phase = np.angle(np.fft.fft2(rng.standard_normal((side, side))))  # Hermitian: the inverse is real
    return np.real(np.fft.ifft2(spectrum * np.exp(1j * phase)))
