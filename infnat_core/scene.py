"""A scene: the photo, its depth, and the first keyframe built from them."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

import numpy as np

from infnat_core import camera
from infnat_core.detail import DetailTexture, photo_detail
from infnat_core.depth import DepthConfig, DepthEstimate, DepthEstimator, apply_depth_config, make_depth_estimator
from infnat_core.image_io import LoadedImage, load_image, working_image
from infnat_core.render import Keyframe

DEFAULT_IMAGE = Path(__file__).resolve().parent.parent / "assets" / "default.jpg"


@dataclass(frozen=True)
class SceneConfig:
    """How a photo becomes the first keyframe."""

    fov_deg: float = 64.0
    """Horizontal field of view assumed for the photo (Infinite Nature's fx = 0.8 ≈ 64°)."""
    mesh_max_side: int = 384
    """Longest side of the working image used for depth estimation and the keyframe mesh (vertices per side)."""
    depth: DepthConfig = field(default_factory=DepthConfig)
    """Depth post-processing (the GUI's depth sliders)."""


@dataclass(frozen=True)
class Scene:
    """The loaded photo with its estimated depth; ``keyframe`` is where every flight starts."""

    photo: LoadedImage
    working_rgb: np.ndarray  # (h, w, 3) float32 [0, 1] at mesh resolution
    estimate: DepthEstimate  # raw estimate at mesh resolution (sliders re-apply to it cheaply)
    disparity: np.ndarray  # (h, w) float32 [0.01, 1] after the depth config
    intrinsics: np.ndarray  # (4,) photo intrinsics
    config: SceneConfig

    @property
    def keyframe(self) -> Keyframe:
        """The photo at native resolution over the working-resolution mesh, at the world origin."""
        return Keyframe(self.photo.rgb, self.disparity, camera.identity_pose(), self.intrinsics, own_detail=True)

    @cached_property
    def detail(self) -> DetailTexture:
        """The photo's detail texture (see :mod:`infnat_core.detail`)."""
        return photo_detail(self.photo.rgb, self.disparity, self.intrinsics)

    @property
    def aspect(self) -> float:
        h, w = self.photo.rgb.shape[:2]
        return w / h

    def with_depth_config(self, depth: DepthConfig) -> Scene:
        """The same scene with other depth sliders (no re-estimation)."""
        return replace(self, disparity=apply_depth_config(self.estimate, depth),
                       config=replace(self.config, depth=depth))


def build_scene(photo: LoadedImage, estimator: DepthEstimator, config: SceneConfig) -> Scene:
    """Estimate depth for a loaded photo at mesh resolution."""
    working = working_image(photo.rgb, config.mesh_max_side)
    estimate = estimator.estimate(working)
    disparity = apply_depth_config(estimate, config.depth)
    h, w = photo.rgb.shape[:2]
    intrinsics = camera.intrinsics_from_fov(config.fov_deg, w, h)
    return Scene(photo, working, estimate, disparity, intrinsics, config)


def load_scene(image: str | Path | None, depth: str | Path | None = None, config: SceneConfig = SceneConfig(),
               depth_kind: str = "disparity", near_is_bright: bool = True) -> Scene:
    """Load an image (the bundled default when None) and its depth (``make_depth_estimator(depth)``: the default
    depth network when None)."""
    photo = load_image(DEFAULT_IMAGE if image is None else image)
    estimator = make_depth_estimator(depth, kind=depth_kind, near_is_bright=near_is_bright)
    return build_scene(photo, estimator, config)


def view_intrinsics(scene_intrinsics: np.ndarray, scene_aspect: float, width: int, height: int) -> np.ndarray:
    """Intrinsics of a ``width``×``height`` view that the photo covers exactly in one direction (no empty border).

    A view narrower than the photo keeps the vertical field of view; a wider one keeps the horizontal one.
    """
    view_aspect = width / height
    fx = float(scene_intrinsics[0]) * max(1.0, scene_aspect / view_aspect)
    return np.array([fx, fx * view_aspect, 0.5, 0.5])
