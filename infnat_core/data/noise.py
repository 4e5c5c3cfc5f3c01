"""Seeded value noise and fractal Brownian motion (fBm) at arbitrary 2-D points (pure numpy).

The lattice values come from an integer hash of (cell, seed, octave), so the same seed gives the same field at the
same points on every machine and in every process, and any sub-region can be evaluated without the rest.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

_OCTAVE_ROTATION = math.radians(37.0)
"""Each octave's lattice is turned by this much more than the previous one, so no grid direction stands out."""


@dataclass(frozen=True)
class FbmConfig:
    """Shape of a fractal noise field."""

    wavelength: float = 16.0
    """Lattice spacing of the coarsest octave, in the units of the input coordinates."""
    octaves: int = 6
    """Number of octaves summed (each halves the wavelength for lacunarity 2)."""
    gain: float = 0.5
    """Amplitude ratio between successive octaves (0.5 = classic 1/f; higher is rougher)."""
    lacunarity: float = 2.0
    """Frequency ratio between successive octaves."""


def _hash01(ix: np.ndarray, iz: np.ndarray, salt: int) -> np.ndarray:
    """Deterministic pseudo-random float32 in [0, 1) for integer lattice points ``ix, iz`` (same shape)."""
    h = ix.astype(np.uint32) * np.uint32(0x8DA6B343) ^ iz.astype(np.uint32) * np.uint32(0xD8163841)
    h ^= np.uint32(salt & 0xFFFFFFFF)
    h ^= h >> np.uint32(15)
    h *= np.uint32(0x2C1B3C6D)
    h ^= h >> np.uint32(12)
    h *= np.uint32(0x297A2D39)
    h ^= h >> np.uint32(15)
    return (h >> np.uint32(8)).astype(np.float32) * np.float32(1.0 / (1 << 24))


def value_noise(x: np.ndarray, z: np.ndarray, salt: int) -> np.ndarray:
    """Smooth value noise in [0, 1] at points ``x, z`` (same shape, lattice spacing 1), quintic interpolation."""
    x0 = np.floor(x)
    z0 = np.floor(z)
    fx = (x - x0).astype(np.float32)
    fz = (z - z0).astype(np.float32)
    ix = x0.astype(np.int64)
    iz = z0.astype(np.int64)
    wx = fx * fx * fx * (fx * (fx * 6.0 - 15.0) + 10.0)
    wz = fz * fz * fz * (fz * (fz * 6.0 - 15.0) + 10.0)
    a = _hash01(ix, iz, salt)
    b = _hash01(ix + 1, iz, salt)
    c = _hash01(ix, iz + 1, salt)
    d = _hash01(ix + 1, iz + 1, salt)
    top = a + (b - a) * wx
    bottom = c + (d - c) * wx
    return top + (bottom - top) * wz


def fbm(x: np.ndarray, z: np.ndarray, seed: int, config: FbmConfig = FbmConfig()) -> np.ndarray:
    """Fractal noise ``(...)`` float32 at points ``x, z`` (same shape), zero-mean, amplitude-normalised to ≈[−1, 1].

    Deterministic in ``seed``; octaves are rotated and offset against each other.
    """
    x = np.asarray(x, dtype=np.float64)
    z = np.asarray(z, dtype=np.float64)
    total = np.zeros(np.broadcast(x, z).shape, dtype=np.float32)
    amplitude, frequency, norm = 1.0, 1.0 / config.wavelength, 0.0
    for octave in range(config.octaves):
        angle = _OCTAVE_ROTATION * octave
        c, s = math.cos(angle), math.sin(angle)
        offset = 1000.0 * (octave + 1)
        px = (c * x - s * z) * frequency + offset
        pz = (s * x + c * z) * frequency - offset
        total += np.float32(amplitude) * (2.0 * value_noise(px, pz, seed * 131 + octave) - 1.0)
        norm += amplitude
        amplitude *= config.gain
        frequency *= config.lacunarity
    return total / np.float32(norm)
