"""Keyframe mesh rendering with moderngl. The renderer is *given* its context (EGL headless, or the Qt widget's)."""

from __future__ import annotations

from dataclasses import dataclass

import moderngl
import numpy as np
from PIL import Image

from infnat_core import camera
from infnat_core.image_io import as_uint8
from infnat_core.mesh import edge_mask, grid_indices
from infnat_core.shaders import load_shader

NEAR_PLANE = 0.01
FAR_PLANE = 1000.0


@dataclass(frozen=True)
class Keyframe:
    """A textured depth map placed in the world.

    ``rgb`` may be larger than ``disparity`` (e.g. the native photo over a working-resolution mesh): the mesh has
    one vertex per disparity pixel and samples ``rgb`` as a texture.
    """

    rgb: np.ndarray  # (Ht, Wt, 3) uint8 or float32 in [0, 1], any resolution
    disparity: np.ndarray  # (H, W) float32 in [0.01, 1]
    pose: np.ndarray  # (3, 4) cam_from_world of the keyframe camera
    intrinsics: np.ndarray  # (4,) texture-unit intrinsics of the keyframe camera


@dataclass(frozen=True)
class RenderOutput:
    """One rendered view; holes and out-of-frame pixels are 0 in every field."""

    rgb: np.ndarray  # (h, w, 3) float32 in [0, 1]
    disparity: np.ndarray  # (h, w) float32, 1 / depth in the rendered view
    mask: np.ndarray  # (h, w) float32 in [0, 1]: 1 = valid content, 0 = hole / torn edge / out of frame

    @property
    def hole_fraction(self) -> float:
        """Fraction of pixels that need refinement (mask < 0.5)."""
        return float(np.mean(self.mask < 0.5))


class _Target:
    """Off-screen colour+mask (RGBA8), disparity (R32F) and depth buffers of one size, with read-back arrays."""

    def __init__(self, ctx: moderngl.Context, width: int, height: int):
        self.size = (width, height)
        self.color = ctx.renderbuffer((width, height), 4)
        self.disparity = ctx.renderbuffer((width, height), 1, dtype="f4")
        self.depth = ctx.depth_renderbuffer((width, height))
        self.fbo = ctx.framebuffer([self.color, self.disparity], self.depth)
        self.color_out = np.empty((height, width, 4), np.uint8)
        self.disparity_out = np.empty((height, width), np.float32)

    def release(self) -> None:
        for obj in (self.fbo, self.color, self.disparity, self.depth):
            obj.release()


class MeshRenderer:
    """Renders the current keyframe's mesh from any pose, at any size.

    Allocate once per GL context; ``set_keyframe`` uploads textures, ``render``/``draw`` only set uniforms and draw.
    """

    def __init__(self, ctx: moderngl.Context, stretch_threshold: float = 2.0):
        """``stretch_threshold``: a triangle longer on screen than this many times the length its depth change
        explains is torn (masked by the edge mask); shorter ones are valid even across depth edges."""
        self.ctx = ctx
        self.stretch_threshold = stretch_threshold
        self.program = ctx.program(vertex_shader=load_shader("mesh.vert"), geometry_shader=load_shader("mesh.geom"),
                                   fragment_shader=load_shader("mesh.frag"))
        self.program["disparity_tex"].value = 0
        self.program["edge_tex"].value = 1
        self.program["color_tex"].value = 2
        self.max_texture_size = int(ctx.info["GL_MAX_TEXTURE_SIZE"])
        self.keyframe: Keyframe | None = None
        self._disparity_tex: moderngl.Texture | None = None
        self._edge_tex: moderngl.Texture | None = None
        self._color_tex: moderngl.Texture | None = None
        self._vao: moderngl.VertexArray | None = None
        self._index_buffer: moderngl.Buffer | None = None
        self._grid: tuple[int, int] | None = None
        self._target: _Target | None = None

    # -- keyframe upload -------------------------------------------------------------------------------------
    def set_keyframe(self, keyframe: Keyframe, edge_threshold: float = 0.3) -> None:
        """Upload a keyframe: disparity + edge mask (mesh resolution) and colour (its own resolution)."""
        disparity = np.ascontiguousarray(keyframe.disparity, dtype=np.float32)
        h, w = disparity.shape
        if (h, w) != self._grid:
            self._allocate_grid(h, w)
        self._disparity_tex.write(disparity.tobytes())
        self._edge_tex.write(edge_mask(disparity, edge_threshold).tobytes())
        self._upload_color(as_uint8(keyframe.rgb))
        self.keyframe = keyframe

    def _allocate_grid(self, h: int, w: int) -> None:
        for obj in (self._vao, self._index_buffer, self._disparity_tex, self._edge_tex):
            if obj is not None:
                obj.release()
        self._disparity_tex = self.ctx.texture((w, h), 1, dtype="f4")
        self._edge_tex = self.ctx.texture((w, h), 1, dtype="f4")
        for tex in (self._disparity_tex, self._edge_tex):
            tex.filter = (moderngl.NEAREST, moderngl.NEAREST)
        self._index_buffer = self.ctx.buffer(grid_indices(h, w).tobytes())
        self._vao = self.ctx.vertex_array(self.program, [], index_buffer=self._index_buffer, index_element_size=4)
        self.program["grid_size"].value = (w, h)
        self._grid = (h, w)

    def _upload_color(self, rgb: np.ndarray) -> None:
        h, w = rgb.shape[:2]
        if max(h, w) > self.max_texture_size:
            scale = self.max_texture_size / max(h, w)
            size = (max(1, int(w * scale)), max(1, int(h * scale)))
            rgb = np.asarray(Image.fromarray(rgb).resize(size, Image.Resampling.LANCZOS))
            h, w = rgb.shape[:2]
        if self._color_tex is None or self._color_tex.size != (w, h):
            if self._color_tex is not None:
                self._color_tex.release()
            self._color_tex = self.ctx.texture((w, h), 3, alignment=1)
            self._color_tex.filter = (moderngl.LINEAR_MIPMAP_LINEAR, moderngl.LINEAR)
            self._color_tex.repeat_x = self._color_tex.repeat_y = False
            self._color_tex.anisotropy = 1.0
        self._color_tex.write(np.ascontiguousarray(rgb).tobytes())
        self._color_tex.build_mipmaps()

    # -- drawing ---------------------------------------------------------------------------------------------
    def _draw(self, pose: np.ndarray, intrinsics: np.ndarray, viewport: tuple[int, int], flip_y: float) -> None:
        if self.keyframe is None:
            raise RuntimeError("set_keyframe must be called before rendering")
        kf = self.keyframe
        view_from_key = camera.to_homogeneous(camera.compose(pose, camera.invert_pose(kf.pose)))
        clip_from_view = camera.gl_projection(intrinsics, NEAR_PLANE, FAR_PLANE)
        # GLSL matrices are column-major: upload the transpose of our row-major matrices.
        self.program["view_from_key"].write(view_from_key.T.astype("f4").tobytes())
        self.program["clip_from_view"].write(clip_from_view.T.astype("f4").tobytes())
        self.program["key_intrinsics"].value = tuple(float(x) for x in kf.intrinsics)
        self.program["flip_y"].value = flip_y
        self.program["viewport_px"].value = tuple(float(v) for v in viewport)
        self.program["view_fx"].value = float(intrinsics[0])
        self.program["stretch_threshold"].value = self.stretch_threshold
        self._disparity_tex.use(0)
        self._edge_tex.use(1)
        self._color_tex.use(2)
        self.ctx.enable(moderngl.DEPTH_TEST)
        self.ctx.disable(moderngl.CULL_FACE | moderngl.BLEND)
        self._vao.render(moderngl.TRIANGLES)

    def render(self, pose: np.ndarray, intrinsics: np.ndarray, width: int, height: int) -> RenderOutput:
        """Render off-screen and read back rgb, disparity and mask at ``width``×``height``."""
        if self._target is None or self._target.size != (width, height):
            if self._target is not None:
                self._target.release()
            self._target = _Target(self.ctx, width, height)
        t = self._target
        t.fbo.use()
        t.fbo.viewport = (0, 0, width, height)
        t.fbo.clear(0.0, 0.0, 0.0, 0.0, depth=1.0)
        self._draw(pose, intrinsics, (width, height), flip_y=1.0)
        t.fbo.read_into(t.color_out, components=4, attachment=0)
        t.fbo.read_into(t.disparity_out, components=1, attachment=1, dtype="f4")
        rgb = t.color_out[..., :3].astype(np.float32) * (1.0 / 255.0)
        mask = t.color_out[..., 3].astype(np.float32) * (1.0 / 255.0)
        return RenderOutput(rgb=rgb, disparity=t.disparity_out.copy(), mask=mask)

    def draw(self, framebuffer: moderngl.Framebuffer, pose: np.ndarray, intrinsics: np.ndarray) -> None:
        """Draw the colour of the view into an on-screen framebuffer (e.g. a Qt widget's), filling its viewport."""
        framebuffer.use()
        w, h = framebuffer.size
        framebuffer.viewport = (0, 0, w, h)
        framebuffer.clear(0.0, 0.0, 0.0, 1.0, depth=1.0)
        framebuffer.color_mask = (True, True, True, False)
        self._draw(pose, intrinsics, (w, h), flip_y=-1.0)
        framebuffer.color_mask = (True, True, True, True)
