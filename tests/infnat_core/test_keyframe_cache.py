import numpy as np
import pytest

from infnat_core import camera
from infnat_core.errors import InfnatError
from infnat_core.keyframe_cache import KeyframeCache, KeyframeCacheConfig
from infnat_core.render import Keyframe, MeshRenderer

H, W = 32, 48
K = camera.intrinsics_from_fov(60, W, H)


def _keyframe(value: float, pose: np.ndarray, disparity: float = 0.2) -> Keyframe:
    return Keyframe(np.full((H, W, 3), value, np.float32), np.full((H, W), disparity, np.float32), pose, K)


def _yaw(deg: float) -> np.ndarray:
    a = np.radians(deg)
    return camera.pose_from_look(np.zeros(3), np.array([np.sin(a), 0.0, np.cos(a)]), np.array([0.0, 1.0, 0.0]))


ALL_PAINTED = np.zeros((H, W), np.float32)
"""A render mask with nothing rendered: the refiner painted the whole keyframe."""


class TestKeyframeCache:
    def test_selects_only_keyframes_that_see_the_view_newest_first(self):
        cache = KeyframeCache(KeyframeCacheConfig(max_drawn=4))
        for value, yaw in [(0.1, 0.0), (0.2, 90.0), (0.3, 5.0)]:
            assert cache.add(_keyframe(value, _yaw(yaw)), ALL_PAINTED)
        chosen = cache.select(_yaw(0.0), K)
        assert [float(kf.rgb[0, 0, 0]) for _, kf in chosen] == pytest.approx([0.3 * 255, 0.1 * 255], abs=1)
        assert cache.select(_yaw(180.0), K) == []

    def test_draws_at_most_max_drawn_preferring_most_on_screen(self):
        cache = KeyframeCache(KeyframeCacheConfig(max_drawn=1))
        cache.add(_keyframe(0.1, _yaw(25.0)), ALL_PAINTED)
        cache.add(_keyframe(0.2, _yaw(2.0)), ALL_PAINTED)
        cache.add(_keyframe(0.3, _yaw(-25.0)), ALL_PAINTED)
        (key, kf), = cache.select(_yaw(0.0), K)
        assert key == 1

    def test_keyframe_that_painted_nothing_is_not_kept(self):
        cache = KeyframeCache()
        assert not cache.add(_keyframe(0.5, _yaw(0)), np.ones((H, W), np.float32))
        assert len(cache) == 0

    def test_count_bound_evicts_the_least_recently_drawn(self):
        cache = KeyframeCache(KeyframeCacheConfig(max_keyframes=2, max_drawn=2))
        cache.add(_keyframe(0.1, _yaw(0.0)), ALL_PAINTED)
        cache.add(_keyframe(0.2, _yaw(120.0)), ALL_PAINTED)
        cache.select(_yaw(0.0), K)  # draws the first one: the second is now the stalest
        cache.add(_keyframe(0.3, _yaw(-120.0)), ALL_PAINTED)
        assert len(cache) == 2
        assert cache.select(_yaw(120.0), K) == []
        assert len(cache.select(_yaw(0.0), K)) == 1

    def test_memory_bound_is_kept_and_keyframes_are_stored_compactly(self):
        big = Keyframe(np.zeros((400, 600, 3), np.float32), np.full((80, 120), 0.2, np.float32), _yaw(0), K)
        config = KeyframeCacheConfig(max_megabytes=0.5, texture_max_side=256, mesh_max_side=60)
        cache = KeyframeCache(config)
        for _ in range(10):
            cache.add(big, np.zeros((400, 600), np.float32))
        stored = cache.select(_yaw(0), K)[0][1]
        assert stored.rgb.dtype == np.uint8 and max(stored.rgb.shape[:2]) == 256
        assert stored.disparity.shape == stored.coverage.shape == (40, 60)
        assert 0 < cache.nbytes <= 0.5 * 2**20

    def test_off_keeps_nothing(self):
        cache = KeyframeCache(KeyframeCacheConfig(max_keyframes=0))
        assert not cache.add(_keyframe(0.5, _yaw(0)), ALL_PAINTED)

    def test_rejects_negative_bounds(self):
        with pytest.raises(InfnatError):
            KeyframeCacheConfig(max_drawn=-1)


def test_cached_layer_fills_what_the_current_keyframe_never_saw(gl_ctx):
    renderer = MeshRenderer(gl_ctx)
    left = _yaw(-30.0)
    renderer.set_keyframe(_keyframe(0.9, camera.identity_pose()))
    out = renderer.render(left, K, W, H)
    assert out.mask[:, :5].max() == 0.0  # the current keyframe does not reach that far left
    renderer.set_cached([(7, _keyframe(0.3, left, 0.2))])
    out = renderer.render(left, K, W, H)
    assert out.mask[2:-2, 2:-2].min() == 1.0
    assert out.rgb[H // 2, 3, 0] == pytest.approx(0.3, abs=0.01)
    renderer.set_cached([])
    assert renderer.render(left, K, W, H).mask[:, :5].max() == 0.0


def test_coverage_limits_what_a_layer_draws(gl_ctx):
    renderer = MeshRenderer(gl_ctx)
    coverage = np.zeros((H, W), np.float32)
    coverage[:, : W // 2] = 1.0
    kf = _keyframe(0.5, camera.identity_pose())
    renderer.set_keyframe(Keyframe(kf.rgb, kf.disparity, kf.pose, kf.intrinsics, coverage))
    out = renderer.render(camera.identity_pose(), K, W, H)
    assert out.mask[H // 2, 3] == 1.0 and out.mask[H // 2, -4] == 0.0
