import math

import numpy as np
import pytest

from infnat_core import camera
from infnat_core.data.appearance import random_appearance
from infnat_core.data.terrain_mesh import TerrainMeshConfig, build_terrain_mesh, grid_offsets
from infnat_core.data.terrain_render import TerrainRenderConfig, TerrainRenderer

from tests.infnat_core.data.helpers import flat_terrain

H, W = 60, 96


def analytic_disparity(pose, intrinsics, plane_height):
    """Disparity of the plane y = −plane_height seen from a pose (0.01 where the ray misses it)."""
    u, v = camera.pixel_centres(H, W)
    fx, fy, cx, cy = intrinsics
    rays_cam = np.stack([(u - cx) / fx, (v - cy) / fy, np.ones_like(u)], axis=-1)  # z = 1: ray length = depth
    rays_world = rays_cam @ pose[:, :3]  # R^T applied to each ray
    centre = camera.camera_position(pose)
    with np.errstate(divide="ignore"):
        depth = (-plane_height - centre[1]) / rays_world[..., 1]
    hit = depth > 0
    return np.where(hit, 1.0 / np.where(hit, depth, 1.0), 0.01).clip(0.01, 1.0), depth


@pytest.fixture(scope="module")
def flat_scene(gl_ctx):
    terrain = flat_terrain(height_m=100.0, metres_per_unit=50.0)  # plane at height 2
    renderer = TerrainRenderer(gl_ctx, TerrainRenderConfig(supersample=1))
    mesh_cfg = TerrainMeshConfig(vertices_per_side=64)
    appearance = random_appearance(terrain, np.random.default_rng(0))
    renderer.set_scene(build_terrain_mesh(terrain, (0.0, 0.0), mesh_cfg), appearance, mesh_cfg.radius)
    return renderer


@pytest.mark.parametrize("pitch_deg, yaw_deg, height", [(20.0, 0.0, 5.0), (8.0, 35.0, 2.6)])
def test_flat_plane_disparity_is_exact(flat_scene, pitch_deg, yaw_deg, height):
    pitch, yaw = math.radians(pitch_deg), math.radians(yaw_deg)
    forward = np.array([math.sin(yaw) * math.cos(pitch), math.sin(pitch), math.cos(yaw) * math.cos(pitch)])
    pose = camera.pose_from_look(np.array([3.0, -height, -7.0]), forward, np.array([0.0, 1.0, 0.0]))
    k = camera.intrinsics_from_fov(64.0, W, H)
    view = flat_scene.render(pose, k, W, H)
    expected, depth = analytic_disparity(pose, k, 2.0)
    ground = (depth > 0) & (depth < 90)
    assert ground.mean() > 0.3
    np.testing.assert_allclose(view.disparity[ground], expected[ground], rtol=2e-3)
    sky = depth <= 0  # rays that point above the horizon
    assert sky.any()
    np.testing.assert_array_equal(view.disparity[sky], np.float32(0.01))
    np.testing.assert_array_equal(view.sky[sky], 1.0)
    # terrain beyond the disparity floor (depth > 100) is at the floor too, but it is not sky
    far_ground = (depth > 120) & (depth < 0.5 * TerrainMeshConfig().radius)
    assert far_ground.sum() > 10
    np.testing.assert_array_equal(view.disparity[far_ground], np.float32(0.01))
    np.testing.assert_array_equal(view.sky[ground | far_ground], 0.0)
    assert view.rgb.shape == (H, W, 3) and 0.0 <= view.rgb.min() and view.rgb.max() <= 1.0


def test_sky_is_brighter_and_bluer_than_ground(flat_scene):
    pose = camera.pose_from_look(np.array([0.0, -3.0, 0.0]), np.array([0.0, 0.0, 1.0]), np.array([0.0, 1.0, 0.0]))
    view = flat_scene.render(pose, camera.intrinsics_from_fov(64.0, W, H), W, H)
    sky, ground = view.rgb[: H // 4].reshape(-1, 3), view.rgb[-H // 4 :].reshape(-1, 3)
    assert sky[:, 2].mean() > sky[:, 0].mean()  # blue above
    assert sky.mean() > ground.mean()


def test_grid_is_dense_near_the_centre():
    offsets = grid_offsets(101, 400.0, 4.5)
    spacing = np.diff(offsets)
    assert offsets[0] == pytest.approx(-400.0) and offsets[-1] == pytest.approx(400.0)
    uniform = 800.0 / 100
    assert spacing[50] < 0.15 * uniform and spacing[0] > 30 * spacing[50]
