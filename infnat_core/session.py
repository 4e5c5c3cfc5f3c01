"""Render → refine → repeat: the keyframe loop shared by the headless flight and the app."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

from infnat_core.refiner.inference import Refiner
from infnat_core.render import Keyframe, MeshRenderer, RenderOutput
from infnat_core.scene import Scene, view_intrinsics


@dataclass(frozen=True)
class SessionConfig:
    """How often and how the keyframe is replaced."""

    refine_every: int = 1
    """Refine every N-th frame (1 = every frame, the offline default); other frames are warped from the keyframe."""
    edge_threshold: float = 0.3
    """Edge-mask threshold on exp(−10·|Sobel(disparity)|): lower keeps more stretched triangles."""
    anchor_photo: bool = True
    """Keep the photo as a persistent layer: wherever it is visible it is drawn sharp from the original pixels,
    and only what it never showed comes from refined keyframes (no blur build-up over long flights)."""


@dataclass(frozen=True)
class Frame:
    """One finished frame of a flight."""

    index: int
    pose: np.ndarray  # (3, 4) cam_from_world
    rgb: np.ndarray  # (h, w, 3) float32 [0, 1], holes filled
    disparity: np.ndarray  # (h, w) float32, holes filled
    hole_fraction: float  # fraction of the raw render that had to be painted
    refined: bool  # whether this frame became the new keyframe


def resize_disparity(disparity: np.ndarray, max_side: int) -> np.ndarray:
    """Box-downsample a disparity map ``(H, W)`` so its longest side is at most ``max_side``."""
    h, w = disparity.shape
    scale = max_side / max(h, w)
    if scale >= 1.0:
        return disparity.astype(np.float32, copy=False)
    size = (max(2, round(w * scale)), max(2, round(h * scale)))
    return np.asarray(Image.fromarray(disparity.astype(np.float32), mode="F").resize(size, Image.Resampling.BOX))


class FlightSession:
    """Holds the current keyframe on a renderer and turns poses into finished frames of one size."""

    def __init__(self, scene: Scene, renderer: MeshRenderer, refiner: Refiner, width: int, height: int,
                 config: SessionConfig = SessionConfig()):
        self.scene = scene
        self.renderer = renderer
        self.refiner = refiner
        self.size = (width, height)
        self.config = config
        self.intrinsics = view_intrinsics(scene.intrinsics, scene.aspect, width, height)
        self.frame_index = 0
        self.keyframe = scene.keyframe
        renderer.set_anchor(scene.keyframe if config.anchor_photo else None, config.edge_threshold)
        renderer.set_keyframe(self.keyframe, config.edge_threshold)
        refiner.set_style(scene.working_rgb, scene.disparity)

    def render(self, pose: np.ndarray) -> RenderOutput:
        """The raw warp of the current keyframe to ``pose`` (holes are 0)."""
        return self.renderer.render(pose, self.intrinsics, *self.size)

    def step(self, pose: np.ndarray) -> Frame:
        """Render at ``pose``, paint the holes, and (every ``refine_every`` frames) make the result the keyframe."""
        out = self.render(pose)
        rgb, disparity = self.refiner.refine(out.rgb, out.disparity, out.mask)
        refined = self.frame_index % self.config.refine_every == 0
        if refined:
            self.set_keyframe(Keyframe(rgb, resize_disparity(disparity, self.scene.config.mesh_max_side),
                                       pose.copy(), self.intrinsics))
        frame = Frame(self.frame_index, pose.copy(), rgb, disparity, out.hole_fraction, refined)
        self.frame_index += 1
        return frame

    def set_keyframe(self, keyframe: Keyframe) -> None:
        """Replace the keyframe the next renders warp from."""
        self.keyframe = keyframe
        self.renderer.set_keyframe(keyframe, self.config.edge_threshold)
