"""A bounded cache of refined keyframes, so regions seen before are drawn again as they were instead of re-invented.

Each cached keyframe keeps only what it *painted* (its ``coverage``): content it copied from older layers is
already drawn by those layers, and drawing the copy again would only add a resampled, blurrier duplicate. Which
keyframes are drawn for a view is decided by a visibility test: sample points of each keyframe's painted content
are projected into the view, and the keyframes with the most of them on screen are drawn (at most ``max_drawn``).
Eviction drops the keyframe drawn least recently (the oldest among equals) when the count or memory bound is hit.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from PIL import Image

from infnat_core import camera
from infnat_core.errors import InfnatError
from infnat_core.image_io import as_uint8
from infnat_core.mesh import downsample_grid, grid_coverage
from infnat_core.render import Keyframe

_SAMPLES_PER_SIDE = 24
"""Painted content is represented for the visibility test by at most this many sample points per grid side."""


@dataclass(frozen=True)
class KeyframeCacheConfig:
    """Bounds of the keyframe cache and how many keyframes a view draws."""

    max_keyframes: int = 64
    """Most keyframes kept; 0 turns the cache off (only the latest keyframe and the photo are drawn)."""
    max_megabytes: float = 256.0
    """Most CPU memory the cached keyframes may hold (colour + disparity + coverage); the GPU holds at most
    ``max_drawn`` of them at a time."""
    max_drawn: int = 6
    """Most cached keyframes drawn per view (each is one mesh pass: on llvmpipe the main cost of a frame)."""
    min_painted_fraction: float = 0.002
    """A refined keyframe that painted less than this fraction of its view is not cached (nothing new in it)."""
    texture_max_side: int = 768
    """Longest side of a cached keyframe's colour: painted content comes from a low-resolution refiner, so a
    larger texture only costs memory."""
    mesh_max_side: int = 192
    """Longest side of a cached keyframe's mesh (vertices per side): vertex count is what a layer costs on
    llvmpipe, and painted content has little fine geometry."""

    def __post_init__(self) -> None:
        if (self.max_keyframes < 0 or self.max_drawn < 0 or self.max_megabytes <= 0
                or min(self.texture_max_side, self.mesh_max_side) < 16):
            raise InfnatError(
                "keyframe cache bounds must be non-negative (max_keyframes, max_drawn), positive (max_megabytes) "
                f"and texture_max_side, mesh_max_side ≥ 16; got {self}"
            )


@dataclass(frozen=True)
class _Entry:
    key: int
    keyframe: Keyframe
    points: np.ndarray  # (N, 3) world points sampled from the painted content
    nbytes: int


class KeyframeCache:
    """Refined keyframes with their painted coverage, bounded in count and memory (see the module docstring)."""

    def __init__(self, config: KeyframeCacheConfig = KeyframeCacheConfig()):
        self.config = config
        self._entries: list[_Entry] = []  # oldest first
        self._last_drawn: dict[int, int] = {}
        self._next_key = 0
        self._tick = 0

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def nbytes(self) -> int:
        """CPU memory held by the cached keyframes."""
        return sum(e.nbytes for e in self._entries)

    def add(self, keyframe: Keyframe, mask: np.ndarray) -> bool:
        """Cache what ``keyframe`` painted, given the mask ``(h, w)`` in [0, 1] of the render it was refined from
        (1 = rendered from older layers); returns False when it painted too little to keep or the cache is off."""
        if self.config.max_keyframes == 0 or np.mean(mask < 0.5) < self.config.min_painted_fraction:
            return False
        rgb = _shrink(as_uint8(keyframe.rgb), self.config.texture_max_side)
        disparity = downsample_grid(keyframe.disparity, self.config.mesh_max_side)
        coverage = grid_coverage(mask < 0.5, disparity.shape)
        stored = replace(keyframe, rgb=rgb, disparity=disparity, coverage=coverage)
        entry = _Entry(self._next_key, stored, _sample_points(stored), rgb.nbytes + disparity.nbytes + coverage.nbytes)
        self._entries.append(entry)
        self._last_drawn[entry.key] = self._tick
        self._next_key += 1
        self._evict()
        return True

    def select(self, pose: np.ndarray, intrinsics: np.ndarray) -> list[tuple[int, Keyframe]]:
        """The cached keyframes to draw for a view at ``pose (3, 4)`` with ``intrinsics (4,)``: up to ``max_drawn``
        with the most painted content on screen, as ``(key, keyframe)`` newest first (draw priority order)."""
        self._tick += 1
        scores = list(zip(_visible_counts(self._entries, pose, intrinsics).tolist(), range(len(self._entries))))
        chosen = sorted((i for s, i in sorted(scores, reverse=True)[: self.config.max_drawn] if s > 0), reverse=True)
        for i in chosen:
            self._last_drawn[self._entries[i].key] = self._tick
        return [(self._entries[i].key, self._entries[i].keyframe) for i in chosen]

    def _evict(self) -> None:
        limit = self.config.max_megabytes * 2**20
        while len(self._entries) > self.config.max_keyframes or (len(self._entries) > 1 and self.nbytes > limit):
            stalest = min(range(len(self._entries)), key=lambda i: (self._last_drawn[self._entries[i].key], i))
            del self._last_drawn[self._entries.pop(stalest).key]


def _shrink(rgb: np.ndarray, max_side: int) -> np.ndarray:
    h, w = rgb.shape[:2]
    if max(h, w) <= max_side:
        return rgb
    scale = max_side / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return np.asarray(Image.fromarray(rgb).resize(size, Image.Resampling.BOX))


def _sample_points(keyframe: Keyframe) -> np.ndarray:
    """World points ``(N, 3)`` at a subsampled grid of the keyframe's covered vertices."""
    h, w = keyframe.disparity.shape
    step = max(1, max(h, w) // _SAMPLES_PER_SIDE)
    points = camera.unproject(keyframe.disparity, keyframe.intrinsics)[::step, ::step]
    covered = keyframe.coverage[::step, ::step] > 0.5
    return camera.transform(camera.invert_pose(keyframe.pose), points[covered])


def _visible_counts(entries: list[_Entry], pose: np.ndarray, intrinsics: np.ndarray) -> np.ndarray:
    """How many of each entry's sample points lie in front of the camera at ``pose`` and inside its image:
    ``(len(entries),)`` int, all entries in one batch."""
    if not entries:
        return np.zeros(0, np.int64)
    points = np.concatenate([e.points for e in entries])
    owner = np.repeat(np.arange(len(entries)), [len(e.points) for e in entries])
    cam = camera.transform(pose, points)
    front = cam[:, 2] > 1e-6
    uv, _ = camera.project(cam[front], intrinsics)
    inside = np.all((uv >= 0.0) & (uv <= 1.0), axis=1)
    return np.bincount(owner[front][inside], minlength=len(entries))
