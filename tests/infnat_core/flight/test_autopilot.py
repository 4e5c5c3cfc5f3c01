import math

import numpy as np
import pytest

from infnat_core.camera import camera_axes, camera_position, pose_from_look
from infnat_core.flight.autopilot import (
    AutopilotConfig,
    AutopilotState,
    autopilot_init,
    autopilot_pose,
    autopilot_step,
    autopilot_targets,
    config_for_speed,
)
from tests.infnat_core.flight.scene import scene_disparity

H, W = 40, 64
K = np.array([0.8, 0.8 * W / H, 0.5, 0.5])  # Infinite Nature's intrinsics
CFG = AutopilotConfig()
GROUND_Y = 1.0


def start(height_above_ground=1.0, pitch=0.0):
    """Autopilot state at ``height_above_ground`` over the ground plane, pitched by ``pitch`` radians (+ = up)."""
    forward = np.array([0.0, -math.sin(pitch), math.cos(pitch)])
    pose = pose_from_look(np.array([0.0, GROUND_Y - height_above_ground, 0.0]), forward, np.array([0.0, 1.0, 0.0]))
    return autopilot_init(pose)


def fly(state, steps, cfg=CFG, wall_x=None, steer=lambda i: (0.0, 0.0)):
    """Fly over the synthetic world; returns the final state and the world y after every step."""
    ys = []
    for i in range(steps):
        disparity = scene_disparity(autopilot_pose(state), K, H, W, GROUND_Y, wall_x)
        state = autopilot_step(state, disparity, K, cfg, steer(i))
        ys.append(state.position[1])
    return state, np.array(ys)


def sky_fraction(state, cfg=CFG):
    disparity = scene_disparity(autopilot_pose(state), K, H, W, GROUND_Y)
    return float(np.clip(cfg.sky_ramp * (cfg.sky_disparity - disparity), 0, 1).mean())


class TestTargets:
    def test_sky_on_the_left_looks_left(self):
        d = np.full((10, 20), 0.3)
        d[:, :10] = 0.0  # left half is sky
        look, move = autopilot_targets(d, CFG)
        # sky mean 0.5: look v = 0.5 + 0.5 - 0.3; all sky is left: u = eps / (1 + 2 eps); no near ground: move v = 0.5
        np.testing.assert_allclose(look, [1e-4 / (1 + 2e-4), 0.7])
        np.testing.assert_allclose(move, [0.5, 0.5])

    def test_near_ground_climbs_and_no_sky_balances(self):
        d = np.full((10, 20), 0.3)
        d[5:] = 1.0  # bottom half: ground as near as it gets
        look, move = autopilot_targets(d, CFG)
        np.testing.assert_allclose(look, [0.5, 0.5 + 0.0 - 0.3])
        np.testing.assert_allclose(move, [0.5, 0.3 + 0.2 - 0.5])

    def test_soft_ramps(self):
        d = np.full((4, 4), 0.075)  # halfway down the sky ramp (0.1 -> 0.05)
        d[2:] = 0.55  # halfway up the ground ramp (0.5 -> 0.6)
        look, move = autopilot_targets(d, CFG)
        np.testing.assert_allclose(look, [0.5, 0.5 + 0.25 - 0.3])
        np.testing.assert_allclose(move, [0.5, 0.5 - 0.25])


class TestStep:
    def test_init_pose_round_trip(self):
        pose = pose_from_look(np.array([1.0, -0.5, 2.0]), np.array([0.3, 0.1, 1.0]), np.array([0.0, 1.0, 0.0]))
        np.testing.assert_allclose(autopilot_pose(autopilot_init(pose)), pose, atol=1e-12)

    def test_speed_per_step(self):
        state = start()
        disparity = scene_disparity(autopilot_pose(state), K, H, W)
        still = autopilot_step(state, disparity, K, CFG, speed=0.0)
        np.testing.assert_array_equal(still.position, state.position)
        moved = autopilot_step(state, disparity, K, CFG, speed=0.5)
        assert np.linalg.norm(moved.position - state.position) == pytest.approx(0.5)
        default = autopilot_step(state, disparity, K, CFG)
        assert np.linalg.norm(default.position - state.position) == pytest.approx(CFG.speed)

    def test_steer_turns_and_decays(self):
        state = start()
        disparity = scene_disparity(autopilot_pose(state), K, H, W)
        plain = autopilot_step(state, disparity, K, CFG)
        steered = autopilot_step(state, disparity, K, CFG, steer=(1.0, 0.0))
        assert steered.look_dir[0] > plain.look_dir[0] + 0.01  # a click on the right turns right
        np.testing.assert_allclose(steered.steer, [0.9, 0.0])
        later = autopilot_step(steered, disparity, K, CFG)
        np.testing.assert_allclose(later.steer, [0.81, 0.0])

    def test_no_roll(self):
        state, _ = fly(start(), 300, steer=lambda i: (math.sin(i / 7), math.cos(i / 11)))
        right, down, _ = camera_axes(autopilot_pose(state))
        assert right[1] == pytest.approx(0.0, abs=1e-9) and down[1] > 0


class TestFlightOverGround:
    @pytest.mark.parametrize("crash_guard", [True, False])
    def test_climbs_when_ground_is_close(self, crash_guard):
        _, ys = fly(start(height_above_ground=0.25), 15, AutopilotConfig(crash_guard=crash_guard))
        assert ys[-1] < GROUND_Y - 0.4  # gained at least 0.15 in 15 steps of 0.2

    @pytest.mark.parametrize("horizon", [0.2, 0.3, 0.4])
    def test_levels_off_at_the_horizon(self, horizon):
        cfg = AutopilotConfig(horizon=horizon)
        state, ys = fly(start(pitch=0.3), 300, cfg)  # starts looking up, at sky fraction ~0.75
        assert sky_fraction(state, cfg) == pytest.approx(horizon, abs=0.01)
        assert np.ptp(ys[-50:]) < 0.01  # altitude has settled
        assert abs(state.move_dir[1]) < 0.01  # flying level

    @pytest.mark.parametrize("wall_x, side", [(-3.0, 1.0), (3.0, -1.0)])
    def test_turns_away_from_a_wall_toward_open_sky(self, wall_x, side):
        state, _ = fly(start(), 100, wall_x=wall_x)
        assert side * state.look_dir[0] > 0.2
        assert side * state.position[0] > 1.0

    @pytest.mark.parametrize("seed", [0, 1, 2])
    def test_never_below_ground_with_random_steering(self, seed):
        rng = np.random.default_rng(seed)
        state, ys = fly(start(height_above_ground=0.5), 500, steer=lambda i: tuple(rng.uniform(-1.0, 1.0, 2)))
        assert ys.max() < GROUND_Y - 0.1
        assert np.linalg.norm(state.position - [0.0, 0.5, 0.0]) > 10  # it did fly somewhere

    def test_steering_down_crashes_without_the_guard_only(self):
        def dive(i):
            return (0.0, 1.0)

        _, guarded = fly(start(), 200, steer=dive)
        _, unguarded = fly(start(), 200, AutopilotConfig(crash_guard=False), steer=dive)
        assert guarded.max() < GROUND_Y - 0.1
        assert unguarded.max() > GROUND_Y


class TestCrashGuard:
    def test_near_ground_climbs_even_when_steered_down(self):
        state = start()
        d = np.full((H, W), 0.3)
        d[-H // 4 :] = 0.9  # ground right under the camera
        guarded = autopilot_step(state, d, K, CFG, steer=(0.0, 1.0))
        assert guarded.move_dir[1] < -0.05  # world up is -y
        unguarded = autopilot_step(state, d, K, AutopilotConfig(crash_guard=False), steer=(0.0, 1.0))
        assert unguarded.move_dir[1] > 0

    def test_climbs_firmly(self):
        _, guarded = fly(start(height_above_ground=0.2), 10)
        _, plain = fly(start(height_above_ground=0.2), 10, AutopilotConfig(crash_guard=False))
        assert guarded[-1] < plain[-1] - 0.1

    def test_travels_only_toward_what_it_sees(self):
        fields = ("position", "look_dir", "move_dir", "down")
        state = AutopilotState(*(getattr(start(), name) for name in fields), steer=[5.0, 0.0])  # far right
        d = scene_disparity(autopilot_pose(state), K, H, W)
        guarded = autopilot_step(state, d, K, CFG)
        # The move target is clipped to the right edge of the view, u = 1 (x = 0.5 / fx at z = 1).
        edge = np.array([0.5 / K[0], 0.0, 1.0])
        expected = (1 - CFG.lerp) * np.array([0.0, 0.0, 1.0]) + CFG.lerp * edge / np.linalg.norm(edge)
        np.testing.assert_allclose(guarded.move_dir, expected / np.linalg.norm(expected), atol=1e-9)
        unguarded = autopilot_step(state, d, K, AutopilotConfig(crash_guard=False))
        assert unguarded.move_dir[0] > guarded.move_dir[0] + 0.01

    def test_never_descends_toward_ground_it_cannot_see(self):
        # Looking 40 degrees up while still moving 30 degrees down: the move direction is below the view.
        state = start(pitch=math.radians(40))
        state = AutopilotState(state.position, state.look_dir, [0, math.sin(0.5), math.cos(0.5)], state.down)
        d = np.full((H, W), 0.3)  # nothing near in view, some sky: neither ground nor sky guard fires
        d[: H // 3] = 0.0
        assert autopilot_step(state, d, K, CFG).move_dir[1] <= 0
        assert autopilot_step(state, d, K, AutopilotConfig(crash_guard=False)).move_dir[1] > 0

    @pytest.mark.parametrize("sky_value, look_sign", [(0.0, 1.0), (0.3, -1.0)])
    def test_sky_fraction_pulled_into_range_against_steer(self, sky_value, look_sign):
        state = start()
        d = np.full((H, W), sky_value)  # all sky (pitch down) or no sky at all (pitch up)
        steer = (0.0, -look_sign)  # steer the wrong way
        guarded = autopilot_step(state, d, K, CFG, steer=steer)
        assert look_sign * guarded.look_dir[1] > 0.02  # world y down: +1 = pitched down
        unguarded = autopilot_step(state, d, K, AutopilotConfig(crash_guard=False), steer=steer)
        assert look_sign * unguarded.look_dir[1] < 0

    def test_look_pitch_is_limited(self):
        state = start()
        d = np.zeros((H, W))  # all sky: keeps pitching down
        for _ in range(200):
            state = autopilot_step(state, d, K, CFG, speed=0.0)
        assert state.look_dir[1] == pytest.approx(math.sin(CFG.max_pitch))
        np.testing.assert_allclose(camera_position(autopilot_pose(state)), [0.0, 0.0, 0.0], atol=1e-12)


class TestConfigForSpeed:
    def test_finer_steps_fly_the_same_path(self):
        # 40 reference steps of 0.2 and 200 steps of 0.04 cover the same distance and should end in nearly the same
        # place: re-timing keeps the path's shape per distance, not per step.
        coarse, _ = fly(start(0.5, pitch=-0.3), 40, cfg=config_for_speed(0.2), wall_x=3.0)
        fine, _ = fly(start(0.5, pitch=-0.3), 200, cfg=config_for_speed(0.04), wall_x=3.0)
        naive, _ = fly(start(0.5, pitch=-0.3), 200, cfg=AutopilotConfig(speed=0.04), wall_x=3.0)
        assert np.linalg.norm(fine.position - coarse.position) < 0.25
        assert np.linalg.norm(naive.position - coarse.position) > 2 * np.linalg.norm(fine.position - coarse.position)

    def test_reference_speed_is_unchanged(self):
        cfg, ref = config_for_speed(0.2), AutopilotConfig()
        for name in ("speed", "lerp", "guard_lerp", "steer_decay"):
            assert getattr(cfg, name) == pytest.approx(getattr(ref, name))
