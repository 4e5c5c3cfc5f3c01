"""Self-supervised samples from single photos (InfiniteNature-Zero's idea): warp to a virtual camera and back.

A random crop of a photo (with its disparity) is rendered from a random nearby camera and that render is rendered
back to the photo's camera with the engine's ``MeshRenderer``. What the virtual camera did not see (disoccluded
behind near objects, or outside its frame) comes back as holes and torn edges, and the double resampling softens
the rest; the target is the untouched crop.
"""

from __future__ import annotations

import math
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
from infnat_core.render import RenderOutput


@dataclass(frozen=True)
class Photo:
    """A photo and its disparity (from any depth estimator)."""

    rgb: np.ndarray
    """``(H, W, 3)`` uint8."""
    disparity: np.ndarray
    """``(h, w)`` float32 in [0.01, 1] (1 = nearest), any resolution with the photo's aspect."""
    name: str = ""
    """Where it came from (file name), for reports."""


def load_photo(path: str | Path, disparity: np.ndarray) -> Photo:
    """Read an image file as RGB and pair it with a disparity map ``(h, w)``."""
    path = Path(path)
    try:
        with Image.open(path) as image:
            rgb = np.asarray(image.convert("RGB"))
    except (OSError, ValueError) as exc:
        raise InfnatError(f"cannot read photo {path} ({exc}); pass a JPEG or PNG file") from exc
    d = np.asarray(disparity, dtype=np.float32)
    if d.ndim != 2:
        raise InfnatError(f"disparity for {path.name} must be a 2-D array, got shape {d.shape}")
    return Photo(rgb=rgb, disparity=np.clip(d, camera.MIN_DISPARITY, 1.0), name=path.name)


@dataclass(frozen=True)
class PhotoRoundTripConfig:
    """Crops and virtual cameras of the photo round trip."""

    height: int = 160
    """Sample height in pixels."""
    width: int = 256
    """Sample width in pixels."""
    fov_deg: float = 64.0
    """Horizontal field of view assumed for every crop."""
    samples: int = 20000
    """Dataset length (each index is a different random crop and camera)."""
    crop_scale: tuple[float, float] = (0.45, 1.0)
    """Crop size as a fraction of the largest crop with the sample's aspect that fits the photo."""
    flip_probability: float = 0.5
    """Chance of a horizontal flip."""
    forward: tuple[float, float] = (0.0, 0.3)
    """Virtual camera's forward move, in units of the nearest depth in the crop."""
    sideways: float = 0.15
    """Largest sideways move, in units of the nearest depth."""
    vertical: float = 0.08
    """Largest vertical move, in units of the nearest depth."""
    yaw_deg: float = 6.0
    """Largest turn left or right."""
    pitch_deg: float = 4.0
    """Largest tilt up or down."""
    edge_threshold: float = 0.3
    """Edge-mask threshold of both warps (the engine's default)."""


def _resize(array: np.ndarray, size: tuple[int, int], box: tuple[float, float, float, float]) -> np.ndarray:
    """Crop ``box`` (left, top, right, bottom in pixels) of an image array and resize it to ``size`` (w, h)."""
    if array.dtype == np.uint8:
        return np.asarray(Image.fromarray(array).resize(size, Image.Resampling.BICUBIC, box=box))
    return np.asarray(Image.fromarray(array.astype(np.float32), mode="F").resize(size, Image.Resampling.BILINEAR, box=box))


def random_crop(photo: Photo, rng: np.random.Generator, cfg: PhotoRoundTripConfig) -> tuple[np.ndarray, np.ndarray]:
    """A random crop with the sample's aspect: rgb ``(h, w, 3)`` float32 [0, 1] and disparity ``(h, w)``."""
    ph, pw = photo.rgb.shape[:2]
    aspect = cfg.width / cfg.height
    full_w = min(pw, ph * aspect)
    crop_w = full_w * rng.uniform(*cfg.crop_scale)
    crop_h = crop_w / aspect
    left = rng.uniform(0.0, pw - crop_w)
    top = rng.uniform(0.0, ph - crop_h)
    box = (left, top, left + crop_w, top + crop_h)
    size = (cfg.width, cfg.height)
    rgb = _resize(photo.rgb, size, box).astype(np.float32) / 255.0
    dh, dw = photo.disparity.shape
    sx, sy = dw / pw, dh / ph
    disparity = _resize(photo.disparity, size, (box[0] * sx, box[1] * sy, box[2] * sx, box[3] * sy))
    if rng.random() < cfg.flip_probability:
        rgb, disparity = rgb[:, ::-1], disparity[:, ::-1]
    return np.ascontiguousarray(rgb), np.ascontiguousarray(np.clip(disparity, camera.MIN_DISPARITY, 1.0))


def virtual_pose(disparity: np.ndarray, rng: np.random.Generator, cfg: PhotoRoundTripConfig) -> np.ndarray:
    """A random cam_from_world near the identity, with moves scaled by the crop's nearest depth."""
    near = 1.0 / float(np.percentile(disparity, 99))
    yaw = math.radians(rng.uniform(-cfg.yaw_deg, cfg.yaw_deg))
    pitch = math.radians(rng.uniform(-cfg.pitch_deg, cfg.pitch_deg))
    position = near * np.array([rng.uniform(-cfg.sideways, cfg.sideways),
                                rng.uniform(-cfg.vertical, cfg.vertical),
                                rng.uniform(*cfg.forward)])
    forward = np.array([math.sin(yaw) * math.cos(pitch), math.sin(pitch), math.cos(yaw) * math.cos(pitch)])
    return camera.pose_from_look(position, forward, np.array([0.0, 1.0, 0.0]))


class PhotoRoundTrip(Dataset):
    """Map-style dataset of round-trip samples (dicts with ``sample.SAMPLE_KEYS``) from a list of photos.

    ``rgbd_first`` is another random crop of the same photo, standing in for a flight's first frame.
    """

    def __init__(self, photos: list[Photo], config: PhotoRoundTripConfig = PhotoRoundTripConfig(), seed: int = 0):
        if not photos:
            raise InfnatError("no photos given for the round-trip data; pass at least one Photo")
        self.photos = photos
        self.config = config
        self.seed = seed
        self.intrinsics = camera.intrinsics_from_fov(config.fov_deg, config.width, config.height)
        self.renderers = ProcessRenderers()

    def __len__(self) -> int:
        return self.config.samples

    def round_trip(self, rgb: np.ndarray, disparity: np.ndarray, pose: np.ndarray) -> RenderOutput:
        """Render a crop (rgb ``(h, w, 3)``, disparity ``(h, w)`` at the identity pose) at ``pose`` and back.

        Pixels that came back from a hole of the virtual view get mask 0 and rgb = disparity = 0.
        """
        renderer, k, edge = self.renderers.mesh, self.intrinsics, self.config.edge_threshold
        identity = camera.identity_pose()
        there = warp(renderer, rgb, disparity, identity, pose, k, edge)
        back = warp(renderer, there.rgb, there.disparity, pose, identity, k, edge)
        carried = warp(renderer, np.repeat(there.mask[..., None], 3, axis=-1), there.disparity, pose, identity, k, edge)
        valid = carried.rgb[..., 0] >= 0.5
        mask = back.mask * carried.rgb[..., 0] * valid
        return RenderOutput(rgb=back.rgb * valid[..., None], disparity=back.disparity * valid, mask=mask)

    def __getitem__(self, index: int) -> dict[str, torch.Tensor]:
        if not 0 <= index < len(self):
            raise IndexError(index)
        rng = np.random.default_rng([self.seed, index])
        photo = self.photos[int(rng.integers(len(self.photos)))]
        rgb, disparity = random_crop(photo, rng, self.config)
        first_rgb, first_disparity = random_crop(photo, rng, self.config)
        rendered = self.round_trip(rgb, disparity, virtual_pose(disparity, rng, self.config))
        return make_sample(rendered, rgbd(rgb, disparity), rgbd(first_rgb, first_disparity))
