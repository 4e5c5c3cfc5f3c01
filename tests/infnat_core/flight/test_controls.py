import math

import numpy as np
import pytest

from infnat_core.camera import camera_axes, camera_position, identity_pose, pose_from_look
from infnat_core.flight.controls import ControlsConfig, FlightInputs, FlightState, step

CFG = ControlsConfig()


def fly(state, inputs, seconds, fps, cfg=CFG):
    for _ in range(round(seconds * fps)):
        state = step(state, inputs, 1.0 / fps, cfg)
    return state


class TestPose:
    def test_rest_state_is_identity(self):
        np.testing.assert_allclose(FlightState(np.zeros(3)).pose, identity_pose(), atol=1e-12)

    def test_from_pose_round_trip(self):
        state = FlightState(np.array([1.0, -2.0, 3.0]), yaw=0.7, pitch=-0.3)
        back = FlightState.from_pose(state.pose)
        assert back.yaw == pytest.approx(0.7) and back.pitch == pytest.approx(-0.3)
        np.testing.assert_allclose(back.position, [1.0, -2.0, 3.0])

    def test_from_pose_drops_roll(self):
        rolled = pose_from_look(np.zeros(3), np.array([0.0, 0.0, 1.0]), np.array([0.3, 1.0, 0.0]))
        right, _, forward = camera_axes(FlightState.from_pose(rolled).pose)
        np.testing.assert_allclose(forward, [0, 0, 1], atol=1e-12)
        assert right[1] == pytest.approx(0.0, abs=1e-12)


class TestTurning:
    def test_yaw_positive_turns_right(self):
        state = step(FlightState(np.zeros(3)), FlightInputs(yaw=math.pi / 2), 0.0, CFG)
        np.testing.assert_allclose(state.forward, [1, 0, 0], atol=1e-12)

    def test_pitch_positive_looks_up(self):
        state = step(FlightState(np.zeros(3)), FlightInputs(pitch=0.3), 0.0, CFG)
        assert state.forward[1] < 0  # world up is -y

    def test_pitch_is_clamped_no_flip(self):
        state = FlightState(np.zeros(3))
        for _ in range(50):
            state = step(state, FlightInputs(pitch=0.2), 0.01, CFG)
        assert state.pitch == pytest.approx(CFG.max_pitch)
        assert state.forward[2] > 0  # still facing the original way, not over the top

    def test_no_roll_creep(self):
        rng = np.random.default_rng(0)
        state = FlightState(np.zeros(3))
        for _ in range(2000):
            state = step(state, FlightInputs(yaw=rng.uniform(-0.3, 0.3), pitch=rng.uniform(-0.3, 0.3)), 0.01, CFG)
        right, down, _ = camera_axes(state.pose)
        assert right[1] == pytest.approx(0.0, abs=1e-12)  # the horizon stays level
        assert down[1] > 0  # and the right way up
        rotation = state.pose[:, :3]
        np.testing.assert_allclose(rotation @ rotation.T, np.eye(3), atol=1e-12)


class TestMoving:
    def test_forward_follows_heading(self):
        state = FlightState(np.zeros(3), yaw=math.pi / 2)
        state = fly(state, FlightInputs(forward=1.0), 2.0, 30)
        assert state.position[0] > 1.0  # turned right, so forward is world +x
        assert abs(state.position[2]) < 1e-9

    def test_strafe_and_rise(self):
        state = fly(FlightState(np.zeros(3)), FlightInputs(right=1.0, up=1.0), 2.0, 30)
        assert state.position[0] > 0.3 and state.position[1] < -0.3 and abs(state.position[2]) < 1e-9

    def test_reaches_top_speed_smoothly_and_stops(self):
        state = step(FlightState(np.zeros(3)), FlightInputs(forward=1.0), 1 / 60, CFG)
        assert 0 < np.linalg.norm(state.velocity) < 0.5 * CFG.speed  # no instant jump to full speed
        state = fly(state, FlightInputs(forward=1.0), 3.0, 60)
        assert np.linalg.norm(state.velocity) == pytest.approx(CFG.speed, rel=1e-3)
        state = fly(state, FlightInputs(), 3.0, 60)
        assert np.linalg.norm(state.velocity) < 1e-3 * CFG.speed

    def test_eases_in_and_coasts_to_a_stop(self):
        tau = CFG.smoothing
        state = fly(FlightState(np.zeros(3)), FlightInputs(forward=1.0), tau, 60)
        # Exponential approach to full speed: after one time constant it has covered tau * speed / e.
        assert state.position[2] == pytest.approx(CFG.speed * tau / math.e)
        moving = fly(state, FlightInputs(forward=1.0), 10 * tau, 60)
        stopped = fly(moving, FlightInputs(), 20 * tau, 60)
        # Releasing the key glides on for speed * tau, not an abrupt stop.
        assert stopped.position[2] - moving.position[2] == pytest.approx(CFG.speed * tau, rel=1e-3)

    def test_boost_is_faster(self):
        slow = fly(FlightState(np.zeros(3)), FlightInputs(forward=1.0), 2.0, 30)
        fast = fly(FlightState(np.zeros(3)), FlightInputs(forward=1.0, boost=True), 2.0, 30)
        assert fast.position[2] == pytest.approx(CFG.boost * slow.position[2])

    def test_diagonal_is_not_faster(self):
        state = fly(FlightState(np.zeros(3)), FlightInputs(forward=1.0, right=1.0), 5.0, 30)
        assert np.linalg.norm(state.velocity) == pytest.approx(CFG.speed, rel=1e-3)

    def test_same_flight_at_any_frame_rate(self):
        inputs = FlightInputs(forward=1.0, right=-0.5, up=0.3)
        a = fly(FlightState(np.zeros(3)), inputs, 1.5, 24)
        b = fly(FlightState(np.zeros(3)), inputs, 1.5, 144)
        np.testing.assert_allclose(a.position, b.position, atol=1e-12)
        np.testing.assert_allclose(a.velocity, b.velocity, atol=1e-12)

    def test_deterministic(self):
        rng = np.random.default_rng(1)
        script = [
            (FlightInputs(*rng.uniform(-1, 1, 3), *rng.uniform(-0.1, 0.1, 2), rng.random() < 0.3), rng.uniform(0, 0.05))
            for _ in range(200)
        ]

        def replay():
            state = FlightState(np.zeros(3))
            for inputs, dt in script:
                state = step(state, inputs, dt, CFG)
            return state

        a, b = replay(), replay()
        np.testing.assert_array_equal(a.pose, b.pose)
        np.testing.assert_array_equal(a.velocity, b.velocity)
        assert np.linalg.norm(camera_position(a.pose)) > 0.1

    def test_negative_dt_rejected(self):
        with pytest.raises(ValueError):
            step(FlightState(np.zeros(3)), FlightInputs(), -0.1, CFG)

    def test_state_is_immutable(self):
        state = FlightState(np.zeros(3))
        with pytest.raises(ValueError):
            state.position[0] = 1.0

    def test_zero_smoothing_starts_and_stops_instantly(self):
        cfg = ControlsConfig(smoothing=0.0)
        state = step(FlightState(np.zeros(3)), FlightInputs(forward=1.0), 0.5, cfg)
        np.testing.assert_allclose(state.position, [0, 0, 0.5 * cfg.speed])
        assert not step(state, FlightInputs(), 0.1, cfg).velocity.any()
