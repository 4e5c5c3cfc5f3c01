import math

import numpy as np
import pytest

from infnat_core import camera
from infnat_core.data.terrain import make_terrain
from infnat_core.data.trajectory import TrajectoryConfig, flight_path

K = camera.intrinsics_from_fov(64.0, 256, 160)


@pytest.mark.parametrize("random_probability", [0.0, 1.0])
def test_paths_stay_above_ground_and_move_steadily(dem_tiles, random_probability):
    cfg = TrajectoryConfig(steps=30, random_probability=random_probability)
    for seed in range(3):
        rng = np.random.default_rng(seed)
        terrain = make_terrain(dem_tiles, rng)
        poses = flight_path(terrain, K, rng, cfg)
        assert poses.shape == (30, 3, 4)
        centres = np.stack([camera.camera_position(p) for p in poses])
        clearance = -centres[:, 1] - terrain.surface(centres[:, 0], centres[:, 2])
        assert clearance.min() >= cfg.min_clearance - 1e-4
        steps = np.linalg.norm(np.diff(centres[:, [0, 2]], axis=0), axis=1)
        assert steps.max() <= cfg.speed[1] + 1e-6 and steps.min() > 0.0


def test_autopilot_like_path_turns_gently_and_sees_the_horizon(dem_tiles):
    cfg = TrajectoryConfig(steps=30, random_probability=0.0)
    rng = np.random.default_rng(5)
    poses = flight_path(make_terrain(dem_tiles, rng), K, rng, cfg)
    forward = np.stack([camera.camera_axes(p)[2] for p in poses])
    heading = np.unwrap(np.arctan2(forward[:, 0], forward[:, 2]))
    assert np.abs(np.diff(heading)).max() <= math.radians(cfg.max_turn_deg) + 1e-3
    pitch_down = np.degrees(np.arcsin(forward[:, 1]))
    assert pitch_down.max() <= cfg.pitch_range_deg[1] + 1e-6 and pitch_down.min() >= cfg.pitch_range_deg[0] - 1e-6


def test_paths_are_deterministic(dem_tiles):
    def path(seed):
        rng = np.random.default_rng(seed)
        return flight_path(make_terrain(dem_tiles, rng), K, rng, TrajectoryConfig(steps=10))

    np.testing.assert_array_equal(path(2), path(2))
    assert not np.allclose(path(2), path(3))
