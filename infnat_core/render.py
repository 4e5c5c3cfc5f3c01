"""Keyframe mesh rendering with moderngl. The renderer is *given* its context (EGL headless, or the Qt widget's)."""

from __future__ import annotations

from dataclasses import dataclass

import moderngl
import numpy as np
from PIL import Image

from infnat_core import camera
from infnat_core.detail import DetailTexture, apply_gain
from infnat_core.image_io import as_uint8
from infnat_core.mesh import (downsample_grid, edge_mask, skirt_indices, tile_corners, tile_extremes, tiled_grid,
                              visible_tiles)
from infnat_core.shaders import load_shader
from infnat_core.sky import SKY_DISPARITY

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
    coverage: np.ndarray | None = None  # (H, W) float32 per-vertex: 1 where this keyframe's content is drawn; None = all
    own_detail: bool = False
    """True for a photo: its colour holds real detail down to its texel, so the detail texture (see
    :mod:`infnat_core.detail`) adds only what magnification loses. Refined keyframes are kept without that detail
    (False) and are drawn with all of it."""


MINIFY_FILTERS = {"trilinear": moderngl.LINEAR_MIPMAP_LINEAR, "mipmap": moderngl.LINEAR_MIPMAP_NEAREST,
                  "bilinear": moderngl.LINEAR}
"""``RenderDetail.minify`` → the GL minification filter."""


@dataclass(frozen=True)
class RenderDetail:
    """Level of detail of the drawn meshes: vertices and texture filtering are what cost frame rate on software GL
    (a GPU draws full detail for free)."""

    max_grid_side: int | None = None
    """A keyframe whose disparity map is larger is drawn from a mesh box-downsampled to this longest side (its
    colour keeps its own resolution); None = the full mesh."""
    minify: str = "trilinear"
    """How a colour texture is sampled where it is minified: "trilinear" (mipmaps, blending two levels), "mipmap"
    (the nearest mipmap level, bilinear within it) or "bilinear" (no mipmaps: the cheapest on software GL, where
    mipmapped sampling costs about a third of a frame; pair it with ``max_color_side`` so minification stays
    mild)."""
    max_color_side: int | None = None
    """A keyframe colour larger than this is drawn from a copy resized (Lanczos) to this longest side; None = its
    own resolution (up to the GL limit)."""

    def __post_init__(self) -> None:
        if self.minify not in MINIFY_FILTERS:
            raise ValueError(f"minify must be one of {sorted(MINIFY_FILTERS)}, not {self.minify!r}")


@dataclass(frozen=True)
class RenderOutput:
    """One rendered view; holes and out-of-frame pixels are 0 in every field."""

    rgb: np.ndarray  # (h, w, 3) float32 in [0, 1]
    disparity: np.ndarray  # (h, w) float32, 1 / depth in the rendered view
    mask: np.ndarray  # (h, w) float32 in [0, 1]: 1 = valid content, 0 = hole / torn edge / out of frame
    from_anchor: np.ndarray | None = None  # (h, w) bool: drawn by the anchor (the photo layer); None = not known
    detail_gain: np.ndarray | None = None  # (h, w) float32 log gain of the detail texture (0 where none), or None

    def finished(self, rgb: np.ndarray) -> np.ndarray:
        """The frame to show for ``rgb (h, w, 3)`` (this render refined): with the detail texture's gain applied.
        Refined keyframes stay without it, so that it never compounds."""
        return rgb if self.detail_gain is None else apply_gain(rgb, self.detail_gain)

    @property
    def hole_fraction(self) -> float:
        """Fraction of pixels that need refinement (mask < 0.5)."""
        return float(np.mean(self.mask < 0.5))


class _Target:
    """Off-screen colour+mask (RGBA8), disparity+anchor (RG32F), detail gain (R32F) and depth buffers of one size,
    with read-back arrays."""

    def __init__(self, ctx: moderngl.Context, width: int, height: int):
        self.size = (width, height)
        self.color = ctx.renderbuffer((width, height), 4)
        self.geometry = ctx.renderbuffer((width, height), 2, dtype="f4")
        self.detail = ctx.renderbuffer((width, height), 1, dtype="f4")
        self.depth = ctx.depth_renderbuffer((width, height))
        self.fbo = ctx.framebuffer([self.color, self.geometry, self.detail], self.depth)
        self.color_out = np.empty((height, width, 4), np.uint8)
        self.geometry_out = np.empty((height, width, 2), np.float32)
        self.detail_out = np.empty((height, width), np.float32)

    def release(self) -> None:
        for obj in (self.fbo, self.color, self.geometry, self.detail, self.depth):
            obj.release()


class _Layer:
    """GPU resources of one keyframe: disparity + (edge mask, coverage) textures (mesh grid), colour texture,
    vertex array."""

    def __init__(self, renderer: MeshRenderer):
        self.renderer = renderer
        self.keyframe: Keyframe | None = None
        self.disparity_tex: moderngl.Texture | None = None
        self.edge_tex: moderngl.Texture | None = None
        self.color_tex: moderngl.Texture | None = None
        self.vertex_arrays: dict[int, tuple[moderngl.VertexArray, moderngl.VertexArray]] = {}
        """Per mesh program (by GL name): the grid's and the skirt's vertex arrays."""
        self.grid: tuple[int, int] | None = None
        self.corners: np.ndarray | None = None  # (T, 8, 4) culling boxes of the mesh's tiles, keyframe camera space
        self.covered: np.ndarray | None = None  # (T,) bool: the tile has a vertex this layer draws (coverage ≥ 0.5)

    def upload(self, keyframe: Keyframe, edge_threshold: float) -> None:
        ctx, side = self.renderer.ctx, self.renderer.detail.max_grid_side or max(keyframe.disparity.shape)
        disparity = np.ascontiguousarray(downsample_grid(keyframe.disparity, side), dtype=np.float32)
        h, w = disparity.shape
        if (h, w) != self.grid:
            self._release_vertex_arrays()
            for obj in (self.disparity_tex, self.edge_tex):
                if obj is not None:
                    obj.release()
            self.disparity_tex = ctx.texture((w, h), 1, dtype="f4")
            self.edge_tex = ctx.texture((w, h), 2, dtype="f4")
            for tex in (self.disparity_tex, self.edge_tex):
                tex.filter = (moderngl.NEAREST, moderngl.NEAREST)
            self.grid = (h, w)
        self.disparity_tex.write(disparity.tobytes())
        coverage = np.ones_like(disparity)
        if keyframe.coverage is not None:  # conservative: a coarse vertex draws if any fine vertex under it does
            coverage = (downsample_grid(keyframe.coverage, side) > 0.0).astype(np.float32)
        tiles = tiled_grid(h, w)
        self.corners = tile_corners(disparity, keyframe.intrinsics, tiles)
        self.covered = tile_extremes(coverage, tiles)[1] >= 0.5
        validity = np.stack([edge_mask(disparity, edge_threshold), coverage.astype(np.float32)], axis=-1)
        self.edge_tex.write(validity.tobytes())
        self._upload_color(as_uint8(keyframe.rgb))
        self.keyframe = keyframe

    def _upload_color(self, rgb: np.ndarray) -> None:
        ctx, detail = self.renderer.ctx, self.renderer.detail
        limit = min(self.renderer.max_texture_size, detail.max_color_side or self.renderer.max_texture_size)
        h, w = rgb.shape[:2]
        if max(h, w) > limit:
            scale = limit / max(h, w)
            size = (max(1, int(w * scale)), max(1, int(h * scale)))
            rgb = np.asarray(Image.fromarray(rgb).resize(size, Image.Resampling.LANCZOS))
            h, w = rgb.shape[:2]
        if self.color_tex is None or self.color_tex.size != (w, h):
            if self.color_tex is not None:
                self.color_tex.release()
            self.color_tex = ctx.texture((w, h), 3, alignment=1)
            self.color_tex.filter = (MINIFY_FILTERS[detail.minify], moderngl.LINEAR)
            self.color_tex.repeat_x = self.color_tex.repeat_y = False
        self.color_tex.write(np.ascontiguousarray(rgb).tobytes())
        if detail.minify != "bilinear":
            self.color_tex.build_mipmaps()

    def draw(self, program: moderngl.Program, pose: np.ndarray, clip_from_view: np.ndarray, depth_scale: float,
             is_anchor: bool = False, skirt: bool = False) -> None:
        """Draw the tiles of the mesh that the view can see, in as few calls as runs of consecutive visible tiles,
        and with ``skirt`` the border's skirt (see ``shaders/mesh.vert``)."""
        kf = self.keyframe
        view_from_key = camera.to_homogeneous(camera.compose(pose, camera.invert_pose(kf.pose)))
        visible = self.covered & visible_tiles(self.corners, clip_from_view @ view_from_key)
        if not visible.any() and not skirt:
            return
        # GLSL matrices are column-major: upload the transpose of our row-major matrices.
        program["view_from_key"].write(view_from_key.T.astype("f4").tobytes())
        program["key_intrinsics"].value = tuple(float(x) for x in kf.intrinsics)
        program["grid_size"].value = (self.grid[1], self.grid[0])
        program["depth_scale"].value = depth_scale
        program["is_anchor"].value = float(is_anchor)
        if program is self.renderer._detail_program:
            world_from_key = camera.to_homogeneous(camera.invert_pose(kf.pose))
            program["world_from_key"].write(world_from_key.T.astype("f4").tobytes())
            program["own_detail"].value = float(kf.own_detail)
        self.disparity_tex.use(0)
        self.edge_tex.use(1)
        self.color_tex.use(2)
        tiles = tiled_grid(*self.grid)
        edges = np.diff(np.concatenate([[0], visible.astype(np.int8), [0]]))
        vao, skirt_vao = self._vertex_arrays(program)
        for start, stop in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)):
            first = int(tiles.first[start])
            vao.render(moderngl.TRIANGLES, vertices=int(tiles.first[stop - 1] + tiles.count[stop - 1]) - first,
                       first=first)
        if skirt:
            skirt_vao.render(moderngl.TRIANGLES)

    def _vertex_arrays(self, program: moderngl.Program) -> tuple[moderngl.VertexArray, moderngl.VertexArray]:
        """The grid's and the skirt's vertex arrays for ``program`` (made on first use)."""
        if program.glo not in self.vertex_arrays:
            ctx, (h, w) = self.renderer.ctx, self.grid
            self.vertex_arrays[program.glo] = tuple(
                ctx.vertex_array(program, [], index_buffer=self.renderer.index_buffer(h, w, skirt=skirt),
                                 index_element_size=4) for skirt in (False, True))
        return self.vertex_arrays[program.glo]

    def _release_vertex_arrays(self) -> None:
        for arrays in self.vertex_arrays.values():
            for vao in arrays:
                vao.release()
        self.vertex_arrays = {}

    def release(self) -> None:
        self._release_vertex_arrays()
        for obj in (self.disparity_tex, self.edge_tex, self.color_tex):
            if obj is not None:
                obj.release()


class MeshRenderer:
    """Renders keyframe meshes from any pose, at any size.

    Layers, in priority order: an optional *anchor* (the photo, which persists for the whole flight and wins where
    it is valid), *cached* keyframes (what earlier refined frames painted, newest first; see
    :mod:`infnat_core.keyframe_cache`) and the current *keyframe* (the latest refined frame, in full). Torn triangles
    are dropped, so each layer shows only content it really saw and the layers below show through its
    disocclusions. Priority is a depth-test bias (``depth_scale``): a higher-priority layer wins over a lower one
    showing the same surface at a similar depth, but clearly nearer content of any layer still occludes it.
    With a sky dome set (``set_sky``), the meshes leave their sky pixels out and sky is drawn at infinity by
    direction only, after them and only where none of them drew: the photo's sky (from the anchor) and the dome's
    painted sky.
    Allocate once per GL context; uploads happen in ``set_keyframe``/``set_anchor``; a frame only sets uniforms and
    draws.
    """

    ANCHOR_DEPTH_SCALE = 0.8
    """The anchor is depth-tested as if 20 % nearer, so it wins over the keyframe's copy of the same surface and
    over painted fill whose depth is only roughly right; clearly nearer painted content still occludes it."""

    CACHED_DEPTH_SCALES = (0.85, 0.95)
    """Depth-test bias of the newest and the oldest drawn cached keyframe (linear in between): below the anchor,
    above the current keyframe (1.0), whose copies of cached content are resampled and so less sharp."""

    def __init__(self, ctx: moderngl.Context, stretch_threshold: float = 2.0, detail: RenderDetail = RenderDetail()):
        """``stretch_threshold``: a triangle longer on screen than this many times the length its depth change
        explains is torn (masked by the edge mask); shorter ones are valid even across depth edges."""
        self.ctx = ctx
        self.stretch_threshold = stretch_threshold
        self.detail = detail
        self.program = self._mesh_program()
        self._detail_program: moderngl.Program | None = None  # compiled when first drawn
        self._detail_tex: moderngl.Texture | None = None
        self._detail_per_unit = 1.0
        self._detail_strength = 0.0
        self.max_texture_size = int(ctx.info["GL_MAX_TEXTURE_SIZE"])
        self._index_buffers: dict[tuple[int, int, bool], moderngl.Buffer] = {}
        self._current = _Layer(self)
        self._anchor = _Layer(self)
        self._anchor_on = False
        self._cached: list[tuple[int, _Layer]] = []
        self.sky_program = ctx.program(vertex_shader=load_shader("sky.vert"), fragment_shader=load_shader("sky.frag"))
        self.sky_program["photo_disparity"].value = 0
        self.sky_program["photo_color"].value = 2
        self.sky_program["dome"].value = 3
        self.sky_program["sky_disparity"].value = SKY_DISPARITY
        self._sky_vao = ctx.vertex_array(self.sky_program, [])
        self._dome: moderngl.Texture | None = None
        self._target: _Target | None = None

    def _mesh_program(self, defines: tuple[str, ...] = ()) -> moderngl.Program:
        program = self.ctx.program(vertex_shader=load_shader("mesh.vert", defines),
                                   geometry_shader=load_shader("mesh.geom", defines),
                                   fragment_shader=load_shader("mesh.frag", defines))
        program["disparity_tex"].value = 0
        program["edge_tex"].value = 1
        program["color_tex"].value = 2
        return program

    @property
    def detail_program(self) -> moderngl.Program:
        """The mesh program's variant that draws the detail texture (compiled on first use)."""
        if self._detail_program is None:
            self._detail_program = self._mesh_program(("DETAIL",))
            self._detail_program["detail_tex"].value = 4
            self._detail_program["sky_disparity"].value = SKY_DISPARITY
        return self._detail_program

    @property
    def keyframe(self) -> Keyframe | None:
        """The current keyframe."""
        return self._current.keyframe

    def index_buffer(self, h: int, w: int, skirt: bool = False) -> moderngl.Buffer:
        """The shared triangle index buffer of an h×w grid, tile by tile (``mesh.tiled_grid``), or of its skirt."""
        key = (h, w, skirt)
        if key not in self._index_buffers:
            indices = skirt_indices(h, w) if skirt else tiled_grid(h, w).indices
            self._index_buffers[key] = self.ctx.buffer(indices.tobytes())
        return self._index_buffers[key]

    # -- keyframe upload -------------------------------------------------------------------------------------
    def set_keyframe(self, keyframe: Keyframe, edge_threshold: float = 0.3) -> None:
        """Upload the current keyframe: disparity + edge mask (mesh resolution), colour (its own resolution)."""
        self._current.upload(keyframe, edge_threshold)

    def set_anchor(self, keyframe: Keyframe | None, edge_threshold: float = 0.3) -> None:
        """Upload (or with None, drop) the persistent anchor layer."""
        self._anchor_on = keyframe is not None
        if keyframe is not None:
            self._anchor.upload(keyframe, edge_threshold)

    def set_cached(self, keyframes: list[tuple[int, Keyframe]], edge_threshold: float = 0.3) -> None:
        """Draw these cached keyframes, ``(key, keyframe)`` in priority order (first wins ties). A key already
        uploaded is reused as is; layers whose key is not given are released."""
        layers = dict(self._cached)
        kept = []
        for key, keyframe in keyframes:
            layer = layers.pop(key, None)
            if layer is None:
                layer = _Layer(self)
                layer.upload(keyframe, edge_threshold)
            kept.append((key, layer))
        for layer in layers.values():
            layer.release()
        self._cached = kept

    def set_sky(self, dome: np.ndarray | None) -> None:
        """Draw sky at infinity from the anchor's sky and ``dome`` ``(h, 2h, 4)`` uint8 (an equirectangular
        :class:`infnat_core.sky.SkyDome`), or (None) draw sky as part of each mesh."""
        if dome is None:
            if self._dome is not None:
                self._dome.release()
            self._dome = None
            return
        h, w = dome.shape[:2]
        if self._dome is None or self._dome.size != (w, h):
            if self._dome is not None:
                self._dome.release()
            self._dome = self.ctx.texture((w, h), 4)
            self._dome.filter = (moderngl.LINEAR, moderngl.LINEAR)
            self._dome.repeat_x, self._dome.repeat_y = True, False
        self._dome.write(np.ascontiguousarray(dome).tobytes())

    def set_detail(self, detail: DetailTexture | None, strength: float = 1.0) -> None:
        """Draw ``detail`` (see :mod:`infnat_core.detail`) over the meshes at ``strength`` (0 or None = none).
        ``render`` returns its gain apart (``RenderOutput.detail_gain``); ``draw`` applies it."""
        self._detail_strength = float(strength) if detail is not None and detail.contrast > 0.0 else 0.0
        if detail is None:
            return
        texture = np.ascontiguousarray(detail.texture, dtype=np.float32)
        side = texture.shape[1], texture.shape[0]
        if self._detail_tex is None or self._detail_tex.size != side:
            if self._detail_tex is not None:
                self._detail_tex.release()
            self._detail_tex = self.ctx.texture(side, 1, dtype="f4")
            self._detail_tex.filter = (moderngl.LINEAR_MIPMAP_LINEAR, moderngl.LINEAR)
            self._detail_tex.repeat_x = self._detail_tex.repeat_y = True
        self._detail_tex.write(texture.tobytes())
        self._detail_tex.build_mipmaps()
        self._detail_per_unit = detail.texels_per_unit / texture.shape[0]  # texture coordinates repeat per tile

    # -- drawing ---------------------------------------------------------------------------------------------
    def _draw(self, pose: np.ndarray, intrinsics: np.ndarray, viewport: tuple[int, int], flip_y: float,
              show_torn: bool, apply_detail: bool) -> None:
        if self._current.keyframe is None:
            raise RuntimeError("set_keyframe must be called before rendering")
        clip_from_view = camera.gl_projection(intrinsics, NEAR_PLANE, FAR_PLANE)
        detailed = self._detail_strength > 0.0
        program = self.detail_program if detailed else self.program  # the variant is compiled only when needed
        program["clip_from_view"].write(clip_from_view.T.astype("f4").tobytes())
        program["flip_y"].value = flip_y
        program["viewport_px"].value = tuple(float(v) for v in viewport)
        program["view_fx"].value = float(intrinsics[0])
        program["stretch_threshold"].value = self.stretch_threshold
        program["show_torn"].value = float(show_torn)
        program["hide_sky_below"].value = SKY_DISPARITY if self._dome is not None else -1.0
        if detailed:
            program["detail_per_unit"].value = self._detail_per_unit
            program["detail_strength"].value = self._detail_strength
            program["apply_detail"].value = float(apply_detail)
            self._detail_tex.use(4)
        self.ctx.disable(moderngl.CULL_FACE | moderngl.BLEND)
        self.ctx.enable(moderngl.DEPTH_TEST)
        if self._anchor_on:
            self._anchor.draw(program, pose, clip_from_view, self.ANCHOR_DEPTH_SCALE, is_anchor=True)
        newest, oldest = self.CACHED_DEPTH_SCALES
        for rank, (_, layer) in enumerate(self._cached):
            layer.draw(program, pose, clip_from_view, newest + (oldest - newest) * rank / max(1, len(self._cached) - 1))
        self._current.draw(program, pose, clip_from_view, 1.0, skirt=show_torn)
        if self._dome is not None:
            self._draw_sky(pose, intrinsics, viewport, flip_y, fill_gaps=show_torn)

    def _draw_sky(self, pose: np.ndarray, intrinsics: np.ndarray, viewport: tuple[int, int], flip_y: float,
                  fill_gaps: bool) -> None:
        prog = self.sky_program
        prog["fill_gaps"].value = float(fill_gaps)
        prog["viewport_px"].value = tuple(float(v) for v in viewport)
        prog["flip_y"].value = flip_y
        prog["view_intrinsics"].value = tuple(float(x) for x in intrinsics)
        # GLSL matrices are column-major: world_from_view = Rᵀ is uploaded as R's rows.
        prog["world_from_view"].write(pose[:, :3].astype("f4").tobytes())
        prog["has_photo"].value = self._anchor_on
        if self._anchor_on:
            anchor = self._anchor.keyframe
            prog["photo_from_world"].write(anchor.pose[:, :3].T.astype("f4").tobytes())
            prog["photo_intrinsics"].value = tuple(float(x) for x in anchor.intrinsics)
            self._anchor.disparity_tex.use(0)
            self._anchor.color_tex.use(2)
        self._dome.use(3)
        # Only where no mesh drew: the depth there is still the cleared 1.0, the sky's own depth.
        self.ctx.depth_func = "<="
        self._sky_vao.render(moderngl.TRIANGLES, vertices=3)
        self.ctx.depth_func = "<"

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
        self._draw(pose, intrinsics, (width, height), flip_y=1.0, show_torn=False, apply_detail=False)
        t.fbo.read_into(t.color_out, components=4, attachment=0)
        t.fbo.read_into(t.geometry_out, components=2, attachment=1, dtype="f4")
        rgb = t.color_out[..., :3].astype(np.float32) * (1.0 / 255.0)
        mask = t.color_out[..., 3].astype(np.float32) * (1.0 / 255.0)
        detail = None
        if self._detail_strength > 0.0:
            t.fbo.read_into(t.detail_out, components=1, attachment=2, dtype="f4")
            detail = t.detail_out.copy()
        return RenderOutput(rgb=rgb, disparity=t.geometry_out[..., 0].copy(), mask=mask,
                            from_anchor=t.geometry_out[..., 1] > 0.5, detail_gain=detail)

    def draw(self, framebuffer: moderngl.Framebuffer, pose: np.ndarray, intrinsics: np.ndarray) -> None:
        """Draw the colour of the view into an on-screen framebuffer (e.g. a Qt widget's), filling its viewport.

        Unlike ``render``, torn triangles are drawn too — stretched, behind every valid surface — the current
        keyframe's skirt extends it beyond its edge, and sky that the photo's land hid takes the photo's sky above
        it, so disocclusions and what turning brings into view show plausible surroundings instead of black until a
        refinement paints them."""
        framebuffer.use()
        w, h = framebuffer.size
        framebuffer.viewport = (0, 0, w, h)
        framebuffer.clear(0.0, 0.0, 0.0, 1.0, depth=1.0)
        framebuffer.color_mask = (True, True, True, False)
        self._draw(pose, intrinsics, (w, h), flip_y=-1.0, show_torn=True, apply_detail=True)
        framebuffer.color_mask = (True, True, True, True)
