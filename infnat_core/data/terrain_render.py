"""Ground-truth views of a synthetic terrain: colour and exact disparity from any pose (moderngl, off-screen)."""

from __future__ import annotations

from dataclasses import dataclass

import moderngl
import numpy as np

from infnat_core import camera
from infnat_core.data.appearance import Appearance
from infnat_core.data.noise import FbmConfig, fbm
from infnat_core.data.terrain_mesh import TerrainMesh
from infnat_core.mesh import grid_indices
from infnat_core.shaders import load_shader

CLOUD_TEXTURE_SIZE = 256


@dataclass(frozen=True)
class TerrainRenderConfig:
    """Quality settings of the terrain renderer."""

    supersample: int = 2
    """Render at this many times the output size per side and box-average (anti-aliasing)."""
    near: float = 0.05
    """Near clip plane (world units)."""
    far: float = 2000.0
    """Far clip plane (world units)."""


@dataclass(frozen=True)
class TerrainView:
    """One rendered view with ground truth."""

    rgb: np.ndarray
    """``(H, W, 3)`` float32 in [0, 1]."""
    disparity: np.ndarray
    """``(H, W)`` float32 1 / depth clipped to [0.01, 1]; sky and anything beyond depth 100 are 0.01."""
    sky: np.ndarray
    """``(H, W)`` float32 in [0, 1]: the share of the pixel that shows sky (terrain beyond depth 100 is not sky)."""


def _program(ctx: moderngl.Context, defines: tuple[str, ...] = ()) -> moderngl.Program:
    return ctx.program(vertex_shader=load_shader("terrain.vert", defines),
                       fragment_shader=load_shader("terrain.frag", defines))


def cloud_texture(size: int = CLOUD_TEXTURE_SIZE, seed: int = 7) -> np.ndarray:
    """``(size, size)`` uint8 fractal cloud pattern, histogram-equalised so a threshold t covers 1 − t of it."""
    coords = np.arange(size, dtype=np.float64)
    gx, gz = np.meshgrid(coords, coords)
    field = fbm(gx, gz, seed, FbmConfig(wavelength=size / 3.0, octaves=6, gain=0.55))
    ranks = np.argsort(np.argsort(field.ravel()))
    return (ranks * (255.0 / (ranks.size - 1))).astype(np.uint8).reshape(size, size)


class TerrainRenderer:
    """Renders one terrain mesh with one appearance from any pose. Allocate once per GL context."""

    def __init__(self, ctx: moderngl.Context, config: TerrainRenderConfig = TerrainRenderConfig()):
        self.ctx = ctx
        self.config = config
        self.terrain_program = _program(ctx)
        self.sky_program = _program(ctx, ("SKY",))
        self.sky_vao = ctx.vertex_array(self.sky_program, [])
        self.cloud_tex = ctx.texture((CLOUD_TEXTURE_SIZE,) * 2, 1, cloud_texture().tobytes())
        self.cloud_tex.repeat_x = self.cloud_tex.repeat_y = True
        self.cloud_tex.build_mipmaps()
        self.cloud_tex.filter = (moderngl.LINEAR_MIPMAP_LINEAR, moderngl.LINEAR)
        for program in (self.terrain_program, self.sky_program):
            program["cloud_tex"].value = 0
        self._vbo: moderngl.Buffer | None = None
        self._ibo: moderngl.Buffer | None = None
        self._vao: moderngl.VertexArray | None = None
        self._grid_size = 0
        self._haze_edge = 0.0
        self._fbo: moderngl.Framebuffer | None = None
        self._fbo_size: tuple[int, int] = (0, 0)

    def set_scene(self, mesh: TerrainMesh, appearance: Appearance, haze_edge: float) -> None:
        """Upload a terrain mesh and its look; ``haze_edge`` is the grid's half-size (haze hides its border)."""
        if self._vbo is None or self._vbo.size != mesh.vertices.nbytes:
            if self._vao is not None:
                self._vao.release()
                self._vbo.release()
            self._vbo = self.ctx.buffer(reserve=mesh.vertices.nbytes)
        self._vbo.write(np.ascontiguousarray(mesh.vertices, dtype=np.float32).tobytes())
        if mesh.size != self._grid_size:
            if self._ibo is not None:
                self._ibo.release()
            self._ibo = self.ctx.buffer(grid_indices(mesh.size, mesh.size).tobytes())
            self._grid_size = mesh.size
            if self._vao is not None:
                self._vao.release()
            self._vao = None
        if self._vao is None:
            self._vao = self.ctx.vertex_array(
                self.terrain_program, [(self._vbo, "3f 3f 1f", "in_position", "in_normal", "in_ground")],
                index_buffer=self._ibo, index_element_size=4,
            )
        self._haze_edge = float(haze_edge)
        self._set_appearance(appearance)

    def _set_appearance(self, a: Appearance) -> None:
        shared = {
            "sun_direction": a.sun_direction, "sun_color": a.sun_color, "zenith_color": a.zenith_color,
            "horizon_color": a.horizon_color, "haze_density": a.haze_density, "haze_edge": self._haze_edge,
            "cloud_cover": a.cloud_cover, "cloud_height": a.cloud_height, "cloud_scale": a.cloud_scale,
            "cloud_offset": a.cloud_offset,
        }
        terrain_only = {
            "grass_color": a.grass_color, "forest_color": a.forest_color, "rock_color": a.rock_color,
            "sand_color": a.sand_color, "water_color": a.water_color, "tree_line": a.tree_line,
            "snow_line": a.snow_line, "water_level": a.water_level,
        }
        for program, values in ((self.terrain_program, {**shared, **terrain_only}), (self.sky_program, shared)):
            for name, value in values.items():
                if name in program:
                    program[name].value = tuple(float(v) for v in value) if np.ndim(value) else float(value)

    def _target(self, width: int, height: int) -> moderngl.Framebuffer:
        if self._fbo_size != (width, height):
            if self._fbo is not None:
                for attachment in (*self._fbo.color_attachments, self._fbo.depth_attachment):
                    attachment.release()
                self._fbo.release()
            self._fbo = self.ctx.framebuffer(
                [self.ctx.renderbuffer((width, height), 4), self.ctx.renderbuffer((width, height), 1, dtype="f4")],
                self.ctx.depth_renderbuffer((width, height)),
            )
            self._fbo_size = (width, height)
        return self._fbo

    def render(self, pose: np.ndarray, intrinsics: np.ndarray, width: int, height: int) -> TerrainView:
        """Colour and exact disparity of the view from a 3×4 ``cam_from_world`` pose with intrinsics ``(4,)``."""
        if self._vao is None:
            raise RuntimeError("set_scene must be called before rendering")
        ss = self.config.supersample
        w, h = width * ss, height * ss
        fbo = self._target(w, h)
        fbo.use()
        fbo.viewport = (0, 0, w, h)
        fbo.clear(0.0, 0.0, 0.0, 0.0, depth=1.0)

        position = camera.camera_position(pose)
        rotation = pose[:, :3]
        self.sky_program["camera_position"].value = tuple(position)
        self.sky_program["world_from_view"].write(rotation.astype("f4").tobytes())  # column-major of R.T = R^T
        self.sky_program["intrinsics"].value = tuple(float(v) for v in intrinsics)
        self.ctx.disable(moderngl.DEPTH_TEST | moderngl.CULL_FACE | moderngl.BLEND)
        self.cloud_tex.use(0)
        self.sky_vao.render(moderngl.TRIANGLES, vertices=3)

        view_from_world = camera.to_homogeneous(pose)
        clip_from_view = camera.gl_projection(intrinsics, self.config.near, self.config.far)
        self.terrain_program["camera_position"].value = tuple(position)
        self.terrain_program["view_from_world"].write(view_from_world.T.astype("f4").tobytes())
        self.terrain_program["clip_from_view"].write(clip_from_view.T.astype("f4").tobytes())
        self.ctx.enable(moderngl.DEPTH_TEST)
        self._vao.render(moderngl.TRIANGLES)

        color = np.frombuffer(fbo.read(components=4, attachment=0), np.uint8).reshape(h, w, 4)
        disparity = np.frombuffer(fbo.read(components=1, attachment=1, dtype="f4"), np.float32).reshape(h, w)
        rgb = color[..., :3].astype(np.float32) * (1.0 / 255.0)
        sky = (disparity <= 0.0).astype(np.float32)  # the sky pass writes 0, terrain at least 1 / far
        disparity = np.maximum(disparity, camera.MIN_DISPARITY)
        if ss > 1:
            rgb = rgb.reshape(height, ss, width, ss, 3).mean(axis=(1, 3))
            disparity = disparity.reshape(height, ss, width, ss).mean(axis=(1, 3))
            sky = sky.reshape(height, ss, width, ss).mean(axis=(1, 3))
        return TerrainView(rgb=rgb, disparity=np.minimum(disparity, 1.0).astype(np.float32), sky=sky)
