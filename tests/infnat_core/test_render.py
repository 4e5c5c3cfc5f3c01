import numpy as np
import pytest

from infnat_core import camera
from infnat_core.mesh import skirt_indices, visible_tiles
from infnat_core.render import Keyframe, MeshRenderer, RenderDetail


def _checker(h, w, cells=8):
    yy, xx = np.mgrid[0:h, 0:w]
    c = ((yy * cells // h + xx * cells // w) % 2).astype(np.float32)
    return np.stack([c, 0.5 * np.ones_like(c), 1 - c], -1)


@pytest.fixture()
def renderer(gl_ctx):
    return MeshRenderer(gl_ctx)


def test_identity_view_reproduces_the_photo(renderer):
    h, w = 48, 64
    rgb = _checker(h, w)
    k = camera.intrinsics_from_fov(60, w, h)
    renderer.set_keyframe(Keyframe(rgb, np.full((h, w), 0.2, np.float32), camera.identity_pose(), k))
    out = renderer.render(camera.identity_pose(), k, w, h)
    inner = (slice(2, -2), slice(2, -2))  # the mesh spans pixel centres: the outermost half pixel is not covered
    np.testing.assert_allclose(out.rgb[inner], rgb[inner], atol=2 / 255)
    np.testing.assert_allclose(out.disparity[inner], 0.2, rtol=1e-4)
    assert out.mask[inner].min() > 0.99


def test_forward_motion_magnifies_plane(renderer):
    h, w = 128, 128
    rgb = np.zeros((h, w, 3), np.float32)
    rgb[48:80, 48:80] = 1.0  # a white square, 32 px wide, in the middle
    k = camera.intrinsics_from_fov(60, w, h)
    depth = 4.0
    renderer.set_keyframe(Keyframe(rgb, np.full((h, w), 1 / depth, np.float32), camera.identity_pose(), k))
    pose = camera.identity_pose()
    pose[2, 3] = -2.0  # camera 2 units forward: plane now at depth 2 → ×2 magnification
    out = renderer.render(pose, k, w, h)
    white_cols = np.flatnonzero(out.rgb[h // 2, :, 0] > 0.5)
    assert white_cols.size == pytest.approx(64, abs=2)
    assert out.disparity[h // 2, w // 2] == pytest.approx(0.5, rel=1e-3)


def test_depth_step_tears_instead_of_smearing(renderer):
    h, w = 64, 96
    disp = np.full((h, w), 0.05, np.float32)
    disp[:, w // 2 :] = 0.8  # near right half, far left half
    k = camera.intrinsics_from_fov(60, w, h)
    renderer.set_keyframe(Keyframe(np.full((h, w, 3), 0.7, np.float32), disp, camera.identity_pose(), k))
    pose = camera.identity_pose()
    pose[0, 3] = 0.3  # camera 0.3 to the left: the near half slides right more than the far half, opening a gap
    out = renderer.render(pose, k, w, h)
    row = out.mask[h // 2, 4:-4]
    torn = np.flatnonzero(row < 0.5)
    assert torn.size >= 5, "the disoccluded gap should be masked"
    assert np.all(np.diff(torn) == 1), "one contiguous gap"
    # Far content left of the gap and near content right of it stay valid.
    assert row[: torn.min() - 1].min() > 0.99 and row[torn.max() + 2 :].min() > 0.99
    # The stretched wall inside the gap is dropped, not smeared: colour and disparity stay 0 there.
    gap = 4 + int(torn.mean())
    assert out.disparity[h // 2, gap] == 0 and out.rgb[h // 2, gap].max() == 0


def test_out_of_frame_is_masked(renderer):
    h, w = 40, 60
    k = camera.intrinsics_from_fov(60, w, h)
    renderer.set_keyframe(Keyframe(np.ones((h, w, 3), np.float32), np.full((h, w), 0.5, np.float32), camera.identity_pose(), k))
    look_right = camera.pose_from_look(np.zeros(3), np.array([0.5, 0, 1.0]), np.array([0, 1.0, 0]))
    out = renderer.render(look_right, k, w, h)
    assert out.mask[:, -5:].max() == 0 and out.rgb[:, -5:].max() == 0
    assert out.mask[:, :5].min() > 0.99


def test_native_resolution_texture_is_sampled(renderer):
    # A 1-px stripe pattern in an 8× larger texture than the mesh survives a render at texture resolution.
    h, w = 24, 32
    big = np.zeros((h * 8, w * 8, 3), np.uint8)
    big[:, ::2] = 255
    k = camera.intrinsics_from_fov(60, w, h)
    renderer.set_keyframe(Keyframe(big, np.full((h, w), 0.3, np.float32), camera.identity_pose(), k))
    out = renderer.render(camera.identity_pose(), k, w * 8, h * 8)
    row = out.rgb[h * 4, 16:-16, 0]
    assert np.abs(np.diff(row)).mean() > 0.8  # alternating black/white, not averaged to grey


def test_depth_edge_that_does_not_open_stays_valid(renderer):
    # At the keyframe's own pose (and for small moves) nothing is disoccluded: no torn fringe along depth edges.
    h, w = 64, 96
    disp = np.full((h, w), 0.05, np.float32)
    disp[:, w // 2 :] = 0.8
    k = camera.intrinsics_from_fov(60, w, h)
    renderer.set_keyframe(Keyframe(np.full((h, w, 3), 0.7, np.float32), disp, camera.identity_pose(), k))
    out = renderer.render(camera.identity_pose(), k, w, h)
    assert out.mask[2:-2, 2:-2].min() > 0.99


def _far_anchor_under_a_near_right_half(renderer, h=64, w=96):
    """Anchor: a far plane (disparity 0.05, grey 0.2); keyframe: the same plane with its right half near (0.8),
    grey 0.9; both at the identity pose. Returns the intrinsics."""
    k = camera.intrinsics_from_fov(60, w, h)
    far = np.full((h, w), 0.05, np.float32)
    renderer.set_anchor(Keyframe(np.full((h, w, 3), 0.2, np.float32), far, camera.identity_pose(), k))
    near_right = far.copy()
    near_right[:, w // 2 :] = 0.8
    renderer.set_keyframe(Keyframe(np.full((h, w, 3), 0.9, np.float32), near_right, camera.identity_pose(), k))
    return k


def test_anchor_shows_through_the_keyframes_disocclusions_and_wins_ties(renderer):
    h, w = 64, 96
    k = _far_anchor_under_a_near_right_half(renderer, h, w)
    out = renderer.render(camera.identity_pose(), k, w, h)
    # Same far surface in both layers: the anchor (photo) wins; the near half exists only in the keyframe.
    assert out.rgb[h // 2, 10, 0] == pytest.approx(0.2, abs=0.01)
    assert out.rgb[h // 2, w - 10, 0] == pytest.approx(0.9, abs=0.01)
    pose = camera.identity_pose()
    pose[0, 3] = 0.3
    out = renderer.render(pose, k, w, h)
    # The keyframe's disocclusion gap is covered by the anchor's far plane: no hole.
    assert out.mask[4:-4, 4:-4].min() == 1.0
    renderer.set_anchor(None)
    assert renderer.render(pose, k, w, h).mask[4:-4, 4:-4].min() == 0.0


def test_coarse_detail_draws_a_smaller_mesh_with_the_full_colour(gl_ctx):
    h, w = 48, 64
    rgb = _checker(h * 4, w * 4, cells=32)
    k = camera.intrinsics_from_fov(60, w, h)
    coarse = MeshRenderer(gl_ctx, detail=RenderDetail(max_grid_side=16, minify="mipmap"))
    coarse.set_keyframe(Keyframe(rgb, np.full((h, w), 0.25, np.float32), camera.identity_pose(), k))
    assert coarse._current.grid == (12, 16)
    out = coarse.render(camera.identity_pose(), k, w * 4, h * 4)
    inner = (slice(16, -16), slice(16, -16))  # the coarse mesh spans its own (larger) cell centres
    np.testing.assert_allclose(out.rgb[inner], rgb[inner], atol=3 / 255)  # the 8-px checker is still there
    np.testing.assert_allclose(out.disparity[inner], 0.25, rtol=1e-4)


def test_bilinear_detail_caps_the_colour_and_still_shows_it(gl_ctx):
    h, w = 48, 64
    rgb = _checker(h * 4, w * 4, cells=4)  # 64-px cells: survive a 4× smaller texture
    k = camera.intrinsics_from_fov(60, w, h)
    cheap = MeshRenderer(gl_ctx, detail=RenderDetail(minify="bilinear", max_color_side=64))
    cheap.set_keyframe(Keyframe(rgb, np.full((h, w), 0.25, np.float32), camera.identity_pose(), k))
    assert cheap._current.color_tex.size == (64, 48)
    out = cheap.render(camera.identity_pose(), k, w, h)
    cells = (slice(2, 10), slice(2, 14))  # inside the top-left cell, away from its edges
    np.testing.assert_allclose(out.rgb[cells], rgb[8:40:4, 8:56:4], atol=3 / 255)
    with pytest.raises(ValueError, match="minify"):
        RenderDetail(minify="anisotropic")


def test_render_reports_which_pixels_the_anchor_drew(renderer):
    h, w = 64, 96
    k = _far_anchor_under_a_near_right_half(renderer, h, w)
    out = renderer.render(camera.identity_pose(), k, w, h)
    assert out.from_anchor[4:-4, 4 : w // 2 - 4].all()  # same far surface: the photo wins and says so
    assert not out.from_anchor[4:-4, w // 2 + 4 : -4].any()  # nearer keyframe content
    assert not out.from_anchor[out.mask < 0.5].any()


def test_tiles_out_of_view_are_not_drawn_but_the_view_is_unchanged(renderer):
    h, w = 64, 96
    k = camera.intrinsics_from_fov(60, w, h)
    rgb = _checker(h, w)
    renderer.set_keyframe(Keyframe(rgb, np.full((h, w), 0.5, np.float32), camera.identity_pose(), k))
    # Turned 20° right: the left part of the keyframe leaves the view; what remains is drawn as before.
    pose = camera.pose_from_look(np.zeros(3), np.array([np.tan(np.radians(20)), 0, 1.0]), np.array([0, 1.0, 0]))
    clip = camera.gl_projection(k, 0.01, 1000.0) @ camera.to_homogeneous(pose)
    layer = renderer._current
    visible = visible_tiles(layer.corners, clip)
    assert 0 < visible.sum() < visible.size
    out = renderer.render(pose, k, w, h)
    assert out.mask[4:-4, 4 : w // 2].min() == 1.0  # the part still in view is complete
    assert out.mask[:, -4:].max() == 0.0  # beyond the keyframe's edge


def test_on_screen_draw_shows_disocclusions_smeared_not_black(renderer, gl_ctx):
    h, w = 64, 96
    disp = np.full((h, w), 0.05, np.float32)
    disp[:, w // 2 :] = 0.8
    k = camera.intrinsics_from_fov(60, w, h)
    renderer.set_keyframe(Keyframe(np.full((h, w, 3), 0.7, np.float32), disp, camera.identity_pose(), k))
    pose = camera.identity_pose()
    pose[0, 3] = 0.3
    gap = np.flatnonzero(renderer.render(pose, k, w, h).mask[h // 2, 4:-4] < 0.5) + 4
    assert gap.size >= 5  # read back for refinement: a hole
    target = gl_ctx.framebuffer([gl_ctx.renderbuffer((w, h), 4)], gl_ctx.depth_renderbuffer((w, h)))
    renderer.draw(target, pose, k)
    shown = np.frombuffer(target.read(components=3), np.uint8).reshape(h, w, 3)
    assert shown[h // 2, gap].min() > 150  # on screen: the stretched surface (0.7 grey), not black


def test_on_screen_draw_extends_the_picture_beyond_its_edge(renderer, gl_ctx):
    h, w = 40, 60
    k = camera.intrinsics_from_fov(60, w, h)
    rgb = np.zeros((h, w, 3), np.float32)
    rgb[..., 1] = 0.8  # green, with a red right edge column
    rgb[:, -1] = (0.9, 0.1, 0.1)
    renderer.set_keyframe(Keyframe(rgb, np.full((h, w), 0.5, np.float32), camera.identity_pose(), k))
    look_right = camera.pose_from_look(np.zeros(3), np.array([0.5, 0, 1.0]), np.array([0, 1.0, 0]))
    assert renderer.render(look_right, k, w, h).mask[:, -5:].max() == 0  # for refinement: out of frame
    target = gl_ctx.framebuffer([gl_ctx.renderbuffer((w, h), 4)], gl_ctx.depth_renderbuffer((w, h)))
    renderer.draw(target, look_right, k)
    shown = np.frombuffer(target.read(components=3), np.uint8).reshape(h, w, 3)
    beyond = shown[2:-2, -5:].reshape(-1, 3)
    assert (beyond[:, 0] > 2 * beyond[:, 1]).all()  # on screen: the red edge, smeared outward (not black)


def test_skirt_joins_every_border_vertex_to_its_own_skirt_vertex():
    h, w = 5, 7
    tris = skirt_indices(h, w).reshape(-1, 3)
    border = 2 * w + 2 * h - 4
    assert tris.shape == (2 * border, 3)
    grid = tris[tris < h * w]
    rows, cols = np.divmod(grid, w)
    assert np.all((rows == 0) | (rows == h - 1) | (cols == 0) | (cols == w - 1))  # only border vertices
    assert set(tris[tris >= h * w].tolist()) == set(range(h * w, h * w + border))
