import numpy as np
import pytest

from infnat_core import camera
from infnat_core.render import Keyframe, MeshRenderer
from infnat_core.sky import SkyDome, dome_coordinates

H, W = 48, 64
K = camera.intrinsics_from_fov(60, W, H)


def _photo() -> Keyframe:
    """Sky (disparity at the floor) over the top half, a green plane at depth 5 below; sky colour varies by column."""
    rgb = np.zeros((H, W, 3), np.float32)
    rgb[: H // 2, :, 2] = np.linspace(0.2, 1.0, W)[None, :]
    rgb[H // 2 :, :, 1] = 0.8
    disparity = np.full((H, W), 0.2, np.float32)
    disparity[: H // 2] = 0.01
    return Keyframe(rgb, disparity, camera.identity_pose(), K)


def test_sky_stays_put_while_the_camera_translates(gl_ctx):
    renderer = MeshRenderer(gl_ctx)
    photo = _photo()
    renderer.set_anchor(photo)
    renderer.set_keyframe(photo)
    renderer.set_sky(SkyDome(64).rgba)
    pose = camera.identity_pose()
    pose[0, 3] = -3.0  # 3 units to the right: a mesh at depth 100 would shift by 3 % of the view
    still = renderer.render(camera.identity_pose(), K, W, H)
    moved = renderer.render(pose, K, W, H)
    np.testing.assert_allclose(moved.rgb[2:10, 2:-2], still.rgb[2:10, 2:-2], atol=2 / 255)
    assert moved.disparity[4, W // 2] == pytest.approx(0.01) and moved.mask[4, W // 2] == 1.0
    renderer.set_sky(None)  # the sky as part of the mesh moves with translation
    assert np.abs(renderer.render(pose, K, W, H).rgb[4, 8:-8, 2] - still.rgb[4, 8:-8, 2]).max() > 0.02


def test_painted_sky_is_kept_by_direction_and_drawn_when_looking_back():
    dome = SkyDome(32)
    rgb = np.full((H, W, 3), 0.5, np.float32)
    disparity = np.full((H, W), 0.01, np.float32)
    painted = np.zeros((H, W), bool)
    painted[:, W // 2 :] = True
    assert dome.paint(rgb, disparity, painted, camera.identity_pose(), K)
    assert not dome.paint(rgb * 0, disparity, painted, camera.identity_pose(), K)  # first paint stays
    row, col = dome_coordinates(np.array([[0.2, 0.0, 1.0], [-0.2, 0.0, 1.0]]), 32)
    assert dome.rgba[row[0], col[0]].tolist() == [128, 128, 128, 255]
    assert dome.rgba[row[1], col[1], 3] == 0  # only the painted (right) half was kept


def test_dome_sky_fills_views_beyond_the_photo(gl_ctx):
    renderer = MeshRenderer(gl_ctx)
    photo = _photo()
    renderer.set_anchor(photo)
    renderer.set_keyframe(photo)
    dome = SkyDome(128)
    right = camera.pose_from_look(np.zeros(3), np.array([1.0, 0.0, 1.0]), np.array([0.0, 1.0, 0.0]))
    renderer.set_sky(dome.rgba)
    assert renderer.render(right, K, W, H).mask[4, -8:].max() == 0.0  # beyond the photo: nothing yet
    disparity = np.full((H, W), 0.01, np.float32)
    dome.paint(np.full((H, W, 3), 0.7, np.float32), disparity, np.ones((H, W), bool), right, K)
    renderer.set_sky(dome.rgba)
    out = renderer.render(right, K, W, H)
    assert out.mask[4, -8:].min() == 1.0 and out.rgb[4, -8, 0] == pytest.approx(0.7, abs=0.02)


def test_on_screen_sky_hidden_behind_land_takes_the_photos_sky_above_it(gl_ctx):
    renderer = MeshRenderer(gl_ctx)
    photo = _photo()
    disparity = photo.disparity.copy()
    disparity[8 : H // 2 + 2, 28:36] = 0.8  # a near tower standing into the sky
    rgb = photo.rgb.copy()
    rgb[8 : H // 2 + 2, 28:36] = (0.9, 0.3, 0.1)
    photo = Keyframe(rgb, disparity, camera.identity_pose(), K)
    renderer.set_anchor(photo)
    renderer.set_keyframe(photo)
    renderer.set_sky(SkyDome(64).rgba)  # nothing painted yet
    pose = camera.identity_pose()
    pose[0, 3] = -0.4  # to the right: the tower slides left and uncovers the sky it hid
    out = renderer.render(pose, K, W, H)
    gap = (slice(10, 20), slice(33, 36))
    assert out.mask[gap].max() == 0.0  # read back for refinement: a hole to paint
    target = gl_ctx.framebuffer([gl_ctx.renderbuffer((W, H), 4)], gl_ctx.depth_renderbuffer((W, H)))
    renderer.draw(target, pose, K)
    shown = np.frombuffer(target.read(components=3), np.uint8).reshape(H, W, 3)[::-1] / 255.0
    sky = shown[gap]
    assert sky[..., 2].min() > 0.5 and sky[..., 0].max() < 0.2  # on screen: blue sky, not black, not the tower


def test_on_screen_sky_beyond_the_photos_edge_takes_the_edges_sky(gl_ctx):
    renderer = MeshRenderer(gl_ctx)
    photo = _photo()
    renderer.set_anchor(photo)
    renderer.set_keyframe(photo)
    renderer.set_sky(SkyDome(64).rgba)  # nothing painted yet
    look_up = camera.pose_from_look(np.zeros(3), np.array([0.0, -0.5, 1.0]), np.array([0, 1.0, 0]))
    out = renderer.render(look_up, K, W, H)
    assert out.mask[:3, 4:-4].max() == 0.0  # above the photo's top edge: a hole to paint
    target = gl_ctx.framebuffer([gl_ctx.renderbuffer((W, H), 4)], gl_ctx.depth_renderbuffer((W, H)))
    renderer.draw(target, look_up, K)
    shown = np.frombuffer(target.read(components=3), np.uint8).reshape(H, W, 3)[::-1] / 255.0
    top = shown[:3, 4:-4]
    assert top[..., 2].min() > 0.15 and top[..., 1].max() < 0.1  # the photo's blue edge sky, not black
