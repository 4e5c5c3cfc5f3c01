import numpy as np
import pytest

from infnat_core import camera
from infnat_core.detail import photo_detail
from infnat_core.render import Keyframe, MeshRenderer

K = camera.intrinsics_from_fov(60, 320, 240)


def _grass(h=240, w=320, seed=0):
    """A textured 'photo': fine-grained luminance noise over green."""
    rng = np.random.default_rng(seed)
    grain = rng.uniform(0.5, 1.0, (h, w, 1)).astype(np.float32)
    return (grain * np.array([0.3, 0.6, 0.2], np.float32) * 255).astype(np.uint8)


def _ground(h=240, w=320, depth=2.0):
    return np.full((h, w), 1.0 / depth, np.float32)


def test_texture_is_tileable_and_has_the_photos_grain():
    detail = photo_detail(_grass(), _ground(), K)
    t = detail.texture
    assert t.shape == (128, 128) and t.dtype == np.float32  # the largest power of two the 240-row photo holds
    # Seamless: across the wrap-around, neighbours differ as much as anywhere inside, not more.
    inside = np.abs(np.diff(t, axis=1)).mean()
    wrap = np.abs(t[:, 0] - t[:, -1]).mean()
    assert wrap < 1.3 * inside
    # Uniform grain of ±33 % luminance: a log contrast of about 0.19 (the coarsest scales are left out).
    assert 0.08 < detail.contrast < 0.25


def test_flat_photo_has_no_detail_and_a_seed_changes_only_the_pattern():
    flat = np.full((240, 320, 3), 120, np.uint8)
    assert photo_detail(flat, _ground(), K).contrast == pytest.approx(0.0, abs=1e-6)
    a, b = photo_detail(_grass(), _ground(), K, seed=1), photo_detail(_grass(), _ground(), K, seed=2)
    np.testing.assert_array_equal(a.texture, photo_detail(_grass(), _ground(), K, seed=1).texture)
    assert np.corrcoef(a.texture.ravel(), b.texture.ravel())[0, 1] < 0.2
    assert a.contrast == pytest.approx(b.contrast, rel=0.1)


def test_ground_under_a_partly_sky_patch_keeps_its_grain():
    all_ground = photo_detail(_grass(), _ground(), K)
    disparity = _ground()
    disparity[:200] = 0.01  # sky down to 40 rows above the bottom: the patch is mostly sky
    assert photo_detail(_grass(), disparity, K).contrast == pytest.approx(all_ground.contrast, rel=0.25)


def test_tiny_or_all_sky_photos_get_no_detail():
    for h, w in ((1, 300), (12, 12), (3, 2)):
        detail = photo_detail(np.full((h, w, 3), 90, np.uint8), np.full((h, w), 0.5, np.float32), K)
        assert detail.contrast == 0.0 and np.isfinite(detail.texture).all()
    assert photo_detail(_grass(), np.full((240, 320), 0.01, np.float32), K).contrast == 0.0


def test_texture_is_isotropic_even_from_streaked_ground():
    """The photo sees its ground foreshortened (streaks across); the texture laid on the ground must not be."""
    rng = np.random.default_rng(0)
    rows = rng.uniform(0.3, 1.0, (240, 1, 1))
    streaked = (np.broadcast_to(rows, (240, 320, 3)) * 255).astype(np.uint8)
    t = photo_detail(streaked, _ground(), K).texture
    along, across = np.abs(np.diff(t, axis=1)).mean(), np.abs(np.diff(t, axis=0)).mean()
    assert along == pytest.approx(across, rel=0.15)


def test_texels_sit_at_the_photo_grounds_scale():
    near = photo_detail(_grass(), _ground(depth=2.0), K)
    far = photo_detail(_grass(), _ground(depth=4.0), K)
    assert near.texels_per_unit == pytest.approx(2 * far.texels_per_unit, rel=1e-3)
    # One texel is one pixel of the photo at its ground's depth (this photo is smaller than the analysis size).
    assert near.texels_per_unit == pytest.approx(K[0] * 320 / 2.0, rel=1e-3)


def _wall(h=96, w=128, pose=None, own_detail=False):
    """A grey wall at depth 2, seen from ``pose`` (identity by default)."""
    pose = camera.identity_pose() if pose is None else pose
    k = camera.intrinsics_from_fov(60, w, h)
    return Keyframe(np.full((h, w, 3), 0.5, np.float32), np.full((h, w), 0.5, np.float32), pose, k,
                    own_detail=own_detail), k


def test_refined_keyframes_get_detail_and_the_finished_frame_shows_it(gl_ctx):
    renderer = MeshRenderer(gl_ctx)
    wall, k = _wall()
    renderer.set_keyframe(wall)
    renderer.set_detail(photo_detail(_grass(), _ground(), K), 1.0)
    out = renderer.render(camera.identity_pose(), k, 128, 96)
    inner = (slice(4, -4), slice(4, -4))
    assert out.detail_gain[inner].std() > 0.03
    np.testing.assert_allclose(out.rgb[inner], 0.5, atol=1 / 255)  # the render itself stays free of detail
    finished = out.finished(out.rgb)
    assert finished[inner].std() > 0.01
    g, shown = out.detail_gain[inner], finished[inner][..., 0]
    # The gain applies to the colour's odds: mid grey's odds of 1 become exp(gain), and highlights never clip.
    np.testing.assert_allclose(shown / (1 - shown), np.exp(g), rtol=0.05)
    bright = out.finished(np.full_like(out.rgb, 0.98))
    assert bright[inner].max() < 1.0 and bright[inner].std() > 0.002  # grain, but no white specks
    renderer.set_detail(None)
    assert renderer.render(camera.identity_pose(), k, 128, 96).detail_gain is None


def test_a_photo_seen_at_its_own_resolution_gets_no_detail(gl_ctx):
    renderer = MeshRenderer(gl_ctx)
    photo, k = _wall(own_detail=True)
    renderer.set_keyframe(photo)
    renderer.set_detail(photo_detail(_grass(), _ground(), K), 1.0)
    assert np.abs(renderer.render(camera.identity_pose(), k, 64, 48).detail_gain).max() == 0.0  # minified
    closer = camera.identity_pose()
    closer[2, 3] = -1.5  # 4× closer: the photo is magnified and lacks the finest octaves
    assert renderer.render(closer, k, 128, 96).detail_gain[8:-8, 8:-8].std() > 0.01


def test_detail_stays_on_the_world_when_the_keyframe_changes(gl_ctx):
    """A new keyframe of the same surface must not shift the pattern (it would jump at every refinement)."""
    renderer = MeshRenderer(gl_ctx)
    renderer.set_detail(photo_detail(_grass(), _ground(), K), 1.0)
    view = camera.identity_pose()
    first, k = _wall()
    renderer.set_keyframe(first)
    a = renderer.render(view, k, 128, 96).detail_gain
    moved = camera.identity_pose()
    moved[0, 3] = -0.1  # the next keyframe's camera, 0.1 to the right (cam_from_world), same wall at depth 2
    second, _ = _wall(pose=moved)
    renderer.set_keyframe(second)
    b = renderer.render(view, k, 128, 96).detail_gain
    both = (slice(8, -8), slice(8, -24))
    assert np.abs(a[both] - b[both]).mean() < 0.1 * np.abs(a[both]).mean()


def test_sky_gets_no_detail_even_without_a_sky_dome(gl_ctx):
    renderer = MeshRenderer(gl_ctx)
    wall, k = _wall()
    disparity = wall.disparity.copy()
    disparity[:48] = 0.01  # the top half is sky, drawn as part of the mesh (no dome)
    renderer.set_keyframe(Keyframe(wall.rgb, disparity, wall.pose, k))
    renderer.set_detail(photo_detail(_grass(), _ground(), K), 1.0)
    out = renderer.render(camera.identity_pose(), k, 128, 96)
    assert out.mask[4:40, 4:-4].min() > 0.5  # the sky is drawn ...
    assert np.abs(out.detail_gain[4:44]).max() == 0.0  # ... without grain
    assert out.detail_gain[56:-4, 4:-4].std() > 0.03


def test_detail_can_be_turned_on_and_off_on_a_renderer_in_use(gl_ctx):
    renderer = MeshRenderer(gl_ctx)
    wall, k = _wall()
    renderer.set_keyframe(wall)
    plain = renderer.render(camera.identity_pose(), k, 128, 96)
    assert renderer._detail_program is None  # without detail its shader variant is never compiled (its cost)
    texture = photo_detail(_grass(), _ground(), K)
    renderer.set_detail(texture, 1.0)
    one = renderer.render(camera.identity_pose(), k, 128, 96).detail_gain
    renderer.set_detail(texture, 0.0)
    off = renderer.render(camera.identity_pose(), k, 128, 96)
    renderer.set_detail(texture, 2.0)
    two = renderer.render(camera.identity_pose(), k, 128, 96).detail_gain
    assert off.detail_gain is None and np.array_equal(off.rgb, plain.rgb)
    inner = (slice(4, -4), slice(4, -4))
    np.testing.assert_allclose(two[inner], np.clip(2 * one[inner], -1, 1), atol=1e-4)


def test_a_harsh_patch_gives_bounded_grain():
    rng = np.random.default_rng(3)
    pebbles = (rng.choice([0.02, 0.9], (240, 320, 1)) * np.ones(3) * 255).astype(np.uint8)  # black and white dots
    assert photo_detail(pebbles, _ground(), K).contrast == pytest.approx(0.25, rel=0.01)
