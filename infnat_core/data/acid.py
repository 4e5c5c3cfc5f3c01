"""Video clips in the ACID / RealEstate10K camera format, and training samples from them.

One ``.txt`` per clip: line 1 is the video URL; then one line per frame with 19 numbers: timestamp (µs), fx fy cx cy
(texture units), two zeros, and the 12 numbers of a row-major 3×4 world→camera pose ``[R | t]``. The frames are
image files named by timestamp (``<timestamp>.png`` / ``.jpg``) in a folder. Disparity is not part of the format:
give either a folder of ``<timestamp>.npy`` disparity maps or a function that estimates one from an image.
The camera track is read by the engine's own loader (``infnat_core.flight.path.load_acid_txt``: poses relative to the
first frame, one set of intrinsics). Poses from structure-from-motion have an arbitrary scale: it must match the
disparity's (depth = 1 / disparity) for the warps to line up (see ``docs/data.md``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch.utils.data import Dataset

from infnat_core import camera
from infnat_core.data.gl_process import ProcessRenderers
from infnat_core.data.sample import make_sample, rgbd, warp
from infnat_core.errors import InfnatError
from infnat_core.flight.path import FlightPath, load_acid_txt

FRAME_EXTENSIONS = (".png", ".jpg", ".jpeg")

DisparityFn = Callable[[np.ndarray], np.ndarray]
"""Estimates disparity ``(h, w)`` in [0.01, 1] from an image ``(H, W, 3)`` uint8."""


@dataclass(frozen=True)
class AcidClip:
    """Camera track of one clip and where its frames are."""

    url: str
    """Line 1 of the file: the source video."""
    timestamps: np.ndarray
    """``(N,)`` int64 microseconds; frame i is ``<frames_dir>/<timestamps[i]>.<ext>``."""
    track: FlightPath
    """Poses ``(N, 3, 4)`` cam_from_world relative to the first frame, and the clip's intrinsics ``(4,)``."""
    frames_dir: Path | None = None
    """Folder of the frame images (None: camera track only)."""
    disparity_dir: Path | None = None
    """Folder of ``<timestamp>.npy`` disparity maps (None: estimate them)."""

    def __len__(self) -> int:
        return len(self.timestamps)

    def frame_path(self, i: int) -> Path:
        """The image file of frame ``i``."""
        if self.frames_dir is None:
            raise InfnatError(f"clip {self.url} was loaded without a frames folder; pass frames_dir")
        for ext in FRAME_EXTENSIONS:
            path = self.frames_dir / f"{int(self.timestamps[i])}{ext}"
            if path.is_file():
                return path
        raise InfnatError(f"no image named {int(self.timestamps[i])}.png/.jpg in {self.frames_dir}; "
                          "frames must be named by their timestamp")

    def frame(self, i: int) -> np.ndarray:
        """Frame ``i`` as ``(H, W, 3)`` uint8."""
        with Image.open(self.frame_path(i)) as image:
            return np.asarray(image.convert("RGB"))

    def disparity(self, i: int) -> np.ndarray | None:
        """Stored disparity ``(h, w)`` float32 of frame ``i``, or None when the clip has no disparity folder."""
        if self.disparity_dir is None:
            return None
        path = self.disparity_dir / f"{int(self.timestamps[i])}.npy"
        if not path.is_file():
            raise InfnatError(f"missing disparity map {path}; write one .npy per frame, named by timestamp")
        return np.load(path).astype(np.float32)


def read_acid_clip(path: str | Path, frames_dir: str | Path | None = None,
                   disparity_dir: str | Path | None = None) -> AcidClip:
    """Read one clip file; ``frames_dir`` / ``disparity_dir`` say where its images / disparity maps are."""
    path = Path(path)
    track = load_acid_txt(path)  # validates the file and raises InfnatError naming any problem
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    first_timestamp = int(float(lines[1].split()[0]))
    return AcidClip(
        url=lines[0].strip(),
        timestamps=first_timestamp + np.round(track.times * 1e6).astype(np.int64),
        track=track,
        frames_dir=None if frames_dir is None else Path(frames_dir),
        disparity_dir=None if disparity_dir is None else Path(disparity_dir),
    )


def write_acid_clip(path: str | Path, url: str, timestamps: Sequence[int], intrinsics: np.ndarray,
                    poses: np.ndarray) -> None:
    """Write a clip file: ``timestamps (N,)`` µs, ``intrinsics (N, 4)`` or ``(4,)``, ``poses (N, 3, 4)``."""
    poses = np.asarray(poses, dtype=np.float64).reshape(-1, 12)
    k = np.broadcast_to(np.asarray(intrinsics, dtype=np.float64), (len(poses), 4))
    lines = [url]
    for ts, ki, pose in zip(timestamps, k, poses):
        numbers = [repr(float(v)) for v in (*ki, 0.0, 0.0, *pose)]
        lines.append(" ".join([str(int(ts)), *numbers]))
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")


def crop_to_aspect(shape: tuple[int, int], aspect: float) -> tuple[float, float, float, float]:
    """Centred crop ``(u0, v0, u1, v1)`` in texture units of an image of ``shape (H, W)`` with width/height = aspect."""
    h, w = shape
    if w / h > aspect:
        half = 0.5 * aspect * h / w
        return (0.5 - half, 0.0, 0.5 + half, 1.0)
    half = 0.5 * (w / aspect) / h
    return (0.0, 0.5 - half, 1.0, 0.5 + half)


def crop_intrinsics(intrinsics: np.ndarray, crop: tuple[float, float, float, float]) -> np.ndarray:
    """Intrinsics ``(4,)`` of the crop ``(u0, v0, u1, v1)`` (texture units) of a view with ``intrinsics``."""
    fx, fy, cx, cy = intrinsics
    u0, v0, u1, v1 = crop
    su, sv = u1 - u0, v1 - v0
    return np.array([fx / su, fy / sv, (cx - u0) / su, (cy - v0) / sv])


def _crop_resize(array: np.ndarray, crop: tuple[float, float, float, float], size: tuple[int, int]) -> np.ndarray:
    h, w = array.shape[:2]
    box = (crop[0] * w, crop[1] * h, crop[2] * w, crop[3] * h)
    if array.dtype == np.uint8:
        return np.asarray(Image.fromarray(array).resize(size, Image.Resampling.BICUBIC, box=box))
    return np.asarray(Image.fromarray(array.astype(np.float32), mode="F").resize(size, Image.Resampling.BILINEAR, box=box))


@dataclass(frozen=True)
class AcidConfig:
    """Samples from camera-format clips."""

    height: int = 160
    """Sample height in pixels (frames are centre-cropped to the sample's aspect, then resized)."""
    width: int = 256
    """Sample width in pixels."""
    max_gap: int = 6
    """Largest frame distance k between the warped frame and the target (drawn from 1..max_gap)."""
    samples_per_clip: int = 16
    """Frame pairs drawn per clip; the dataset length is ``clips · samples_per_clip``."""
    edge_threshold: float = 0.3
    """Edge-mask threshold of the warp (the engine's default)."""


class AcidFlights(Dataset):
    """Map-style dataset of (frame t warped to frame t + k → frame t + k) samples from clips.

    ``rgbd_first`` is the clip's first frame.
    """

    def __init__(self, clips: list[AcidClip], config: AcidConfig = AcidConfig(), seed: int = 0,
                 disparity_fn: DisparityFn | None = None):
        if not clips:
            raise InfnatError("no clips given; pass at least one AcidClip")
        for clip in clips:
            if clip.frames_dir is None:
                raise InfnatError(f"clip {clip.url} has no frames folder; load it with frames_dir")
            if clip.disparity_dir is None and disparity_fn is None:
                raise InfnatError(f"clip {clip.url} has no disparity folder; give disparity_dir or a disparity_fn")
            if len(clip) < 2:
                raise InfnatError(f"clip {clip.url} has fewer than 2 frames")
        self.clips = clips
        self.config = config
        self.seed = seed
        self.disparity_fn = disparity_fn
        self.renderers = ProcessRenderers()

    def __len__(self) -> int:
        return len(self.clips) * self.config.samples_per_clip

    def view(self, clip: AcidClip, i: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Frame ``i`` at sample size: rgb ``(h, w, 3)`` float32 [0, 1], disparity ``(h, w)``, intrinsics ``(4,)``."""
        image = clip.frame(i)
        disparity = clip.disparity(i)
        if disparity is None:
            disparity = self.disparity_fn(image)
        crop = crop_to_aspect(image.shape[:2], self.config.width / self.config.height)
        size = (self.config.width, self.config.height)
        rgb = _crop_resize(image, crop, size).astype(np.float32) / 255.0
        disparity = np.clip(_crop_resize(np.asarray(disparity, np.float32), crop, size), camera.MIN_DISPARITY, 1.0)
        return rgb, disparity, crop_intrinsics(clip.track.intrinsics, crop)

    def __getitem__(self, index: int) -> dict[str, torch.Tensor]:
        if not 0 <= index < len(self):
            raise IndexError(index)
        clip = self.clips[index // self.config.samples_per_clip]
        rng = np.random.default_rng([self.seed, index])
        gap = int(rng.integers(1, min(self.config.max_gap, len(clip) - 1) + 1))
        step = int(rng.integers(0, len(clip) - gap))
        rgb, disparity, k = self.view(clip, step)
        target_rgb, target_disparity, _ = self.view(clip, step + gap)
        first_rgb, first_disparity, _ = self.view(clip, 0)
        poses = clip.track.poses
        rendered = warp(self.renderers.mesh, rgb, disparity, poses[step], poses[step + gap], k,
                        self.config.edge_threshold)
        return make_sample(rendered, rgbd(target_rgb, target_disparity), rgbd(first_rgb, first_disparity))
