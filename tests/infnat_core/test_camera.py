import math

import numpy as np
import pytest

from infnat_core import camera


class TestIntrinsics:
    def test_reference_fov(self):
        k = camera.intrinsics_from_fov(camera.fov_x_deg(np.array([0.8, 1.28, 0.5, 0.5])), 256, 160)
        np.testing.assert_allclose(k, [0.8, 0.8 * 256 / 160, 0.5, 0.5])

    def test_fov_64_degrees(self):
        assert camera.fov_x_deg(np.array([0.8, 1.0, 0.5, 0.5])) == pytest.approx(64.01, abs=0.01)


class TestUnprojectProject:
    def test_round_trip(self):
        rng = np.random.default_rng(0)
        disp = rng.uniform(0.02, 1.0, (7, 11))
        k = camera.intrinsics_from_fov(70, 11, 7)
        pts = camera.unproject(disp, k)
        uv, z = camera.project(pts.reshape(-1, 3), k)
        u, v = camera.pixel_centres(7, 11)
        np.testing.assert_allclose(uv[:, 0], u.ravel())
        np.testing.assert_allclose(uv[:, 1], v.ravel())
        np.testing.assert_allclose(z, 1.0 / disp.ravel())

    def test_centre_pixel_on_axis_and_depth_clipped(self):
        disp = np.zeros((3, 3))
        pts = camera.unproject(disp, camera.intrinsics_from_fov(60, 3, 3))
        np.testing.assert_allclose(pts[1, 1], [0, 0, 100.0])
        assert pts[0, 0, 0] < 0 and pts[0, 0, 1] < 0  # top-left pixel is left (x<0) and up (y<0)


class TestPoses:
    def test_invert_compose_identity(self):
        pose = camera.pose_from_look(np.array([1.0, -2.0, 3.0]), np.array([0.3, 0.1, 1.0]), np.array([0, 1.0, 0]))
        np.testing.assert_allclose(camera.compose(pose, camera.invert_pose(pose)), camera.identity_pose(), atol=1e-12)

    def test_pose_from_look_position_and_axes(self):
        pos = np.array([1.0, -2.0, 3.0])
        pose = camera.pose_from_look(pos, np.array([0.0, 0.0, 2.0]), np.array([0.0, 1.0, 0.0]))
        np.testing.assert_allclose(camera.camera_position(pose), pos)
        right, down, fwd = camera.camera_axes(pose)
        np.testing.assert_allclose(right, [1, 0, 0], atol=1e-12)
        np.testing.assert_allclose(down, [0, 1, 0], atol=1e-12)
        np.testing.assert_allclose(fwd, [0, 0, 1], atol=1e-12)
        # A world point straight ahead lands on the optical axis.
        np.testing.assert_allclose(camera.transform(pose, pos + np.array([0, 0, 5.0])), [0, 0, 5.0], atol=1e-12)

    def test_parallel_down_hint_rejected(self):
        with pytest.raises(ValueError):
            camera.pose_from_look(np.zeros(3), np.array([0, 1.0, 0]), np.array([0, 2.0, 0]))

    def test_rotation_about(self):
        r = camera.rotation_about(np.array([0, 1.0, 0]), math.pi / 2)
        np.testing.assert_allclose(r @ np.array([0, 0, 1.0]), [1, 0, 0], atol=1e-12)


class TestGlProjection:
    def test_maps_texture_corners_to_ndc(self):
        k = camera.intrinsics_from_fov(64, 256, 160)
        p = camera.gl_projection(k, 0.1, 200.0)
        for u, v in [(0.0, 0.0), (1.0, 1.0), (0.25, 0.75)]:
            z = 7.0
            x, y = (u - k[2]) / k[0] * z, (v - k[3]) / k[1] * z
            clip = p @ np.array([x, y, z, 1.0])
            ndc = clip[:3] / clip[3]
            np.testing.assert_allclose(ndc[:2], [2 * u - 1, 2 * v - 1], atol=1e-12)
            assert -1 < ndc[2] < 1
