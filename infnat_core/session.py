"""Render → refine → repeat: the keyframe loop shared by the headless flight and the app."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from infnat_core.keyframe_cache import KeyframeCache, KeyframeCacheConfig
from infnat_core.mesh import downsample_grid, grid_coverage
from infnat_core.refiner.inference import FillRefiner, Refiner
from infnat_core.render import Keyframe, MeshRenderer, RenderOutput
from infnat_core.scene import Scene, view_intrinsics
from infnat_core.sky import SkyDome


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
    cache: KeyframeCacheConfig = field(default_factory=KeyframeCacheConfig)
    """What each refined keyframe painted is kept and drawn again when the view comes back (``max_keyframes=0``
    forgets everything but the latest keyframe, as Infinite Nature does)."""
    sky_at_infinity: bool = True
    """Draw sky by direction only (the photo's sky, then sky the refiner painted, kept in a dome), so clouds and
    the horizon stay put while the camera translates; False draws sky as part of each keyframe's mesh."""
    sky_dome_height: int = 1024
    """Rows of the equirectangular sky dome (it has twice as many columns); 1024 is ≈ 5.7 pixels per degree."""
    detail_strength: float = 1.0
    """Strength of the photo's fine detail drawn over the world (:mod:`infnat_core.detail`), so that magnified
    ground keeps texture instead of smearing; 0 = none."""


@dataclass(frozen=True)
class Frame:
    """One finished frame of a flight."""

    index: int
    pose: np.ndarray  # (3, 4) cam_from_world
    rgb: np.ndarray  # (h, w, 3) float32 [0, 1], holes filled
    disparity: np.ndarray  # (h, w) float32, holes filled
    hole_fraction: float  # fraction of the raw render that had to be painted
    refined: bool  # whether this frame became the new keyframe


def refined_keyframe(rgb: np.ndarray, disparity: np.ndarray, render: RenderOutput, pose: np.ndarray,
                     intrinsics: np.ndarray, mesh_max_side: int) -> Keyframe:
    """The keyframe that a refinement of ``render`` becomes: colour ``rgb (h, w, 3)``, mesh from ``disparity (h, w)``
    box-downsampled to ``mesh_max_side``, camera ``pose (3, 4)`` / ``intrinsics (4,)``. It is drawn only where the
    anchor (the photo layer) did not draw the render: the anchor keeps drawing that surface itself, sharper than a
    resampled copy, and every layer drawn over the same pixels costs frame rate."""
    grid = downsample_grid(disparity, mesh_max_side)
    anchor = render.from_anchor
    coverage = grid_coverage(~anchor, grid.shape) if anchor is not None and anchor.any() else None
    return Keyframe(rgb, grid, pose.copy(), intrinsics, coverage)


def remember_painted(cache: KeyframeCache, sky: SkyDome | None, keyframe: Keyframe, rgb: np.ndarray,
                     disparity: np.ndarray, render_mask: np.ndarray) -> bool:
    """Keep what a refinement painted: ``keyframe`` (made from it) goes into ``cache`` and its painted sky into
    ``sky`` (None = no dome). ``rgb (h, w, 3)`` float32 in [0, 1] and ``disparity (h, w)`` are the refiner's output
    at full size, ``render_mask (h, w)`` in [0, 1] the mask of the render it refined (< 0.5 = painted).
    Returns whether the dome changed (upload it again)."""
    cache.add(keyframe, render_mask)
    return sky is not None and sky.paint(rgb, disparity, render_mask < 0.5, keyframe.pose, keyframe.intrinsics)


class FlightSession:
    """Holds the current keyframe and the keyframe cache on a renderer and turns poses into finished frames of one
    size. The refiner paints only what neither the photo nor a cached or current keyframe covers."""

    def __init__(self, scene: Scene, renderer: MeshRenderer, refiner: Refiner, width: int, height: int,
                 config: SessionConfig = SessionConfig()):
        self.scene = scene
        self.renderer = renderer
        self.refiner = refiner
        self.size = (width, height)
        self.config = config
        self.intrinsics = view_intrinsics(scene.intrinsics, scene.aspect, width, height)
        self.frame_index = 0
        self._fill = FillRefiner()
        self.keyframe = scene.keyframe
        self.cache = KeyframeCache(config.cache)
        self.sky = SkyDome(config.sky_dome_height) if config.sky_at_infinity else None
        renderer.set_sky(None if self.sky is None else self.sky.rgba)
        renderer.set_anchor(scene.keyframe if config.anchor_photo else None, config.edge_threshold)
        renderer.set_keyframe(self.keyframe, config.edge_threshold)
        renderer.set_detail(scene.detail if config.detail_strength > 0.0 else None, config.detail_strength)
        refiner.set_style(scene.working_rgb, scene.disparity)

    def render(self, pose: np.ndarray) -> RenderOutput:
        """The raw render of every layer that sees ``pose`` (holes are 0)."""
        self.renderer.set_cached(self.cache.select(pose, self.intrinsics), self.config.edge_threshold)
        return self.renderer.render(pose, self.intrinsics, *self.size)

    def step(self, pose: np.ndarray) -> Frame:
        """Render at ``pose``, paint the holes, and (every ``refine_every`` frames) make the result the keyframe."""
        out = self.render(pose)
        refined = self.frame_index % self.config.refine_every == 0
        painter = self.refiner if refined else self._fill  # frames between keyframes only need a cheap fill
        rgb, disparity = painter.refine(out.rgb, out.disparity, out.mask)
        if refined:
            keyframe = refined_keyframe(rgb, disparity, out, pose, self.intrinsics, self.scene.config.mesh_max_side)
            if remember_painted(self.cache, self.sky, keyframe, rgb, disparity, out.mask):
                self.renderer.set_sky(self.sky.rgba)
            self.set_keyframe(keyframe)
        frame = Frame(self.frame_index, pose.copy(), out.finished(rgb), disparity, out.hole_fraction, refined)
        self.frame_index += 1
        return frame

    def set_keyframe(self, keyframe: Keyframe) -> None:
        """Replace the keyframe the next renders warp from."""
        self.keyframe = keyframe
        self.renderer.set_keyframe(keyframe, self.config.edge_threshold)
